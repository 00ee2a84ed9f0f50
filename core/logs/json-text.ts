/**
 * Pieces of JSON written by hand on the request line's path (logs/request-log.ts), each the exact text
 * JSON.stringify would write for the same value: a test holds them to it (test/unit/logs/json-text.test.ts).
 */

/** What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON. Nearly every value needs no escape: one regex test instead of JSON's char-by-char copy. */
export function jsonString(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * A number as JSON. Durations have one decimal (logs/request-log.ts `ms`): written from integers, they
 * skip V8's double-to-text conversion, which costs ten times an integer's.
 */
export function jsonNumber(n: number): string {
  if (Number.isInteger(n)) return `${n}`;
  const tenths = Math.round(n * 10);
  if (tenths > 0 && tenths <= Number.MAX_SAFE_INTEGER && tenths / 10 === n) {
    const digit = tenths % 10;
    return `${(tenths - digit) / 10}.${digit}`;
  }
  return Number.isFinite(n) ? `${n}` : 'null';
}

/**
 * JSON text already checked to be valid and on one line, written into a log line as it is, where
 * parsing it only to write it again would cost more than the rest of the line. JSON.stringify (another
 * logger, a test's) sees the value it stands for.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}
