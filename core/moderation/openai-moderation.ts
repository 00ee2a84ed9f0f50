import { upstreamAgent } from '../upstream/agent';
import { type KeyPool, isExhausted } from '../upstream/key-pool';
import { postJson } from './post-json';
import { ModerationFailure, type Check } from './verdict';

export interface OpenAiModerationOptions {
  /** The upstream's base URL; `/v1/moderations` is appended to its path. */
  target: URL;
  /** Its key pool: each check takes the next healthy key, like a proxied request. */
  pool: KeyPool;
  timeoutMs: number;
  /** Default `omni-moderation-latest`, OpenAI's current model (free of charge). */
  model?: string;
}

/**
 * A check through OpenAI's moderation endpoint (https://platform.openai.com/docs/api-reference/moderations):
 * `flagged` in any result is a block. OpenAI has no "review" grade, so both levels block the same texts.
 */
export function openAiModeration(options: OpenAiModerationOptions): Check {
  const { target, pool, timeoutMs, model = 'omni-moderation-latest' } = options;
  const { agent } = upstreamAgent(target);
  const url = new URL(`${target.pathname.replace(/\/$/, '')}/v1/moderations`, target);
  return async (text, signal) => {
    const key = pool.next();
    if (isExhausted(key)) {
      throw new ModerationFailure('moderation_unavailable', 'No pool key is available for moderation.');
    }
    const body = JSON.stringify({ model, input: text });
    const headers = {
      authorization: `Bearer ${key.key}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    const name = "OpenAI's moderation endpoint";
    const answer = await postJson({ url, agent, headers, body, timeoutMs, signal, name }).catch((err) => {
      // This request is oxy's own, with nothing of the client's but the text: a refusal is the key's. A 429
      // is not: OpenAI limits each model apart, so the moderation model's limit says nothing of the chat
      // models', and resting the key on it would let anyone who can send long prompts rest every key.
      const status = err instanceof ModerationFailure ? err.httpStatus : undefined;
      const event = status === 401 || status === 403 ? pool.remove(key, status) : undefined;
      if (event && err instanceof ModerationFailure) err.keyEvent = event;
      throw err;
    });
    const verdict = verdictOf(answer);
    if (verdict === undefined) {
      throw new ModerationFailure('moderation_malformed', "OpenAI's moderation endpoint gave no verdict.");
    }
    return verdict;
  };
}

function verdictOf(body: Buffer): 'pass' | 'block' | undefined {
  try {
    const { results } = JSON.parse(body.toString('utf8')) as { results?: unknown };
    if (!Array.isArray(results) || results.length === 0) return undefined;
    if (!results.every((r) => typeof (r as { flagged?: unknown })?.flagged === 'boolean')) return undefined;
    return results.some((r) => (r as { flagged: boolean }).flagged) ? 'block' : 'pass';
  } catch {
    return undefined;
  }
}
