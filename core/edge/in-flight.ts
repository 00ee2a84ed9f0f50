import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Answers started and not yet closed, per client connection (pipelined requests queue theirs). */
const open = new WeakMap<Socket, number>();

/** Counts `res` as in progress on its connection until it closes. */
export function trackAnswer(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  open.set(socket, (open.get(socket) ?? 0) + 1);
  res.once('close', () => open.set(socket, (open.get(socket) ?? 1) - 1));
}

/**
 * Is an answer being written on this connection? Then nothing else may be written to it: an error
 * answer would land inside that answer's bytes (Node's own clientError handler checks this too).
 */
export function answerInProgress(socket: Socket): boolean {
  return (open.get(socket) ?? 0) > 0;
}
