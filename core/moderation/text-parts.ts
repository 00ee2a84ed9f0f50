import { ModerationFailure, type Check, type Verdict, worst as worstOf } from './verdict';

/** Where a cut is best: after the end of a sentence (CJK or Latin) or of a line. */
const SENTENCE_END = new Set(['。', '？', '！', '.', '!', '?', '\n']);
/** Second best: after a space, so a Latin word stays whole. U+3000 is the CJK full-width space. */
const SPACE = new Set([' ', '\t', '\u3000']);

/**
 * Splits `text` into parts of at most `maxChars` UTF-16 code units each, which joined give `text` back. A
 * service that counts Unicode characters (code points) sees at most as many as this counts, so the limit
 * holds either way. Each cut is made after the last sentence end in the second half of the allowed window,
 * else after the last space there, else at the limit, moved one back if it would fall inside a surrogate pair
 * (a lone half is no valid UTF-8, and the service would see two wrong characters). Never cutting in the first
 * half bounds the parts to about twice the fewest possible. The empty text has no parts.
 */
export function splitText(text: string, maxChars: number): string[] {
  // With 1, a hard cut before a surrogate pair would make no progress.
  if (!Number.isInteger(maxChars) || maxChars < 2)
    throw new RangeError('maxChars must be an integer of 2 or more');
  const parts: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    const end = cutAt(text, start, start + maxChars);
    parts.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}

/** The end of the part that starts at `start` and may not end after `limit`. */
function cutAt(text: string, start: number, limit: number): number {
  const floor = start + Math.ceil((limit - start) / 2);
  let afterSpace = -1;
  for (let end = limit; end > floor; end--) {
    const last = text.charAt(end - 1);
    if (SENTENCE_END.has(last)) return end;
    if (afterSpace < 0 && SPACE.has(last)) afterSpace = end;
  }
  if (afterSpace > 0) return afterSpace;
  return isHighSurrogate(text.charCodeAt(limit - 1)) ? limit - 1 : limit;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** How many parts of one long text are checked at once: enough to hide latency, few enough to spare the quota. */
const MAX_PARALLEL = 4;

/**
 * Checks the parts of one text, at most MAX_PARALLEL at once, and gives the worst verdict. A block ends the
 * check at once (calls in flight are aborted, no more are made); so does the first failure. No parts pass.
 */
export async function checkParts(
  check: Check,
  parts: readonly string[],
  signal?: AbortSignal,
): Promise<Verdict> {
  if (signal?.aborted) throw new ModerationFailure('moderation_aborted', 'The moderation check was aborted.');
  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let worst = 'pass' as Verdict; // widened: the workers change it
  let next = 0;
  const worker = async (): Promise<void> => {
    while (worst !== 'block' && next < parts.length) {
      const part = parts[next++] as string;
      const verdict = await check(part, inner.signal);
      worst = worstOf(worst, verdict); // read after the await: the other workers move it meanwhile
    }
    if (worst === 'block') inner.abort();
  };
  try {
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL, parts.length) }, worker));
  } catch (err) {
    // A part still in flight when another blocked was aborted: its failure changes nothing.
    if (worst !== 'block') throw err;
  } finally {
    inner.abort();
    signal?.removeEventListener('abort', onAbort);
  }
  return worst;
}
