import type { ClientRequest, IncomingHttpHeaders } from 'node:http';

/**
 * How a request body is delimited. Decided once per request from what Node's parser used, and the one
 * source of the upstream request's `Content-Length` / `Transfer-Encoding`: no client header can add or
 * remove framing, because neither header is ever copied (request-headers.ts); applyFraming writes them.
 */
export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: string }
  /** `codings`: the client's transfer codings, ending in chunked (`gzip, chunked`): the body stays coded. */
  | { kind: 'chunked'; codings: string };

const NONE: Framing = { kind: 'none' };
const CHUNKED: Framing = { kind: 'chunked', codings: 'chunked' };

/**
 * The framing Node's parser (llhttp) applied to this request. It rejects a non-blank Transfer-Encoding
 * next to a Content-Length, and one whose last coding is not `chunked`, so a request that got this far
 * with a non-blank Transfer-Encoding was read as chunked. A blank one (`Transfer-Encoding: `) is ignored by
 * the parser, which then frames by Content-Length (RFC 9112 §6.3 wants only one of them forwarded).
 * Needs every header line: the server sets maxHeadersCount to 0 (edge/server.ts).
 */
export function requestFraming(headers: IncomingHttpHeaders): Framing {
  const te = headers['transfer-encoding'];
  if (te !== undefined && /[^\s,]/.test(te)) {
    // Node's parser removed the chunked coding only; a `gzip` before it still applies to the body's bytes,
    // so it goes upstream with them (Node's client chunks again whenever the value ends in chunked).
    const codings = te
      .split(',')
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== '');
    return codings.length === 1 ? CHUNKED : { kind: 'chunked', codings: codings.join(', ') };
  }
  const length = headers['content-length'];
  if (length === undefined) return NONE;
  // The parser accepted only digits; leading zeros are dropped so the upstream sees a canonical length.
  return { kind: 'length', length: length.trim().replace(/^0+(?=\d)/, '') };
}

/**
 * Writes `framing` onto the outgoing request, replacing whatever http-proxy derived (its `deleteLength`
 * pass gives DELETE/OPTIONS a `Content-Length: 0`). Node's client chunks the body only when told to and
 * never adds a length for GET, so without this a body could go onto a pooled socket unframed: the upstream
 * would read it as the next request (request smuggling). Returns false when it is too late (headers
 * already written), and the caller must then not send the request.
 */
export function applyFraming(proxyReq: ClientRequest, framing: Framing): boolean {
  if (proxyReq.headersSent) return false;
  proxyReq.removeHeader('content-length');
  proxyReq.removeHeader('transfer-encoding');
  if (framing.kind === 'length') proxyReq.setHeader('content-length', framing.length);
  else if (framing.kind === 'chunked') proxyReq.setHeader('transfer-encoding', framing.codings);
  return true;
}

/** The body's length for releaseBuffersOf: its Content-Length, undefined when chunked, null when none. */
export function framedLength(framing: Framing): string | null | undefined {
  return framing.kind === 'length' ? framing.length : framing.kind === 'chunked' ? undefined : null;
}
