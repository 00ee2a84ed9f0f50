import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, OWN_JSON } from '../logger';
import { type JsonText, jsonNumber, jsonString } from './json-text';
import type { Exchange } from '../step';
import { nowMs } from '../clock';
import { decodedOrAsIs } from '../uri-decode';

/** Query parameter names that carry secrets: keys, tokens, signatures, credentials, passwords, sessions. */
const SECRET_NAME = /key|token|secret|sig|credential|password|passwd|auth|session/i;

/**
 * The path with the values of secret-carrying query parameters replaced by `***`. Names are read decoded
 * (`?k%65y=` is `key` to the upstream too), pairs split at `&` and `;`, and a value without a name
 * (`?sk-…`) counts as secret.
 */
export function redactedPath(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const pairs = url.slice(query + 1).split(/([&;])/);
  for (let i = 0; i < pairs.length; i += 2) {
    const pair = pairs[i]!;
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq === -1) pairs[i] = '***';
    else if (SECRET_NAME.test(decodedOrAsIs(pair.slice(0, eq)))) pairs[i] = `${pair.slice(0, eq + 1)}***`;
  }
  return `${url.slice(0, query + 1)}${pairs.join('')}`;
}

/** The path as a log line shows it: without its query when that may hold a proxy key (access/proxy-keys.ts). */
export function loggedPath(url: string, ex: Exchange): string {
  if (!ex.queryHidden) return redactedPath(url);
  const query = url.indexOf('?');
  return query === -1 ? url : `${url.slice(0, query)}?***`;
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
    path: loggedPath(req.url ?? '', ex),
    route: ex.route ? ex.route.prefix || '/' : undefined,
    // Node's default 200 until an answer starts: a client that left before one got no status.
    status: res.headersSent ? res.statusCode : undefined,
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
  status?: number;
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
    `${number('status', f.status)},"complete":${f.complete}${number('upstreamStatus', f.upstreamStatus)}` +
    `${text('upstreamRequestId', f.upstreamRequestId)}${number('upstreamHeadersMs', f.upstreamHeadersMs)}` +
    `,"durationMs":${jsonNumber(f.durationMs)}${number('bytesIn', f.bytesIn)}${number('bytesOut', f.bytesOut)}` +
    `${flag('stream', f.stream)}${text('clientIp', f.clientIp)}${text('proxyKey', f.proxyKey)}` +
    `${text('poolKey', f.poolKey)}${f.usage === undefined ? '' : `,"usage":${f.usage.text}`}`
  );
}
