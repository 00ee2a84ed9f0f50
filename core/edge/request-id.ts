import type { ServerResponse } from 'node:http';
import { nowMs } from '../clock';
import { jsonNumber } from '../logs/json-text';
import { ms } from '../logs/request-log';

/**
 * The request id of each answer, returned to the client as `x-oxy-request-id`, and the request's arrival,
 * for the Server-Timing of an answer oxy makes itself. Kept aside rather than set with setHeader at once: a
 * header set early sends Node's writeHead down its slower merging path on every proxied answer, which adds
 * them to its own header object instead (upstream/answer-headers.ts). Symbol-keyed fields rather than a
 * WeakMap: an entry per answer in a WeakMap is extra work for every GC.
 */
const ID = Symbol('oxy.requestId');
const ARRIVED = Symbol('oxy.arrived');

type Remembered = ServerResponse & { [ID]?: string; [ARRIVED]?: number };

export function rememberRequest(res: ServerResponse, id: string, arrived: number): void {
  (res as Remembered)[ID] = id;
  (res as Remembered)[ARRIVED] = arrived;
}

export function requestIdOf(res: ServerResponse): string | undefined {
  return (res as Remembered)[ID];
}

/**
 * Sets the headers every answer oxy makes itself carries (an error, a health check, a preflight): its
 * request id, and a Server-Timing with oxy's time alone. No `upstream` entry, since no upstream answered:
 * that is how a client tells oxy's 401 from the upstream's.
 */
export function stampOwnAnswer(res: ServerResponse): void {
  if (res.headersSent) return;
  const { [ID]: id, [ARRIVED]: arrived } = res as Remembered;
  if (id !== undefined) res.setHeader('x-oxy-request-id', id);
  if (arrived !== undefined) res.setHeader('server-timing', `oxy;dur=${jsonNumber(ms(nowMs() - arrived))}`);
}
