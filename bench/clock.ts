/**
 * Milliseconds on the host's monotonic clock (CLOCK_MONOTONIC, which `process.hrtime` reads), with µs
 * resolution. Every process on one machine reads the same clock, so a timestamp taken in the upstream
 * process can be subtracted from one taken in the client process.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
