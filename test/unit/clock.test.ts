import { nowMs, requestUuid } from '../../core/clock';

// Guards the request ids every answer carries (x-oxy-request-id) and the clock of every logged duration.
describe('requestUuid', () => {
  it('is a version 4 UUID, lower-case hex', () => {
    for (let i = 0; i < 1000; i++) {
      expect(requestUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('does not repeat, and uses every hex digit in every random position', () => {
    const ids = Array.from({ length: 20000 }, requestUuid);
    expect(new Set(ids).size).toBe(ids.length);
    const digits = ids[0]!.replace(/-/g, '').length;
    for (let p = 0; p < digits; p++) {
      if (p === 12 || p === 16) continue; // version, variant
      const seen = new Set(ids.map((id) => id.replace(/-/g, '')[p]));
      expect(seen.size).toBe(16);
    }
  });
});

describe('nowMs', () => {
  it('counts milliseconds with sub-millisecond steps', async () => {
    const a = nowMs();
    await new Promise((r) => setTimeout(r, 20));
    const b = nowMs();
    expect(b - a).toBeGreaterThanOrEqual(19);
    expect(b - a).toBeLessThan(1000);
    const samples = Array.from({ length: 50 }, nowMs);
    expect(samples.some((t) => !Number.isInteger(t))).toBe(true);
  });
});
