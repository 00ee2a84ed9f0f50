import { OxyError, sendError } from '../errors';
import type { Step } from '../step';
import { isExhausted } from '../upstream/key-pool';
import { KEY_HEADERS } from './proxy-keys';

const ALL_RESTING = new OxyError(
  'pool_keys_rate_limited',
  'Every upstream key of this proxy is rate limited; retry later.',
  429,
  'rate_limit_error',
);
const NONE_LEFT = new OxyError(
  'pool_keys_unavailable',
  'No upstream key of this proxy is accepted by the upstream API.',
  503,
  'proxy_error',
);

/**
 * Gives a request that passed the proxy-key check, and brings no upstream key of its own, the next
 * healthy key of its route's pool. The upstream writes it into the header its provider expects once the
 * client's headers are filtered (upstream/pool-key-header.ts). When none can be used the client is answered
 * at once, without a call upstream.
 */
export const poolKeys: Step = (req, res, ex) => {
  const pool = ex.route?.pool;
  if (!pool || bringsOwnKey(req.headers, req.url ?? '')) return false;
  const key = pool.next();
  if (isExhausted(key)) {
    if (key.retryAfterS !== undefined) res.setHeader('retry-after', String(key.retryAfterS));
    sendError(res, key.status === 429 ? ALL_RESTING : NONE_LEFT);
    return true;
  }
  ex.poolKey = key;
  return false;
};

/** Does the request carry an upstream key (a header, or Gemini's `?key=`) after the proxy key was taken? */
function bringsOwnKey(headers: NodeJS.Dict<string | string[]>, url: string): boolean {
  if (headers.authorization !== undefined) return true;
  for (const name of KEY_HEADERS) if (headers[name] !== undefined) return true;
  return /[?&]key=/.test(url);
}
