import { ValueError } from './config/values';
import { jsonString } from './logs/json-text';

export type LogLevel = 'error' | 'info' | 'debug';

const RANK: Record<LogLevel | 'warn', number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * One JSON line per event. Callers pass only fields that are safe to keep in platform logs: never a
 * header value, a query string or a body, where keys and tokens travel.
 */
export type Logger = (
  level: 'debug' | 'info' | 'warn' | 'error',
  event: string,
  fields?: Record<string, unknown>,
) => void;

/** The last line's time, reused within the same millisecond. */
let timeMs = NaN;
let timeText = '';
/** `YYYY-MM-DDTHH:MM:SS.` of the current second: toISOString costs more than the rest of a line. */
let secondMs = NaN;
let secondText = '';

/** `new Date().toISOString()`, made from the second's text and the milliseconds. */
export function isoNow(now = Date.now()): string {
  if (now === timeMs) return timeText;
  const ms = now % 1000;
  const second = now - ms;
  if (second !== secondMs) {
    secondMs = second;
    secondText = new Date(second).toISOString().slice(0, 20);
  }
  timeMs = now;
  timeText = `${secondText}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  return timeText;
}

/**
 * Info and debug lines waiting for the next write to stdout, as UTF-8, each written in when it is made: a
 * string of hundreds of lines joined would be measured and encoded again at the write, which costs three
 * times this. Made with the first line; a new one after each write, which may still be in flight.
 */
let pending: Buffer | undefined;
let pendingBytes = 0;
let scheduled = false;

/** Bytes of lines written to stdout at once at most; UTF-8 takes at most 3 bytes per UTF-16 unit. */
const PENDING_LIMIT = 64 * 1024;

/**
 * How long an info line may wait to be written with the ones after it, while other answers are in progress
 * (`workDone`: the last one's line goes at once). Under load this makes one write for hundreds of lines; a
 * write per turn of the event loop was still one per request or two.
 */
const FLUSH_MS = 10;

/** Writes the waiting lines in one go; also run at exit, so no line is lost. */
export function flushLogs(): void {
  scheduled = false;
  if (pending === undefined || pendingBytes === 0) return;
  const lines = pending.subarray(0, pendingBytes);
  pending = undefined;
  pendingBytes = 0;
  process.stdout.write(lines);
}

/** Answers and WebSocket sessions in progress (edge/in-flight.ts, realtime/upgrade.ts). */
let working = 0;

/** How many answers and WebSocket sessions are in progress. */
export function workInProgress(): number {
  return working;
}

/** An answer or a WebSocket session starts: until it is done, its log lines may wait for a batch. */
export function workStarted(): void {
  working++;
}

/**
 * An answer or session is done, its log line written. When it was the last, the waiting lines are written at
 * once: both platforms freeze an instance once it has processed its requests, and destroy it after minutes
 * idle (SCF: tencentcloud.com/document/product/583/69578; FC: help.aliyun.com/zh/functioncompute/fc-3-0/
 * processes-not-executed). In a frozen instance the batch's timer cannot fire: the lines would wait for the
 * next request to thaw it, or go with the instance.
 */
export function workDone(): void {
  working = working > 0 ? working - 1 : 0;
  if (working === 0) flushLogs();
}

/**
 * A field set that writes its own JSON: the text JSON.stringify would make of it, without the braces. The
 * request line (logs/request-log.ts), on every request's path, writes itself faster than JSON.stringify,
 * whose char-by-char copy of every string costs more than all the rest of the line.
 */
export const OWN_JSON = Symbol('oxy.ownJson');

// A method's signature, so that each field set's writer may take its own type of fields.
type Fields = Record<string, unknown> & { [OWN_JSON]?(fields: Record<string, unknown>): string };

/** One event as one line of JSON, newline included. */
export function logLine(level: string, event: string, fields?: Fields): string {
  const own = fields?.[OWN_JSON];
  const rest =
    fields === undefined ? '' : own !== undefined ? own(fields) : JSON.stringify(fields).slice(1, -1);
  return `{"time":"${isoNow()}","level":"${level}","event":${jsonString(event)}${rest === '' ? '' : ','}${rest}}\n`;
}

/**
 * Stdout for info and debug, stderr for warnings and errors: the platforms collect both (SCF → CLS, FC → SLS).
 * Stdout gets one write per FLUSH_MS rather than a system call per line. Warnings and errors are written
 * at once.
 */
export const jsonLogger: Logger = (level, event, fields) => {
  const line = logLine(level, event, fields);
  if (RANK[level] <= RANK.warn) return void process.stderr.write(line);
  if (line.length * 3 > PENDING_LIMIT - pendingBytes) {
    flushLogs();
    // A line longer than the whole batch (a chat log's, say) goes on its own.
    if (line.length * 3 > PENDING_LIMIT) return void process.stdout.write(line);
  }
  pending ??= Buffer.allocUnsafe(PENDING_LIMIT);
  pendingBytes += pending.write(line, pendingBytes);
  if (!scheduled) {
    scheduled = true;
    // unref'd: waiting lines never keep the process up; the exit handler writes them.
    setTimeout(flushLogs, FLUSH_MS).unref();
  }
};
process.once('exit', flushLogs);

/** `log` without the levels above `threshold`; warnings (something an operator must fix) always pass. */
export function leveled(log: Logger, threshold: LogLevel): Logger {
  const max = RANK[threshold];
  return (level, event, fields) => {
    if (level === 'warn' || RANK[level] <= max) log(level, event, fields);
  };
}

export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase();
  if (level !== 'error' && level !== 'info' && level !== 'debug')
    throw new ValueError('error, info or debug');
  return level;
}
