import { crypto } from '../lazy-modules';

const digest = (s: string): Buffer => crypto().createHash('sha256').update(s).digest();

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
