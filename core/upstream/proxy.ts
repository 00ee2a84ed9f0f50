import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
// The factory alone: the package index also loads response interceptors (zlib, querystring) oxy never uses.
import { createProxyMiddleware } from 'http-proxy-middleware/dist/factory';
import type { Config } from '../config';
import { resetConnection } from '../edge/connection-reset';
import { OxyError, sendError } from '../errors';
import { requestHeaderFilter } from '../headers/request-headers';
import { isEventStream, responseHeaderFilter } from '../headers/response-headers';
import type { Logger } from '../logger';
import type { Platform } from '../platform';
import { upstreamAgent } from './agent';
import { releaseBuffersOf } from './buffer-release';
import { upstreamBadResponse, upstreamFailure, upstreamTimeout } from './failures';
import { type Framing, applyFraming, requestFraming } from './framing';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** What the upstream request must be, decided from the client's request before its headers are filtered. */
interface Plan {
  /** The target's base path, then the request target exactly as the client sent it. */
  path: string;
  framing: Framing;
  /** The platform's request id, for logs. */
  id?: string;
}

/** The proxy handler: filters the request, hands it to http-proxy-middleware, streams the answer back. */
export function createProxy(config: Config, platform: Platform, log: Logger): Handler {
  const filterRequest = requestHeaderFilter([
    ...config.hopHeaderPrefixes,
    ...(platform.credentialHeaderPrefixes ?? []),
  ]);
  const filterResponse = responseHeaderFilter(platform.forbiddenResponseHeaders);
  const plans = new WeakMap<IncomingMessage, Plan>();
  const timeoutMs = config.upstreamTimeoutMs;
  const upstream = upstreamAgent(config.target);
  const basePath = config.target.pathname === '/' ? '' : config.target.pathname;
  const host = config.target.host;

  const onProxyReq = (proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void => {
    const plan = plans.get(req);
    // The request line, Host and framing are written here, once, over whatever http-proxy derived: its URL
    // join collapses `//` and rewrites `http:/` inside paths. Too late (headers already out) fails closed.
    if (!plan || !applyFraming(proxyReq, plan.framing)) {
      return void proxyReq.destroy(new OxyError('internal_error', 'The request could not be framed.', 500));
    }
    proxyReq.path = plan.path;
    proxyReq.setHeader('host', host);
    proxyReq.setTimeout(timeoutMs, () => proxyReq.destroy(upstreamTimeout(timeoutMs)));
    // oxy never asks for an upgrade: a 101 is a broken upstream. Without this listener Node drops the socket
    // and the client waits forever.
    proxyReq.once('upgrade', (_: IncomingMessage, socket: Socket) => {
      socket.destroy();
      onError(upstreamBadResponse(101), req, res);
    });
    abortOnHangUp(proxyReq, req, res);
    // http-proxy has piped the body by now ('proxyReq' comes on 'socket'), so counting it loses nothing.
    releaseBuffersOf(req);
  };

  const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void => {
    const status = proxyRes.statusCode ?? 0;
    // Node consumes 100, 102 and 103 itself; any other status below 200 here is not a final answer.
    if (status < 200) {
      proxyRes.destroy();
      return onError(upstreamBadResponse(status), req, res);
    }
    try {
      res.writeHead(status, filterResponse(proxyRes.headers));
    } catch (err) {
      // A header value Node refuses to write (invalid characters from the upstream).
      proxyRes.destroy();
      return onError(err, req, res);
    }
    // SSE: headers go out now, not with the first event, so clients see the stream open at once.
    if (isEventStream(proxyRes.headers)) res.flushHeaders();
    proxyRes.pipe(res);
    releaseBuffersOf(proxyRes);
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
      log('error', 'upstream_failed', {
        id: plans.get(req)?.id,
        method: req.method,
        path: pathOf(req),
        code: failure.code,
        cause: (err as { code?: unknown }).code,
      });
    }
    sendError(res, failure);
  };

  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: config.target.href,
    changeOrigin: true,
    xfwd: false,
    // Skips http-proxy's url.parse of the request target: onProxyReq writes the path itself.
    toProxy: true,
    agent: upstream.agent,
    selfHandleResponse: true,
    // hpm's default plugins map ECONNREFUSED to 504 and log full URLs; ours is the one plugin.
    ejectPlugins: true,
    plugins: [
      (proxyServer) => {
        proxyServer.on('proxyReq', onProxyReq);
        proxyServer.on('proxyRes', onProxyRes);
        proxyServer.on('error', (err, req, res) => onError(err, req, res as ServerResponse));
      },
    ],
  });

  return (req, res, next) => {
    const id = platform.requestIdHeader ? req.headers[platform.requestIdHeader] : undefined;
    plans.set(req, {
      path: basePath + (req.url ?? '/'),
      framing: requestFraming(req.headers),
      id: typeof id === 'string' ? id : undefined,
    });
    req.headers = filterRequest(req.headers);
    upstream.dropStale();
    void proxy(req, res, next);
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
