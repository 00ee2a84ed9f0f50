import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger';
import type { Exchange } from '../step';
import { type KeyEvent, type KeyPool, type PoolKey, isExhausted } from './key-pool';
import { poolKeyHeader } from './pool-key-header';
import { retryAfterMs } from './retry-after';

/** A body kept for one retry with another pool key: every chat, completion, embedding or responses request. */
export const REPLAY_LIMIT = 1024 * 1024;
const KEY_REFUSED = new Set([401, 403, 429]);

/** The request body as sent, kept while the request may be retried with another pool key. */
export interface Replay {
  /** The body's chunks so far: whole once the request has ended (`req.readableEnded`). */
  chunks: Buffer[];
  used: boolean;
  /** The first try's key and status when it was refused (401/403): the retry's answer says whose fault it was. */
  refused?: { key: PoolKey; status: number };
}

const isRefusal = (status: number): boolean => status === 401 || status === 403;

/** A 401/403 that cannot be pinned on the key: it stays in the rotation. */
const kept = (key: PoolKey, status: number): KeyEvent => ({
  event: 'pool_key_refused',
  key: key.fingerprint,
  status,
});

/**
 * Decides what a pool key's refusal means, and, when the body was kept whole and this is the first try,
 * writes another healthy key into the request for one retry. Returns the body to send again, or undefined
 * to pass the answer through. No retry on 5xx or timeouts: the upstream may have done the work and billed it.
 *
 * A 429 rests the key. A 401 or 403 takes the key out of the rotation only when another key was accepted for
 * the same request: the request itself can be refused whatever the key (an `OpenAI-Organization` the key is
 * not in, a file of another project, the function's region), and a client must not be able to empty the pool.
 * The retry goes to the key last accepted when it can (KeyPool#retryKey), so that a refused key is found out
 * even when the key after it in the rotation is refused too.
 */
export function failover(
  proxyRes: IncomingMessage,
  req: IncomingMessage,
  ex: Exchange,
  replay: Replay | undefined,
  pool: KeyPool,
  log: Logger,
): Buffer | undefined {
  const key = ex.poolKey;
  if (!key) return undefined;
  const status = proxyRes.statusCode ?? 0;
  const accepted = !KEY_REFUSED.has(status);
  // The same request with another key: accepted, so the first key was at fault; refused too (or rate
  // limited), so nothing says whose fault it was.
  const first = replay?.refused;
  if (first)
    logKeyEvent(log, ex, accepted ? pool.remove(first.key, first.status) : kept(first.key, first.status));
  if (accepted) {
    pool.accepted(key);
    return undefined;
  }
  if (status === 429) logKeyEvent(log, ex, pool.rest(key, retryAfterMs(proxyRes.headers)));
  const next = replay && !replay.used && req.readableEnded ? pool.retryKey(key) : undefined;
  if (!replay || !next || isExhausted(next)) {
    if (isRefusal(status)) logKeyEvent(log, ex, kept(key, status));
    return undefined;
  }
  replay.used = true;
  if (isRefusal(status)) replay.refused = { key, status };
  ex.poolKey = next;
  poolKeyHeader(req.headers, ex);
  return Buffer.concat(replay.chunks);
}

/** One log line for what became of a pool key: a warning when a refused key stays in the rotation. */
export function logKeyEvent(log: Logger, ex: Exchange, event: KeyEvent | undefined): void {
  if (!event) return;
  log(event.event === 'pool_key_refused' ? 'warn' : 'info', event.event, {
    id: ex.id,
    route: ex.route ? ex.route.prefix || '/' : undefined,
    ...event,
  });
}
