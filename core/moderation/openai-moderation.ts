import http from 'node:http';
import https from 'node:https';
import { upstreamAgent } from '../upstream/agent';
import { type KeyPool, isExhausted } from '../upstream/key-pool';
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

/** A real answer is a few KB. */
const MAX_ANSWER_BYTES = 1 << 20;

/**
 * A check through OpenAI's moderation endpoint (https://platform.openai.com/docs/api-reference/moderations):
 * `flagged` in any result is a block. OpenAI has no "review" grade, so both levels block the same texts.
 */
export function openAiModeration(options: OpenAiModerationOptions): Check {
  const { target, pool, timeoutMs, model = 'omni-moderation-latest' } = options;
  const { agent } = upstreamAgent(target);
  const request = target.protocol === 'https:' ? https.request : http.request;
  const path = `${target.pathname.replace(/\/$/, '')}/v1/moderations`;
  return (text, signal) =>
    new Promise((resolve, reject) => {
      const key = pool.next();
      if (isExhausted(key)) {
        return reject(
          new ModerationFailure('moderation_unavailable', 'No pool key is available for moderation.'),
        );
      }
      const body = JSON.stringify({ model, input: text });
      const req = request(target, {
        method: 'POST',
        path,
        agent,
        headers: {
          authorization: `Bearer ${key.key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      const fail = (err: ModerationFailure): void => {
        req.destroy();
        reject(err);
      };
      const timer = setTimeout(
        () =>
          fail(new ModerationFailure('moderation_timeout', `No moderation answer within ${timeoutMs} ms.`)),
        timeoutMs,
      );
      const onAbort = (): void =>
        fail(new ModerationFailure('moderation_aborted', 'The moderation check was aborted.'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', () =>
        reject(
          new ModerationFailure('moderation_unavailable', 'The moderation endpoint could not be reached.'),
        ),
      );
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) fail(malformed());
          else chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            pool.report(key, status, undefined);
            return reject(
              new ModerationFailure('moderation_bad_status', `The moderation endpoint answered ${status}.`, {
                httpStatus: status,
              }),
            );
          }
          const verdict = verdictOf(Buffer.concat(chunks));
          if (verdict === undefined) reject(malformed());
          else resolve(verdict);
        });
      });
      req.end(body);
    });
}

function malformed(): ModerationFailure {
  return new ModerationFailure('moderation_malformed', 'The moderation endpoint gave no verdict.');
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
