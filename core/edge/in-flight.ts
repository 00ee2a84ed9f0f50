import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Answers started and not yet closed, per client connection (pipelined requests queue theirs). */
const perSocket = new WeakMap<Socket, number>();
/** Every answer not yet closed, for the end of a shutdown's grace. */
const open = new Set<ServerResponse>();

/** Counts `res` as in progress until it closes, then calls `onClose`. */
export function trackAnswer(req: IncomingMessage, res: ServerResponse, onClose: () => void): void {
  const socket = req.socket;
  perSocket.set(socket, (perSocket.get(socket) ?? 0) + 1);
  open.add(res);
  res.once('close', () => {
    perSocket.set(socket, (perSocket.get(socket) ?? 1) - 1);
    open.delete(res);
    onClose();
  });
}

/**
 * Is an answer being written on this connection? Then nothing else may be written to it: an error
 * answer would land inside that answer's bytes (Node's own clientError handler checks this too).
 */
export function answerInProgress(socket: Socket): boolean {
  return (perSocket.get(socket) ?? 0) > 0;
}

/** The answers still open now. */
export function openAnswers(): ServerResponse[] {
  return [...open];
}
