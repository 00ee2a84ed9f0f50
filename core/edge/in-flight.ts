import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { workDone, workStarted } from '../logger';
import { OpenList } from '../open-list';

/**
 * Answers started and not yet closed on a client connection (pipelined requests queue theirs). A
 * symbol-keyed field of the socket rather than a WeakMap entry, which every GC would have to visit.
 */
const OPEN = Symbol('oxy.openAnswers');

type Counted = Socket & { [OPEN]?: number };

/** Every answer not yet closed, for the end of a shutdown's grace. */
const open = new OpenList<ServerResponse>();

/** Counts `res` as in progress until it closes, then calls `onClose` (logger.ts `workDone` after it). */
export function trackAnswer(req: IncomingMessage, res: ServerResponse, onClose: () => void): void {
  const socket = req.socket as Counted;
  socket[OPEN] = (socket[OPEN] ?? 0) + 1;
  open.add(res);
  workStarted();
  // 'close' comes once: `on` spares the wrapper `once` makes.
  res.on('close', () => {
    socket[OPEN] = (socket[OPEN] ?? 1) - 1;
    open.delete(res);
    try {
      onClose();
    } finally {
      // After onClose, which writes the request's log line: the last answer's line goes out before a freeze.
      workDone();
    }
  });
}

/**
 * Is an answer being written on this connection? Then nothing else may be written to it: an error
 * answer would land inside that answer's bytes (Node's own clientError handler checks this too).
 */
export function answerInProgress(socket: Socket): boolean {
  return ((socket as Counted)[OPEN] ?? 0) > 0;
}

/** The answers still open now. */
export function openAnswers(): ServerResponse[] {
  return open.all();
}
