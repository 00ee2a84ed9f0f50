import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { workDone, workStarted } from '../logger';

/**
 * Answers started and not yet closed on a client connection (pipelined requests queue theirs). A
 * symbol-keyed field of the socket rather than a WeakMap entry, which every GC would have to visit.
 */
const OPEN = Symbol('oxy.openAnswers');

type Counted = Socket & { [OPEN]?: number };

/** Where an open answer sits in `open`, so that closing it takes no search. */
const SLOT = Symbol('oxy.openSlot');

type Listed = ServerResponse & { [SLOT]?: number };

/**
 * Every answer not yet closed, for the end of a shutdown's grace: an array where a closed answer's slot
 * takes the last one, not a Set. V8 rebuilds a Set's hash table as entries come and go, leaving the old
 * table its entries and a link to the new one, and makes the new one in the old generation if the old was
 * there (`OrderedHashTable::Rehash`, deps/v8/src/objects/ordered-hash-table.cc). Once the Set's table had
 * been promoted, every table it left behind held its answers, and minor GCs keep what the old generation
 * points to: each closed answer survived with its whole request until a full GC. Under load that came on
 * at random and stayed: 2 MB of dead requests promoted per scavenge, each 5 ms instead of 0.6, a full GC
 * every half second (docs/design.md). An array's old storage links to nothing newer.
 */
const open: Listed[] = [];

function list(res: Listed): void {
  res[SLOT] = open.length;
  open.push(res);
}

function unlist(res: Listed): void {
  const slot = res[SLOT]!;
  const last = open.pop()!;
  if (last === res) return;
  open[slot] = last;
  last[SLOT] = slot;
}

/** Counts `res` as in progress until it closes, then calls `onClose` (logger.ts `workDone` after it). */
export function trackAnswer(req: IncomingMessage, res: ServerResponse, onClose: () => void): void {
  const socket = req.socket as Counted;
  socket[OPEN] = (socket[OPEN] ?? 0) + 1;
  list(res);
  workStarted();
  // 'close' comes once: `on` spares the wrapper `once` makes.
  res.on('close', () => {
    socket[OPEN] = (socket[OPEN] ?? 1) - 1;
    unlist(res);
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
  return [...open];
}
