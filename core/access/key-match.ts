import { crypto } from '../lazy-modules';

/**
 * SHA-256 of a key. `crypto.hash` (Node ≥ 20.12) is one call with no Hash object, whose native handle is
 * extra work for the GC on every request that presents a key; older runtimes take the long way. Its digest
 * is taken as binary (latin1) text and copied into a Buffer from Node's pool: a Buffer made by crypto itself (an
 * external backing store) costs twice the whole hash.
 */
const digest = (s: string): Buffer => {
  const c = crypto();
  return typeof c.hash === 'function'
    ? Buffer.from(c.hash('sha256', s, 'binary'), 'latin1')
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
 * operator can tell which pool key a log line means without the log holding the key. ASCII dots, not an
 * ellipsis: one character above latin1 makes V8 hold the whole log line, and the lines written with it, as
 * two-byte text, which costs every request of a key pool more to build and to write than the rest of its line.
 */
export function poolKeyFingerprint(key: string): string {
  return `...${key.slice(-4)}`;
}
