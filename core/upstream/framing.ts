import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { OxyError } from '../errors';

/**
 * Keeps a chunked request body framed as chunked. Node's server has decoded the incoming chunks and
 * Node's client re-encodes them only when the outgoing request says `Transfer-Encoding: chunked`; without
 * it a body on GET would be written unframed onto a pooled upstream connection, where the upstream reads
 * it as the next request (request smuggling).
 */
export function keepChunkedFraming(headers: IncomingHttpHeaders): void {
  if (headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
}

/**
 * http-proxy's `deleteLength` pass gives every DELETE or OPTIONS request without Content-Length a
 * `Content-Length: 0` and drops its Transfer-Encoding, yet still pipes the body: a chunked body would
 * reach the upstream connection as a second, smuggled request. Such a request is refused instead.
 */
export function unframedBodyRefusal(req: IncomingMessage): OxyError | undefined {
  const { method, headers } = req;
  if ((method !== 'DELETE' && method !== 'OPTIONS') || headers['transfer-encoding'] === undefined) return;
  return new OxyError(
    'chunked_body_not_supported',
    `A ${method} request body must be sent with Content-Length, not chunked.`,
    400,
    'invalid_request_error',
  );
}
