/**
 * Milliseconds from an arbitrary origin, with sub-millisecond precision, for durations only. Not
 * `performance.now()`: the first read of Node's `performance` global loads perf_hooks and its seven internal
 * modules, about 0.3 MB of every instance's memory for a clock.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A random UUID (version 4 layout) naming a request in the logs. Math.random rather than node:crypto: the id
 * is no secret and guards nothing, and loading crypto for it would cost every instance about 0.6 MB.
 */
export function requestUuid(): string {
  const b = new Array<number>(16);
  for (let i = 0; i < 16; i += 4) {
    const r = (Math.random() * 0x100000000) >>> 0;
    b[i] = r & 0xff;
    b[i + 1] = (r >>> 8) & 0xff;
    b[i + 2] = (r >>> 16) & 0xff;
    b[i + 3] = r >>> 24;
  }
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.map((x) => HEX[x]!);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}
