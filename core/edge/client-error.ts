import type { Socket } from 'node:net';
import { OxyError, errorBody } from '../errors';
import { answerInProgress } from './in-flight';

/**
 * Answers a request Node could not parse (bad framing, oversized headers) with a 4xx in OpenAI's shape
 * instead of Node's bare `400 Bad Request`, then closes the connection as Node would. While another answer
 * is being written on the connection (bad bytes pipelined after a good request), the connection is only
 * destroyed: a status line written now would land inside that answer.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable || answerInProgress(socket)) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = errorBody(
    new OxyError(
      tooLarge ? 'headers_too_large' : 'malformed_request',
      tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP/1.1.',
      status,
      'invalid_request_error',
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
