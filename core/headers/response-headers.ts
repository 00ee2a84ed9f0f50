import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { HOP_BY_HOP, type HeaderRule, copyHeaders, headerMatcher } from './header-rules';

/** Is this an SSE response, which must reach the client chunk by chunk? */
export function isEventStream(headers: IncomingHttpHeaders): boolean {
  return /^\s*text\/event-stream\b/i.test(headers['content-type'] ?? '');
}

/**
 * Marks an SSE response as not to be cached or buffered by anything between us and the client, and
 * lets Node frame it as chunked (a length would make FC buffer it: help.aliyun.com/zh/fc/support/sse).
 */
export function markEventStream(headers: OutgoingHttpHeaders): void {
  delete headers['content-length'];
  headers['cache-control'] = 'no-cache';
  headers['x-accel-buffering'] = 'no';
}

/**
 * Builds the response-header filter. `dropped` names headers that must not reach the client (those the
 * platform rejects in a response, those oxy sets itself). Transfer-Encoding goes too: Node frames the body
 * it writes itself.
 */
export function responseHeaderFilter(
  ...dropped: (HeaderRule | undefined)[]
): (upstream: IncomingHttpHeaders) => OutgoingHttpHeaders {
  const drop = headerMatcher(
    { names: [...HOP_BY_HOP, 'transfer-encoding'] },
    ...dropped.filter((r) => r !== undefined),
  );
  return (upstream) => {
    const headers: OutgoingHttpHeaders = copyHeaders(upstream, drop);
    if (isEventStream(upstream)) markEventStream(headers);
    return headers;
  };
}
