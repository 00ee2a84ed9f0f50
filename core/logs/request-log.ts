import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import type { Exchange } from '../step';
import { nowMs } from '../clock';

/** Query parameters that carry keys (Gemini's `?key=`, some gateways' `api_key`, tokens). */
const SECRET_PARAM = /([?&](?:key|api[-_]?key|access_token|token|sig|signature)=)[^&#]*/gi;

/** The path with key-carrying query values replaced by `***`. */
export function redactedPath(url: string): string {
  return url.includes('=') ? url.replace(SECRET_PARAM, '$1***') : url;
}

/** Milliseconds to one decimal, as every duration in the logs and Server-Timing is given. */
export const ms = (n: number): number => Math.round(n * 10) / 10;

/**
 * One JSON line per request, written when its answer closes (SCF ships stdout to CLS, FC to SLS): who asked
 * for what, where it went, what came back, how long it took and what it cost in tokens. Never a header
 * value, a key (only fingerprints) or a body.
 */
export function logRequest(log: Logger, req: IncomingMessage, res: ServerResponse, ex: Exchange): void {
  const up = ex.upstream;
  log(req.url === '/healthz' ? 'debug' : 'info', 'request', {
    id: ex.id,
    method: req.method,
    path: redactedPath(req.url ?? ''),
    route: ex.route ? ex.route.prefix || '/' : undefined,
    status: res.statusCode,
    complete: res.writableFinished,
    upstreamStatus: up?.status,
    upstreamRequestId: up?.requestId,
    upstreamHeadersMs: up && ms(up.headersMs),
    durationMs: ms(nowMs() - ex.start),
    bytesIn: ex.bytesIn,
    bytesOut: up?.bytesOut,
    stream: up?.stream,
    clientIp: ex.clientIp,
    proxyKey: ex.proxyKey,
    poolKey: ex.poolKey?.fingerprint,
    usage: up?.usage,
  });
}
