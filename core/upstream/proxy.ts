import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
// The factory alone: the package index also loads response interceptors (zlib, querystring) oxy never uses.
import { createProxyMiddleware } from 'http-proxy-middleware/dist/factory';
import type { Options } from 'http-proxy-middleware/dist/types';
import { exposeHeaders } from '../access/cors';
import type { Config } from '../config';
import { resetConnection } from '../edge/connection-reset';
import { OxyError, sendError } from '../errors';
import { requestHeaderFilter } from '../headers/request-headers';
import { isEventStream, responseHeaderFilter } from '../headers/response-headers';
import type { Logger } from '../logger';
import type { Platform } from '../platform';
import { keyHeader } from '../routing/provider-kind';
import type { Upstream } from '../routing/route';
import type { RouteConfig } from '../routing/route-table';
import type { Exchange } from '../step';
import { upstreamAgent } from './agent';
import { bodyLengthOf, releaseBuffersOf } from './buffer-release';
import { upstreamBadResponse, upstreamFailure, upstreamTimeout } from './failures';
import { type Framing, applyFraming, framedLength, requestFraming } from './framing';
import { type KeyPool, isExhausted } from './key-pool';
import { retryAfterMs } from './retry-after';

/** A body kept for one retry with another pool key: every chat, completion, embedding or responses request. */
const REPLAY_LIMIT = 1024 * 1024;
const KEY_REFUSED = new Set([401, 403, 429]);

/** One request's way through the upstream, from the client's request before its headers are filtered. */
interface Attempt {
  ex: Exchange;
  framing: Framing;
  /** The platform's request id, for logs. */
  id?: string;
  /** The body as sent, kept when the request may be retried with another pool key. */
  replay?: { chunks: Buffer[]; complete: boolean };
  retried: boolean;
}

/**
 * Builds the upstreams: each filters the request, hands it to http-proxy-middleware and streams the answer
 * back, retrying once with another pool key when its key is refused before anything reached the client.
 */
