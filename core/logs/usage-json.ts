import { JsonText } from './json-text';
import { plainUsage } from './plain-usage';

const KEYS = ['"usage"', '"usageMetadata"'];
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The token usage a JSON answer reports: the object under its last `"usage"` (OpenAI, Anthropic) or
 * `"usageMetadata"` (Gemini) key, the top-level one in every provider's answer shape, since usage comes
 * after the content there. Only that object is parsed: parsing every answer whole to read a few counts
 * would cost the proxy more than any other step of a request. Where the key cannot be read that way (it
 * sits in a string, or its value is no object), the whole body is parsed and its top-level usage taken.
 * A compact object is kept as the upstream wrote it, once parsing has shown it valid JSON; a spaced one
 * is written again without its whitespace. Most answers are read faster still, without JSON.parse
 * (logs/plain-usage.ts).
 */
export function usageOf(body: Buffer): JsonText | undefined {
  return plainUsage(body) ?? scannedUsage(body);
}

function scannedUsage(body: Buffer): JsonText | undefined {
  for (const key of KEYS) {
    const at = body.lastIndexOf(key);
    if (at === -1) continue;
    const value = objectAfter(body, at + key.length);
    if (value === undefined || body[at - 1] === BACKSLASH) return wholeBodyUsage(body);
    const text = body.toString('utf8', value.start, value.end);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return wholeBodyUsage(body);
    }
    // Whitespace outside strings (pretty-printed JSON) would carry newlines into the one-line log.
    return new JsonText(value.spaced ? JSON.stringify(parsed) : text);
  }
  return undefined;
}

function wholeBodyUsage(body: Buffer): JsonText | undefined {
  return topLevelUsage(body.toString('utf8'));
}

/** The top-level `usage` (or Gemini's `usageMetadata`) of a JSON text; undefined when it is not JSON. */
export function topLevelUsage(json: string): JsonText | undefined {
  let parsed: { usage?: unknown; usageMetadata?: unknown } | null;
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch {
    return undefined; // not JSON after all: no usage to report
  }
  const usage = parsed?.usage ?? parsed?.usageMetadata;
  return usage === undefined ? undefined : new JsonText(JSON.stringify(usage));
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Where the object after `: ` at `from` starts and ends (exclusive), strings and nesting understood, and
 * whether it has whitespace outside its strings.
 */
function objectAfter(
  body: Buffer,
  from: number,
): { start: number; end: number; spaced: boolean } | undefined {
  let i = from;
  while (isSpace(body[i])) i++;
  if (body[i++] !== 0x3a /* : */) return undefined;
  while (isSpace(body[i])) i++;
  if (body[i] !== 0x7b /* { */) return undefined;
  const start = i;
  let depth = 0;
  let inString = false;
  let spaced = false;
  for (; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d /* } */ && --depth === 0) return { start, end: i + 1, spaced };
    else if (isSpace(c)) spaced = true;
  }
  return undefined;
}
