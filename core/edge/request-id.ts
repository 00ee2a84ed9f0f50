import type { ServerResponse } from 'node:http';

/**
 * The request id of each answer, returned to the client as `x-oxy-request-id`. Kept aside rather than
 * set with setHeader at once: a header set early sends Node's writeHead down its slower merging path on
 * every proxied answer, which adds it to its own header object instead (upstream/answer-headers.ts).
 * A symbol-keyed field rather than a WeakMap: an entry per answer in a WeakMap is extra work for every GC.
 */
const ID = Symbol('oxy.requestId');

type WithId = ServerResponse & { [ID]?: string };

export function rememberRequestId(res: ServerResponse, id: string): void {
  (res as WithId)[ID] = id;
}

export function requestIdOf(res: ServerResponse): string | undefined {
  return (res as WithId)[ID];
}

/** Sets the header on an answer oxy makes itself (an error, a health check, a preflight). */
export function stampRequestId(res: ServerResponse): void {
  const id = (res as WithId)[ID];
  if (id !== undefined && !res.headersSent) res.setHeader('x-oxy-request-id', id);
}
