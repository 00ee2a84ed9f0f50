/** The performance targets oxy is held to, each checked against a run's results. */
import type { Results, Target } from './results';
import { round } from './stats';

const ZIP_LIMIT_BYTES = 60 * 1024;

const pct = (ratio: number): string => `${round(ratio * 100, 1)} %`;

export function evaluateTargets(r: Omit<Results, 'targets'>): Target[] {
  const { load, ratios, sse, coldStart, memory, size } = r;
  const coldLimit = coldStart.nodeExit.medianMs + 60;
  const idleLimit = memory.bare.idleMiB + 3;
  const bodyMiB = round(r.settings.memoryBodyBytes / 2 ** 20, 0);
  return [
    {
      name: 'Throughput ≥ 75 % of bare',
      measured: `${pct(ratios.throughputOxyBare)} (${load.oxy.requestsPerSecond} vs ${load.bare.requestsPerSecond} req/s)`,
      pass: ratios.throughputOxyBare >= 0.75,
    },
    {
      name: 'p99 latency ≤ 1.3 × bare p99',
      measured: `${ratios.p99OxyBare} × (${load.oxy.latencyP99Ms} vs ${load.bare.latencyP99Ms} ms)`,
      pass: ratios.p99OxyBare <= 1.3,
    },
    {
      name: 'SSE added delay p50 ≤ 1 ms per chunk (vs direct)',
      measured: `p50 ${sse.oxy.addedP50Ms} ms, p99 ${sse.oxy.addedP99Ms} ms`,
      pass: sse.oxy.addedP50Ms <= 1,
    },
    {
      name: 'SSE: zero merged chunks',
      measured: `${sse.oxy.merged} of ${sse.oxy.chunks} chunks merged`,
      pass: sse.oxy.merged === 0,
    },
    {
      name: 'Cold start ≤ `node -e 0` + 60 ms',
      measured: `${coldStart.oxy.medianMs} ms (limit ${round(coldLimit, 1)} ms; bare ${coldStart.bare.medianMs} ms)`,
      pass: coldStart.oxy.medianMs <= coldLimit,
    },
    {
      name: 'RSS idle ≤ bare idle + 3 MiB',
      measured: `${memory.oxy.idleMiB} MiB (limit ${round(idleLimit, 1)} MiB)`,
      pass: memory.oxy.idleMiB <= idleLimit,
    },
    {
      name: `RSS growth while streaming ${bodyMiB} MiB ≤ 16 MiB`,
      measured: `${memory.oxy.growthMiB} MiB (bare ${memory.bare.growthMiB} MiB)`,
      pass: memory.oxy.growthMiB <= 16,
    },
    {
      name: 'Zip ≤ 60 KiB (61440 bytes)',
      measured: `${size.zipBytes} bytes`,
      pass: size.zipBytes <= ZIP_LIMIT_BYTES,
    },
  ];
}
