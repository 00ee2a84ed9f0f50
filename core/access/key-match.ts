import { crypto } from '../lazy-modules';

/**
 * SHA-256 of a key. `crypto.hash` (Node ≥ 20.12) is one call with no Hash object, whose native handle is
 * extra work for the GC on every request that presents a key; older runtimes take the long way.
 */
const digest = (s: string): Buffer => {
  const c = crypto();
  return typeof c.hash === 'function'
    ? c.hash('sha256', s, 'buffer')
    : c.createHash('sha256').update(s).digest();
};

/**
 * A constant-time lookup in a set of keys: the index of the key equal to the candidate, or -1. Both sides
 * are hashed first, so the comparison takes the same time whatever the candidate's length or how much of
 * it matches, and every key is compared (no early exit that would tell which one came close).
 */
export function keyMatcher(keys: readonly string[]): (candidate: string) => number {
  const digests = keys.map(digest);
  return (candidate) => {
    const d = digest(candidate);
    let found = -1;
    for (let i = 0; i < digests.length; i++) if (crypto().timingSafeEqual(digests[i]!, d)) found = i;
    return found;
  };
}

/** A short, non-reversible name for a proxy key in logs. */
export function proxyKeyFingerprint(key: string): string {
  return `#${digest(key).toString('hex').slice(0, 8)}`;
}

/**
 * A provider key as its dashboard shows it (OpenAI and Anthropic list the last 4 characters), so an
 * operator can tell which pool key a log line means without the log holding the key.
 */
export function poolKeyFingerprint(key: string): string {
  return `…${key.slice(-4)}`;
}
