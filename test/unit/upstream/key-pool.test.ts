import { KeyPool, isExhausted } from '../../../core/upstream/key-pool';
import { retryAfterMs } from '../../../core/upstream/retry-after';

// Issue 8: rotation, removal (failover.ts decides when), rest on 429, and the answer when no key is left.
describe('KeyPool', () => {
  let time = 1_000_000;
  const pool = () => new KeyPool(['k-a', 'k-b', 'k-c'], 60_000, () => time);
  const next = (p: KeyPool): string => {
    const k = p.next();
    return isExhausted(k) ? `${k.status}/${k.retryAfterS ?? '-'}` : k.key;
  };

  it('hands out keys round robin', () => {
    const p = pool();
    expect([next(p), next(p), next(p), next(p)]).toEqual(['k-a', 'k-b', 'k-c', 'k-a']);
  });

  it.each([401, 403])('drops a key removed after a %i for good', (status) => {
    const p = pool();
    const a = p.next();
    if (isExhausted(a)) throw new Error('no key');
    expect(p.remove(a, status)).toEqual({ event: 'pool_key_removed', key: '...k-a', status });
    expect(p.remove(a, status)).toBeUndefined();
    time += 3_600_000;
    expect([next(p), next(p), next(p)]).toEqual(['k-b', 'k-c', 'k-b']);
  });

  it('rests a key answered 429 for the time asked, else for the default', () => {
    const p = pool();
    const a = p.next();
    const b = p.next();
    if (isExhausted(a) || isExhausted(b)) throw new Error('no key');
    expect(p.rest(a, 5_000)).toEqual({
      event: 'pool_key_resting',
      key: '...k-a',
      status: 429,
      restMs: 5_000,
    });
    expect(p.rest(b, undefined)).toMatchObject({ restMs: 60_000 });
    expect([next(p), next(p)]).toEqual(['k-c', 'k-c']);
    time += 5_000;
    expect(next(p)).toBe('k-a');
  });

  it('retries with the key last accepted when it is healthy, else the next one but the refused', () => {
    const p = pool();
    const [a, b, c] = [p.next(), p.next(), p.next()];
    if (isExhausted(a) || isExhausted(b) || isExhausted(c)) throw new Error('no key');
    expect(p.retryKey(a)).toBe(b); // none accepted yet: the next healthy key but `a`
    p.accepted(c);
    expect(p.retryKey(a)).toBe(c);
    expect(p.retryKey(c)).not.toBe(c);
    p.rest(c, 1_000);
    expect(p.retryKey(a)).not.toBe(c);
    const one = new KeyPool(['k-only'], 60_000, () => time);
    const only = one.next();
    if (isExhausted(only)) throw new Error('no key');
    expect(isExhausted(one.retryKey(only))).toBe(true); // never the refused key itself
  });

  it('says 429 with the shortest wait when every key rests, 503 when every key is out', () => {
    const p = pool();
    const keys = [p.next(), p.next(), p.next()];
    keys.forEach((k, i) => !isExhausted(k) && p.rest(k, (i + 1) * 10_000));
    expect(next(p)).toBe('429/10');
    keys.forEach((k) => !isExhausted(k) && p.remove(k, 401));
    expect(next(p)).toBe('503/-');
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-02T00:00:00Z');
  it.each<[Record<string, string>, number | undefined]>([
    [{}, undefined],
    [{ 'retry-after': '3' }, 3_000],
    [{ 'retry-after': '1.5' }, 1_500],
    [{ 'retry-after': 'Wed, 02 Dec 2026 00:00:20 GMT' }, 20_000],
    [{ 'retry-after': 'Tue, 01 Dec 2026 00:00:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '-1' }, undefined],
    [{ 'retry-after-ms': '250', 'retry-after': '3' }, 250],
    [{ 'retry-after-ms': 'x', 'retry-after': '3' }, 3_000],
  ])('%j → %s', (headers, ms) => expect(retryAfterMs(headers, now)).toBe(ms));
});
