import fc from 'fast-check';
import { JsonText, jsonNumber, jsonString } from '../../../core/logs/json-text';

/** Any UTF-16 text: lone and paired surrogates, control characters, quotes and backslashes included. */
const anyText = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.constantFrom(0x22, 0x5c, 0x0a, 0x00, 0x1f, 0x7f, 0x2028, 0xd800, 0xdc00),
    ),
    { maxLength: 40 },
  )
  .map((codes) => String.fromCharCode(...codes));

/** A duration as the request line holds it: milliseconds rounded to a tenth (logs/request-log.ts `ms`). */
const tenths = fc.double({ min: 0, max: 1e9, noNaN: true }).map((n) => Math.round(n * 10) / 10);

// Guards the request line written by hand (logs/request-log.ts): each piece must be the text JSON.stringify
// writes, or log collectors (CLS, SLS) would read a different value, or no JSON at all.
describe('jsonString', () => {
  it('writes any string as JSON.stringify does', () => {
    fc.assert(
      fc.property(anyText, (s) => jsonString(s) === JSON.stringify(s)),
      { numRuns: 5000 },
    );
  });

  it.each(['', 'plain', 'a"b', 'back\\slash', 'line\nbreak', '\u0000', '\ud83d\ude00', '\ud800', 'é…'])(
    'writes %j as JSON.stringify does',
    (s) => expect(jsonString(s)).toBe(JSON.stringify(s)),
  );
});

describe('jsonNumber', () => {
  it('writes durations, integers and any double as JSON.stringify does', () => {
    const numbers = fc.oneof(tenths, fc.integer(), fc.double(), fc.maxSafeInteger());
    fc.assert(
      fc.property(numbers, (n) => jsonNumber(n) === JSON.stringify(n)),
      { numRuns: 20000 },
    );
  });

  it.each([0, -0, 0.1, 1.5, 2.3, 12.7, 99.9, 100, 1e21, -1.5, 0.05, NaN, Infinity, -Infinity])(
    'writes %p as JSON.stringify does',
    (n) => expect(jsonNumber(n)).toBe(JSON.stringify(n)),
  );
});

describe('JsonText', () => {
  it('is seen by JSON.stringify as the value it stands for', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        return JSON.stringify({ v: new JsonText(text) }) === JSON.stringify({ v: JSON.parse(text) });
      }),
    );
  });
});
