/**
 * The text of the fake upstream's streamed answers (bench/upstream.ts), one token per chunk, cycling: a
 * ten-token sentence ending in its own "." token, each word leading with a space as GPT tokens do.
 * Moderation (OXY_MODERATION) holds a chunk until its sentence has ended and been checked, so the answer
 * needs sentence ends for moderated streams to be measured chunk by chunk.
 */
export const SENTENCE_TOKENS = [
  ' The',
  ' proxy',
  ' forwards',
  ' each',
  ' request',
  ' and',
  ' streams',
  ' the',
  ' answer',
  '.',
] as const;

/** The text of chunk `index` (1 for the first token; the answer's first token has no leading space). */
export function streamToken(index: number): string {
  const t = SENTENCE_TOKENS[(index - 1) % SENTENCE_TOKENS.length] ?? '';
  return index === 1 ? t.trimStart() : t;
}
