import { JsonText } from './json-text';

/** How much of an answer's end is searched for a plain usage object. */
const TAIL_BYTES = 2048;
const KEY = '"usage"';
const BACKSLASH = 0x5c;

// The usage objects providers write, as a grammar small enough for one regular expression: keys and
// strings of word characters and `.:/+-` (no escapes, no spaces), JSON numbers, true, false, null, nested
// objects of those, and arrays of those. OpenAI's chat and responses, Anthropic's and Gemini's usage all
// fit it. Every alternative starts with its own character and every repetition with a comma, so a match
// never backtracks far: the time is linear in the (bounded) text.
const STRING = '"[\\w.:/+-]*"';
const NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
const SCALAR = `(?:${STRING}|${NUMBER}|true|false|null)`;

/** `: {…}` after the key, the object captured; with `space`, JSON's whitespace between the tokens. */
function usageAfterKey(space: string): RegExp {
  const object = (value: string): string => {
    const member = `${STRING}${space}:${space}${value}${space}`;
    return `\\{${space}(?:${member}(?:,${space}${member})*)?\\}`;
  };
  const item = `(?:${SCALAR}|${object(SCALAR)})`;
  const value = `(?:${item}|\\[${space}(?:${item}${space}(?:,${space}${item}${space})*)?\\])`;
  // Sticky: the match must start right where the key ends.
  return new RegExp(`${space}:${space}(${object(value)})`, 'y');
}

/** Compact JSON, tried first: the shorter expression, and nothing to take out. */
const COMPACT = usageAfterKey('');
/** Pretty-printed JSON (OpenAI's answers). */
const SPACED = usageAfterKey('[ \\t\\n\\r]*');
const SPACES = /[ \t\n\r]+/g;

/**
 * The object under the last `"usage"` key of a JSON answer, read without JSON.parse, which costs more than
 * the rest of the request line together: found in the answer's last TAIL_BYTES (usage follows the content
 * in every provider's answer shape) and in the grammar above, which is a subset of JSON, so the text is
 * valid JSON as it stands; whitespace, never inside its strings, is taken out to keep it on one line.
 * Undefined when the answer is anything else (the key further back or inside a string, another shape, a
 * Gemini `usageMetadata`): the general reading (logs/usage-json.ts) decides those.
 */
export function plainUsage(body: Buffer): JsonText | undefined {
  const from = body.length > TAIL_BYTES ? body.length - TAIL_BYTES : 0;
  // One byte, one character: bytes above ASCII never match the grammar, and ASCII reads the same in UTF-8.
  const tail = body.toString('latin1', from);
  const at = tail.lastIndexOf(KEY);
  // At 0 the character before the key, which says whether it sits in a string (`\"usage\"`), is unknown.
  if (at < 1 || tail.charCodeAt(at - 1) === BACKSLASH) return undefined;
  const end = at + KEY.length;
  COMPACT.lastIndex = end;
  const compact = COMPACT.exec(tail)?.[1];
  if (compact !== undefined) return new JsonText(compact);
  SPACED.lastIndex = end;
  const spaced = SPACED.exec(tail)?.[1];
  return spaced === undefined ? undefined : new JsonText(spaced.replace(SPACES, ''));
}