export function upstreams(config: Config, platform: Platform, log: Logger) {
  const filterRequest = requestHeaderFilter([
    ...config.hopHeaderPrefixes,
    ...(platform.credentialHeaderPrefixes ?? []),
  ]);
  // The upstream's own CORS headers go: oxy answers CORS for every route alike (access/cors.ts).
  const filterResponse = responseHeaderFilter(platform.forbiddenResponseHeaders, {
    prefixes: ['access-control-'],
  });
  const timeoutMs = config.upstreamTimeoutMs;

  return (route: RouteConfig, pool: KeyPool | undefined): Upstream => {
    const attempts = new WeakMap<IncomingMessage, Attempt>();
    const agent = upstreamAgent(route.target);
    const host = route.target.host;
    const options: Options<IncomingMessage, ServerResponse> = {
      target: route.target.href,
      changeOrigin: true,
      xfwd: false,
      // Skips http-proxy's url.parse of the request target: onProxyReq writes the path itself.
      toProxy: true,
      agent: agent.agent,
      selfHandleResponse: true,
    };
    let server: { web(req: IncomingMessage, res: ServerResponse, options: object): void } | undefined;

    const onProxyReq = (proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void => {
      const attempt = attempts.get(req);
      // The request line, Host and framing are written here, once, over whatever http-proxy derived: its URL
      // join collapses `//` and rewrites `http:/` inside paths. Too late (headers already out) fails closed.
      if (!attempt || !applyFraming(proxyReq, attempt.framing)) {
        return void proxyReq.destroy(new OxyError('internal_error', 'The request could not be framed.', 500));
      }
      proxyReq.path = attempt.ex.path!;
      proxyReq.setHeader('host', host);
      proxyReq.setTimeout(timeoutMs, () => proxyReq.destroy(upstreamTimeout(timeoutMs)));
      // oxy never asks for an upgrade: a 101 is a broken upstream. Without this listener Node drops the socket
      // and the client waits forever.
      proxyReq.once('upgrade', (_: IncomingMessage, socket: Socket) => {
        socket.destroy();
        onError(upstreamBadResponse(101), req, res);
      });
      abortOnHangUp(proxyReq, req, res);
      if (attempt.retried) return;
      // http-proxy has piped the body by now ('proxyReq' comes on 'socket'), so these listeners lose nothing.
      const { replay } = attempt;
      if (replay) {
        req.on('data', (c: Buffer) => replay.chunks.push(c));
        req.once('end', () => (replay.complete = true));
      }
      releaseBuffersOf(req, framedLength(attempt.framing));
    };

    /** Sends the request again with the next healthy pool key, if its key was refused and it can be replayed. */
    const retried = (
      proxyRes: IncomingMessage,
      req: IncomingMessage,
      res: ServerResponse,
      a: Attempt,
    ): boolean => {
      const status = proxyRes.statusCode ?? 0;
      const { ex } = a;
      if (!pool || !ex.poolKey || !KEY_REFUSED.has(status)) return false;
      const event = pool.report(ex.poolKey, status, retryAfterMs(proxyRes.headers));
      if (event) log('info', event.event, { id: a.id, route: route.prefix || '/', ...event, key: event.key });
      if (a.retried || !a.replay?.complete || !server) return false;
      const next = pool.next();
      if (isExhausted(next)) return false;
      a.retried = true;
      ex.poolKey = next;
      const [name, value] = keyHeader(route.kind, next.key);
      req.headers[name] = value;
      proxyRes.resume();
      server.web(req, res, { ...options, buffer: Readable.from([Buffer.concat(a.replay.chunks)]) });
      return true;
    };

    const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void => {
      const status = proxyRes.statusCode ?? 0;
      // Node consumes 100, 102 and 103 itself; any other status below 200 here is not a final answer.
      if (status < 200) {
        proxyRes.destroy();
        return onError(upstreamBadResponse(status), req, res);
      }
      const attempt = attempts.get(req);
      if (attempt && retried(proxyRes, req, res, attempt)) return;
      try {
        const headers = filterResponse(proxyRes.headers);
        if (res.hasHeader('access-control-allow-origin')) {
          headers['access-control-expose-headers'] = exposeHeaders(Object.keys(proxyRes.headers));
          // writeHead's headers replace setHeader's: keep CORS's `Vary: Origin` beside the upstream's Vary.
          const vary = res.getHeader('vary');
          if (vary !== undefined && headers.vary !== undefined)
            headers.vary = `${String(headers.vary)}, ${String(vary)}`;
        }
        res.writeHead(status, headers);
      } catch (err) {
        // A header value Node refuses to write (invalid characters from the upstream).
        proxyRes.destroy();
        return onError(err, req, res);
      }
      // SSE: headers go out now, not with the first event, so clients see the stream open at once.
      if (isEventStream(proxyRes.headers)) res.flushHeaders();
      proxyRes.pipe(res);
      releaseBuffersOf(proxyRes, bodyLengthOf(proxyRes));
      // An upstream failure mid-body resets the client instead of ending a truncated answer cleanly. (A client
      // hang-up is abortOnHangUp's.) `pipe` rather than `pipeline`: that one allocates an AbortController per call.
      const resetIfCut = (): void => {
        if (!proxyRes.complete) resetConnection(res);
      };
      proxyRes.once('error', resetIfCut);
      proxyRes.once('close', resetIfCut);
    };

    const onError = (err: unknown, req: IncomingMessage, res: ServerResponse): void => {
      const failure = upstreamFailure(err);
      if (!req.socket.destroyed && !res.writableEnded) {
        const attempt = attempts.get(req);
        log('error', 'upstream_failed', {
          id: attempt?.id,
          method: req.method,
          path: pathOf(req),
          route: route.prefix || '/',
          proxyKey: attempt?.ex.proxyKey,
          poolKey: attempt?.ex.poolKey?.fingerprint,
          code: failure.code,
          cause: (err as { code?: unknown }).code,
        });
      }
      sendError(res, failure);
    };

    const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
      ...options,
      // hpm's default plugins map ECONNREFUSED to 504 and log full URLs; ours is the one plugin.
      ejectPlugins: true,
      plugins: [
        (proxyServer) => {
          server = proxyServer as unknown as typeof server;
          proxyServer.on('proxyReq', onProxyReq);
          proxyServer.on('proxyRes', onProxyRes);
          proxyServer.on('error', (err, req, res) => onError(err, req, res as ServerResponse));
        },
      ],
    });

    return (req, res, ex, fail) => {
      const id = platform.requestIdHeader ? req.headers[platform.requestIdHeader] : undefined;
      const framing = requestFraming(req.headers);
      const replayable =
        ex.poolKey !== undefined &&
        (framing.kind === 'none' || (framing.kind === 'length' && Number(framing.length) <= REPLAY_LIMIT));
      attempts.set(req, {
        ex,
        framing,
        id: typeof id === 'string' ? id : undefined,
        replay: replayable ? { chunks: [], complete: false } : undefined,
        retried: false,
      });
      req.headers = filterRequest(req.headers);
      agent.dropStale();
      void proxy(req, res, fail);
    };
  };
}

/**
 * Aborts the upstream request when the client goes away, whether before the upstream's headers arrive
 * (http-proxy misses this on Node ≥ 15) or mid-stream, so a hung-up completion stops being generated.
 */
function abortOnHangUp(proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void {
  if (req.socket.destroyed) {
    proxyReq.destroy();
    return;
  }
  res.once('close', () => {
    if (!res.writableFinished) proxyReq.destroy();
  });
}

/** The request path without its query string, which may carry a key (`?key=` on Gemini). */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?', 1)[0] ?? '';
}
