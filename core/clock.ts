/**
 * Milliseconds from an arbitrary origin, with sub-millisecond precision, for durations only. Not
 * `performance.now()`: the first read of Node's `performance` global loads perf_hooks and its seven internal
 * modules, about 0.3 MB of every instance's memory for a clock.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 32 random bits (Math.random gives 52 per call; its top 32 are as good as any). */
const random32 = (): number => (Math.random() * 0x100000000) >>> 0;
const hex16 = (n: number): string => HEX[n >>> 8]! + HEX[n & 0xff]!;

/**
 * A random UUID (version 4 layout) naming a request in the logs. Math.random rather than node:crypto: the id
 * is no secret and guards nothing, and loading crypto for it would cost every instance about 0.6 MB. Made
 * from four 32-bit numbers and a byte table, with no array on the way: it runs for every request.
 */
export function requestUuid(): string {
  const a = random32();
  const b = random32();
  const c = random32();
  const d = random32();
  const version = (b & 0x0fff) | 0x4000;
  const variant = ((c >>> 16) & 0x3fff) | 0x8000;
  return `${hex16(a >>> 16)}${hex16(a & 0xffff)}-${hex16(b >>> 16)}-${hex16(version)}-${hex16(variant)}-${hex16(c & 0xffff)}${hex16(d >>> 16)}${hex16(d & 0xffff)}`;
}
