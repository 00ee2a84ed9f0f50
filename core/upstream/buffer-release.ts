import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * Node reads every socket into a fresh 64 KB buffer. Once written on, each is garbage that only a GC frees,
 * and V8 collects on JS-heap pressure, not on the memory such buffers hold outside the heap: a 200 MB
 * upload through a plain Node proxy grows RSS by ~40 MB before V8 notices (docs/benchmarks.md). A minor
 * GC after every few MB streamed frees them while they are young, for a fraction of a millisecond.
 */
const STREAMED_PER_GC = 4 * 1024 * 1024;

/** Bodies known to be smaller are left alone: a JSON request is not worth a listener. */
const LARGE_BODY = 1024 * 1024;

type MinorGc = (minor: true) => void;
let minorGc: MinorGc | null | undefined;
let streamed = 0;

/**
 * V8's `gc`, exposed on first need rather than by `--expose-gc` at start, which would cost every idle
 * instance 0.4 MB for a function only large bodies use (the way jest's leak detector gets it). null when
 * this runtime refuses.
 */
function exposedGc(): MinorGc | null {
  if (minorGc !== undefined) return minorGc;
  try {
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    minorGc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as MinorGc;
  } catch {
    minorGc = null;
  }
  return minorGc;
}

function count(chunk: Buffer): void {
  streamed += chunk.length;
  if (streamed < STREAMED_PER_GC) return;
  streamed = 0;
  exposedGc()?.(true);
}

/**
 * Counts a body toward the next minor GC if it is large or of unknown length: `length` is its
 * Content-Length, undefined for a chunked or close-delimited body, null for none. Call once the body is
 * already piped, never before: a 'data' listener starts the flow.
 */
export function releaseBuffersOf(body: Readable, length: string | null | undefined): void {
  if (length === null || (length !== undefined && Number(length) < LARGE_BODY)) return;
  body.on('data', count);
}

/** An upstream answer's body length for releaseBuffersOf (neither header: no body worth counting). */
export function bodyLengthOf({ headers }: IncomingMessage): string | null | undefined {
  const { 'content-length': length, 'transfer-encoding': chunked } = headers;
  return length ?? (chunked === undefined ? null : undefined);
}
