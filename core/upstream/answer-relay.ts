import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnswerTap } from '../logs/answer-tap';

/**
 * Writes an upstream answer to the client chunk by chunk, handing each chunk to the log's tap on the way,
 * and ends it when the upstream's body ends. In place of `proxyRes.pipe(res)` plus the tap's own listeners:
 * on every request's path, two listeners do what pipe's seven and the tap's two did, and nothing is removed
 * at the end. Backpressure as pipe has it: a full client socket pauses the upstream until it drains.
 *
 * What pipe's other listeners covered is handled elsewhere: the client gone (its answer closes) aborts the
 * upstream request (upstream/hang-up.ts), and an upstream cut mid-body breaks the answer off
 * (upstream/proxy.ts). After either, nothing more is written: a write to an ended answer would be an
 * 'error' event with no listener.
 */
export function relayAnswer(proxyRes: IncomingMessage, res: ServerResponse, tap: AnswerTap): void {
  proxyRes.on('data', (chunk: Buffer) => {
    tap.chunk(chunk);
    if (res.writableEnded || res.destroyed) return;
    if (!res.write(chunk)) {
      proxyRes.pause();
      res.once('drain', () => proxyRes.resume());
    }
  });
  proxyRes.on('end', () => {
    if (!res.writableEnded) res.end();
    tap.end();
  });
}
