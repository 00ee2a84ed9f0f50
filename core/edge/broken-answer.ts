import type { ServerResponse } from 'node:http';
import { type OxyError, errorBody } from '../errors';
import { resetConnection } from './connection-reset';

/** Answers that are server-sent event streams (marked by upstream/proxy.ts when their headers go out). */
const streams = new WeakSet<ServerResponse>();
const broken = new WeakSet<ServerResponse>();

/** How long the final error event may take to reach the socket before the reset goes anyway. */
const FLUSH_MS = 1000;

export function markEventStream(res: ServerResponse): void {
  streams.add(res);
}

/**
 * Ends an answer that has started and cannot be completed, so no client takes it for complete: an SSE
 * stream first gets a final `event: error` whose data is OpenAI's error shape (the official SDKs raise it
 * as an APIError with its message), then the connection is reset (TCP RST), as every other kind is.
 */
export function breakAnswer(res: ServerResponse, err: OxyError): void {
  if (broken.has(res)) return;
  broken.add(res);
  if (!streams.has(res) || res.destroyed || res.writableEnded) return resetConnection(res);
  const timer = setTimeout(() => resetConnection(res), FLUSH_MS);
  res.write(`event: error\ndata: ${errorBody(err)}\n\n`, () => {
    clearTimeout(timer);
    // The event is with the kernel now; let it leave before the reset discards the send queue.
    setImmediate(() => resetConnection(res));
  });
}
