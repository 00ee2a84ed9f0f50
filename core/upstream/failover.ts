import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger';
import { keyHeader } from '../routing/provider-kind';
import type { RouteConfig } from '../routing/route-table';
import type { Exchange } from '../step';
import { type KeyPool, isExhausted } from './key-pool';
import { retryAfterMs } from './retry-after';

/** A body kept for one retry with another pool key: every chat, completion, embedding or responses request. */
export const REPLAY_LIMIT = 1024 * 1024;
const KEY_REFUSED = new Set([401, 403, 429]);

/** The request body as sent, kept while the request may be retried with another pool key. */
export interface Replay {
  /** The body's chunks so far: whole once the request has ended (`req.readableEnded`). */
  chunks: Buffer[];
  used: boolean;
}

/**
 * Decides what a pool key's refusal means: the key leaves the rotation (401/403) or rests (429), and,
 * when the body was kept whole and this is the first try, the next healthy key is written into the
 * request for one retry. Returns the body to send again, or undefined to pass the answer through. No
 * retry on 5xx or timeouts: the upstream may have done the work and billed it.
 */
export function failover(
  proxyRes: IncomingMessage,
  req: IncomingMessage,
  ex: Exchange,
  replay: Replay | undefined,
  pool: KeyPool,
  route: RouteConfig,
  log: Logger,
): Buffer | undefined {
  const status = proxyRes.statusCode ?? 0;
  if (!ex.poolKey || !KEY_REFUSED.has(status)) return undefined;
  const event = pool.report(ex.poolKey, status, retryAfterMs(proxyRes.headers));
  if (event) log('info', event.event, { id: ex.id, route: route.prefix || '/', ...event });
  if (!replay || replay.used || !req.readableEnded) return undefined;
  const next = pool.next();
  if (isExhausted(next)) return undefined;
  replay.used = true;
  ex.poolKey = next;
  const [name, value] = keyHeader(route.kind, next.key);
  req.headers[name] = value;
  return Buffer.concat(replay.chunks);
}
