import type { ServerResponse } from 'node:http';

/**
 * The request id of each answer, returned to the client as `x-oxy-request-id`. Kept aside rather than
 * set with setHeader at once: a header set early sends Node's writeHead down its slower merging path on
 * every proxied answer, which adds it to its own header object instead (upstream/answer-headers.ts).
 */
const ids = new WeakMap<ServerResponse, string>();

export function rememberRequestId(res: ServerResponse, id: string): void {
  ids.set(res, id);
}

export function requestIdOf(res: ServerResponse): string | undefined {
  return ids.get(res);
}

/** Sets the header on an answer oxy makes itself (an error, a health check, a preflight). */
export function stampRequestId(res: ServerResponse): void {
  const id = ids.get(res);
  if (id !== undefined && !res.headersSent) res.setHeader('x-oxy-request-id', id);
}
