import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
// The factory alone: the package index also loads response interceptors (zlib, querystring) oxy never uses.
import { createProxyMiddleware } from 'http-proxy-middleware/dist/factory';
import { unframedBodyRefusal } from './framing';
import { releaseBuffersOf } from './buffer-release';
import type { Config } from '../config';
import { sendError } from '../errors';
import type { Logger } from '../logger';
import type { Platform } from '../platform';
import { requestHeaderFilter } from '../headers/request-headers';
import { isEventStream, responseHeaderFilter } from '../headers/response-headers';
import { upstreamAgent } from './agent';
import { upstreamFailure, upstreamTimeout } from './failures';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The proxy handler: filters the request, hands it to http-proxy-middleware, streams the answer back. */
export function createProxy(config: Config, platform: Platform, log: Logger): Handler {
  const filterRequest = requestHeaderFilter([
    ...config.hopHeaderPrefixes,
    ...(platform.credentialHeaderPrefixes ?? []),
  ]);
  const filterResponse = responseHeaderFilter(platform.forbiddenResponseHeaders);
  const requestIds = new WeakMap<IncomingMessage, string>();
  const timeoutMs = config.upstreamTimeoutMs;
  const upstream = upstreamAgent(config.target);

  const onProxyReq = (proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void => {
    proxyReq.setTimeout(timeoutMs, () => proxyReq.destroy(upstreamTimeout(timeoutMs)));
    abortOnHangUp(proxyReq, req, res);
    // http-proxy has piped the body by now ('proxyReq' comes on 'socket'), so counting it loses nothing.
    releaseBuffersOf(req);
  };

  const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void => {
    try {
      res.writeHead(proxyRes.statusCode ?? 502, filterResponse(proxyRes.headers));
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
      if (!proxyRes.complete) res.destroy();
    };
    proxyRes.once('error', resetIfCut);
    proxyRes.once('close', resetIfCut);
  };

  const onError = (err: unknown, req: IncomingMessage, res: ServerResponse): void => {
    const failure = upstreamFailure(err);
    if (!req.socket.destroyed) {
      log('error', 'upstream_failed', {
        id: requestIds.get(req),
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
    if (typeof id === 'string') requestIds.set(req, id);
    const refusal = unframedBodyRefusal(req);
    if (refusal) return sendError(res, refusal);
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
