import { https } from '../lazy-modules';
import { type IncomingMessage, type ServerResponse, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config';
import { OxyError, sendError } from '../errors';
import { HOP_BY_HOP, headerMatcher } from '../headers/header-rules';
import { requestHeaderFilter } from '../headers/request-headers';
import { poolKeyHeader } from '../upstream/pool-key-header';
import type { Logger } from '../logger';
import { logUpstreamFailure } from '../logs/upstream-events';
import type { Platform } from '../platform';
import type { RouteConfig } from '../routing/route-table';
import type { Exchange } from '../step';
import { upstreamBadResponse, upstreamFailure } from '../upstream/failures';
import { type SessionEnd, relaySession } from './session';

/** Opens the WebSocket upstream for an upgrade that passed every step, and relays it (realtime/upgrade.ts). */
export type WebSocketUpstream = (
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  res: ServerResponse,
  ex: Exchange,
  onEnd: (status: number, end?: SessionEnd) => void,
) => void;

/** Bytes a client may send before the upgrade is answered; it should send none. */
const EARLY_LIMIT = 64 * 1024;

/**
 * Builds each route's WebSocket upstream. The upgrade request goes upstream with the same header filter
 * as any request (platform credentials, hop-by-hop, client identity stripped) and the route's path; the
 * upstream's 101 reaches the client with the headers the handshake needs (accept, chosen subprotocol,
 * extensions), then the frames flow both ways unchanged. A refusal (4xx, 5xx) is passed through as a plain
 * HTTP answer; a failure before the 101 is a 502/504 in OpenAI's shape.
 */
export function websocketUpstreams(config: Config, platform: Platform, log: Logger) {
  const filterRequest = requestHeaderFilter([
    ...config.hopHeaderPrefixes,
    ...(platform.credentialHeaderPrefixes ?? []),
  ]);
  const dropAnswer = headerMatcher(
    { names: [...HOP_BY_HOP, 'transfer-encoding', 'content-length'] },
    platform.forbiddenResponseHeaders ?? {},
    { prefixes: ['access-control-'] },
  );
  const { connectTimeoutMs, headersTimeoutMs, idleTimeoutMs, wsIdleTimeoutMs } = config;

  return (route: RouteConfig): WebSocketUpstream =>
    (req, socket, head, res, ex, onEnd) => {
      const { target } = route;
      const headers = {
        ...filterRequest(req.headers),
        host: target.host,
        connection: 'Upgrade',
        upgrade: 'websocket',
      };
      poolKeyHeader(headers, ex);
      const secure = target.protocol === 'https:';
      const upReq = (secure ? https().request : httpRequest)({
        hostname: target.hostname,
        port: target.port || (secure ? 443 : 80),
        method: 'GET',
        path: ex.path,
        headers,
        agent: false,
      });
      let opened = false;
      let failed = false;
      const fail = (err: unknown): void => {
        // Once: destroying the request after a timeout raises its 'error' (a reset) as well.
        if (opened || failed) return;
        failed = true;
        const failure = upstreamFailure(err);
        logUpstreamFailure(log, req, ex, route.prefix, failure, err);
        sendError(res, failure);
        upReq.destroy();
      };
      // Connect (TCP and TLS), then the wait for the 101, each within its limit.
      let timer = setTimeout(
        () => fail(timeout('upstream_connect_timeout', 'did not accept a connection', connectTimeoutMs)),
        connectTimeoutMs,
      );
      upReq.once('socket', (s: Socket) =>
        s.once(secure ? 'secureConnect' : 'connect', () => {
          clearTimeout(timer);
          timer = setTimeout(
            () => fail(timeout('upstream_timeout', 'sent no answer', headersTimeoutMs)),
            headersTimeoutMs,
          );
        }),
      );
      upReq.once('close', () => clearTimeout(timer));
      upReq.on('error', fail);
      socket.once('close', () => opened || upReq.destroy());
      // A client sends nothing before the 101 (RFC 6455 §4.1), but only reading its socket shows a hang-up (a
      // FIN): unread, the upstream request waited for its answer until OXY_HEADERS_TIMEOUT_MS. What does come
      // is kept for the session, up to EARLY_LIMIT.
      const early: Buffer[] = [head];
      let earlyBytes = head.length;
      const onClientData = (chunk: Buffer): void => {
        earlyBytes += chunk.length;
        if (earlyBytes > EARLY_LIMIT) socket.destroy();
        else early.push(chunk);
      };
      // Taken off at the 101 (a session's end is relaySession's), so it only ever runs before it.
      const onClientEnd = (): void => void socket.destroy();
      socket.on('data', onClientData);
      socket.once('end', onClientEnd);
      socket.resume();

      upReq.once('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
        clearTimeout(timer);
        if (socket.destroyed) return void upSocket.destroy();
        if (!/^websocket$/i.test(String(upRes.headers.upgrade ?? '').trim())) {
          upSocket.destroy();
          return fail(upstreamBadResponse(101));
        }
        opened = true;
        socket.off('data', onClientData);
        socket.off('end', onClientEnd);
        socket.pause();
        res.detachSocket(socket);
        let answer = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n';
        const raw = upRes.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) {
          if (!dropAnswer(raw[i]!.toLowerCase())) answer += `${raw[i]}: ${raw[i + 1]}\r\n`;
        }
        socket.write(`${answer}x-oxy-request-id: ${ex.id}\r\n\r\n`);
        // Frames either side sent along with the handshake go through first.
        relaySession(socket, upSocket, wsIdleTimeoutMs, (end) => onEnd(101, end), {
          fromClient: Buffer.concat(early),
          fromUpstream: upHead,
        });
      });

      upReq.once('response', (upRes: IncomingMessage) => {
        clearTimeout(timer);
        if ((upRes.statusCode ?? 0) < 200) {
          upRes.destroy();
          return fail(upstreamBadResponse(upRes.statusCode ?? 0));
        }
        // The upstream refused the upgrade: its answer, as a plain HTTP answer.
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upRes.headers))
          if (value !== undefined && !dropAnswer(name)) out[name] = value;
        res.writeHead(upRes.statusCode ?? 502, out);
        // Silence within the refusal's body breaks both connections off, as on any answer (OXY_IDLE_TIMEOUT_MS).
        upRes.socket.setTimeout(idleTimeoutMs, () => {
          onEnd(upRes.statusCode ?? 502);
          upReq.destroy();
          socket.destroy();
        });
        upRes.pipe(res);
      });
      upReq.end();
    };
}

function timeout(code: string, what: string, ms: number): OxyError {
  return new OxyError(code, `The upstream API ${what} within ${ms} ms.`, 504);
}
