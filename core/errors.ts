import type { ServerResponse } from 'node:http';
import { breakAnswer } from './edge/broken-answer';
import { stampOwnAnswer } from './edge/request-id';

/** The `error.type` values of oxy's own answers: OpenAI's where one fits, else `proxy_error`/`config_error`. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'rate_limit_error'
  | 'proxy_error'
  | 'config_error';

/**
 * The one error class of oxy. `code` is a stable string that callers (and SDK users reading
 * `error.code`) can rely on; `message` never contains a secret or an upstream address.
 */
export class OxyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    readonly type: ErrorType = 'proxy_error',
  ) {
    super(message);
    this.name = 'OxyError';
  }
}

/** OpenAI's error body, so SDKs surface our own answers the way they surface the API's. */
export function errorBody(err: OxyError): string {
  return JSON.stringify({ error: { message: err.message, type: err.type, code: err.code } });
}

/**
 * Answers with `err` in OpenAI's shape if the response can still carry an answer. One that has started
 * cannot: it is broken off visibly (an SSE stream gets a final error event, then every kind a reset), so
 * the client sees a failure rather than a short answer. One that has ended is left alone.
 */
export function sendError(res: ServerResponse, err: OxyError): void {
  if (res.writableEnded) return;
  if (res.headersSent || res.destroyed) return breakAnswer(res, err);
  stampOwnAnswer(res);
  const body = errorBody(err);
  res.writeHead(err.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
