import { type IncomingMessage, type RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { OxyError, sendError } from '../errors';
import { type Logger, workDone, workStarted } from '../logger';
import type { Exchange, Step } from '../step';
import { logSession } from './session-log';

/** What the upgrade listener needs of the app (core/app.ts). */
export interface UpgradeContext {
  /** The same steps as an HTTP request's, in the same order, with the WebSocket-only ones among them. */
  steps: Step[];
  /** The HTTP request listener, for an `Upgrade` that is not WebSocket (`h2c`): answered as plain HTTP. */
  request: RequestListener;
  exchange(req: IncomingMessage): Exchange;
  sendDate: boolean;
  log: Logger;
}

const WEBSOCKET = /(?:^|,)\s*websocket\s*(?:,|$)/i;

/**
 * The server's 'upgrade' listener. A WebSocket upgrade runs through every step an HTTP request does,
 * before a byte goes upstream, each answering a refusal as plain HTTP on the socket (a ServerResponse
 * bound to it, so every step works unchanged); one that passes is relayed by its route's WebSocket
 * upstream (realtime/websocket-upstream.ts). Any other `Upgrade` is served as the plain request it
 * also is, when it has no body.
 */
export function upgradeListener(ctx: UpgradeContext) {
  return (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => undefined);
    const res = new ServerResponse(req);
    try {
      res.assignSocket(socket);
    } catch {
      // An upgrade pipelined behind a request whose answer still holds the socket (ERR_HTTP_SOCKET_ASSIGNED):
      // thrown here it would end the process, before any check. No client does this; the connection goes.
      socket.destroy();
      return;
    }
    res.shouldKeepAlive = false;
    res.sendDate = ctx.sendDate;
    // Closed once the refusal is out, as Node closes a `Connection: close` answer's socket (destroySoon): a
    // half-close alone left the socket open for as long as the client kept its side open, shutdown included.
    res.once('finish', () => socket.end(() => socket.destroy()));
    const bodyless =
      req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
    if (req.method !== 'GET' || !WEBSOCKET.test(String(req.headers.upgrade ?? ''))) {
      if (bodyless) return ctx.request(req, res);
      return sendError(
        res,
        new OxyError(
          'unsupported_upgrade',
          'Only WebSocket upgrades are supported.',
          400,
          'invalid_request_error',
        ),
      );
    }
    const ex = ctx.exchange(req);
    res.setHeader('x-oxy-request-id', ex.id);
    // In progress until its one log line is written, like an answer (edge/in-flight.ts); a socket closed
    // without that line (a refusal the client did not wait for) ends it a turn after its close.
    workStarted();
    let working = true;
    const release = (): void => {
      if (working) workDone();
      working = false;
    };
    socket.once('close', () => setImmediate(release));
    let logged = false;
    const done = (status: number, end?: Parameters<typeof logSession>[4]): void => {
      if (logged) return;
      logged = true;
      try {
        logSession(ctx.log, req, ex, status, end, ex.clientIp);
      } finally {
        release();
      }
    };
    res.once('finish', () => done(res.statusCode));
    try {
      for (const step of ctx.steps) if (step(req, res, ex)) return;
      ex.route!.websocket(req, socket, head, res, ex, done);
    } catch (err) {
      ctx.log('error', 'internal_error', {
        id: ex.id,
        method: req.method,
        message: String((err as Error)?.message),
      });
      sendError(res, new OxyError('internal_error', 'The proxy failed to handle the request.', 500));
    }
  };
}
