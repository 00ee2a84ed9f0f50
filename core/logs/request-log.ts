import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, OWN_JSON } from '../logger';
import { type JsonText, jsonNumber, jsonString } from './json-text';
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
    [OWN_JSON]: requestJson,
  });
}

type RequestFields = {
  id: string;
  method?: string;
  path: string;
  route?: string;
  status: number;
  complete: boolean;
  upstreamStatus?: number;
  upstreamRequestId?: string;
  upstreamHeadersMs?: number;
  durationMs: number;
  bytesIn?: number;
  bytesOut?: number;
  stream?: boolean;
  clientIp?: string;
  proxyKey?: string;
  poolKey?: string;
  usage?: JsonText;
};

const text = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `,"${name}":${jsonString(value)}`;
const number = (name: string, value: number | undefined): string =>
  value === undefined ? '' : `,"${name}":${jsonNumber(value)}`;
const flag = (name: string, value: boolean | undefined): string =>
  value === undefined ? '' : `,"${name}":${value}`;

/** The request line's fields as JSON.stringify writes them (in their order, undefined ones left out). */
function requestJson(f: RequestFields): string {
  return (
    `"id":${jsonString(f.id)}${text('method', f.method)},"path":${jsonString(f.path)}${text('route', f.route)}` +
    `,"status":${jsonNumber(f.status)},"complete":${f.complete}${number('upstreamStatus', f.upstreamStatus)}` +
    `${text('upstreamRequestId', f.upstreamRequestId)}${number('upstreamHeadersMs', f.upstreamHeadersMs)}` +
    `,"durationMs":${jsonNumber(f.durationMs)}${number('bytesIn', f.bytesIn)}${number('bytesOut', f.bytesOut)}` +
    `${flag('stream', f.stream)}${text('clientIp', f.clientIp)}${text('proxyKey', f.proxyKey)}` +
    `${text('poolKey', f.poolKey)}${f.usage === undefined ? '' : `,"usage":${f.usage.text}`}`
  );
}
