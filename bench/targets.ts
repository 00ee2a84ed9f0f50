/** The performance targets oxy is held to, each checked against a run's results. */
import { OXY_CONFIGS, UPSTREAM_LABELS, type Results, type Target } from './results';
import { UPSTREAMS } from './servers';
import { round } from './stats';

const ZIP_LIMIT_BYTES = 60 * 1024;
const THROUGHPUT_MIN = 0.75;
const P99_MAX = 1.3;
const SSE_ADDED_P50_MAX_MS = 1;
const WS_ADDED_P50_MAX_MS = 1;
const COLD_START_MARGIN_MS = 60;

const pct = (ratio: number): string => `${round(ratio * 100, 1)} %`;

/**
 * Throughput and p99 against bare for oxy and oxy-keys on both upstreams; SSE, WebSocket and cold start
 * for both oxy configurations; memory (oxy only) and size.
 */
export function evaluateTargets(r: Omit<Results, 'targets'>): Target[] {
  const { load, ratios, sse, websocket, coldStart, memory, size } = r;
  const coldLimit = coldStart.nodeExit.medianMs + COLD_START_MARGIN_MS;
  const idleLimit = memory.bare.idleMiB + 3;
  const bodyMiB = round(r.settings.memoryBodyBytes / 2 ** 20, 0);
  const pairs = UPSTREAMS.flatMap((mode) => OXY_CONFIGS.map((config) => ({ mode, config })));
  // The ratios are medians of rounds paired with bare's (results.ts, ratioTo); the middle half of the rounds
  // shows how far the machine moved them.
  const throughput = pairs.map(({ mode, config }): Target => {
    const {
      throughputBare: x,
      throughputBareMiddle: [lo, hi],
    } = ratios[mode][config];
    return {
      name: `Throughput ≥ 75 % of bare: ${config}, ${UPSTREAM_LABELS[mode]}`,
      measured: `${pct(x)} (middle half ${pct(lo)}–${pct(hi)}; ${load[mode][config].requestsPerSecond} vs ${load[mode].bare.requestsPerSecond} req/s)`,
      pass: x >= THROUGHPUT_MIN,
    };
  });
  const p99 = pairs.map(({ mode, config }): Target => {
    const {
      p99Bare: x,
      p99BareMiddle: [lo, hi],
    } = ratios[mode][config];
    return {
      name: `p99 latency ≤ 1.3 × bare p99: ${config}, ${UPSTREAM_LABELS[mode]}`,
      measured: `${x} × (middle half ${lo}–${hi} ×; ${load[mode][config].latencyP99Ms} vs ${load[mode].bare.latencyP99Ms} ms)`,
      pass: x <= P99_MAX,
    };
  });
  const sseDelay = OXY_CONFIGS.map((config): Target => ({
    name: `SSE added delay p50 ≤ 1 ms per chunk (vs direct): ${config}`,
    measured: `p50 ${sse[config].addedP50Ms} ms, p99 ${sse[config].addedP99Ms} ms`,
    pass: sse[config].addedP50Ms <= SSE_ADDED_P50_MAX_MS,
  }));
  const sseMerged = OXY_CONFIGS.map((config): Target => ({
    name: `SSE: zero merged chunks: ${config}`,
    measured: `${sse[config].merged} of ${sse[config].chunks} chunks merged`,
    pass: sse[config].merged === 0,
  }));
  // A round trip crosses the relay twice (the message, then its echo): the limit covers both.
  const wsAdded = OXY_CONFIGS.map((config): Target => ({
    name: `WebSocket added round trip p50 ≤ 1 ms per message (vs direct): ${config}`,
    measured: `p50 ${websocket[config].addedP50Ms} ms, p99 ${websocket[config].addedP99Ms} ms`,
    pass: websocket[config].addedP50Ms <= WS_ADDED_P50_MAX_MS,
  }));
  const cold = OXY_CONFIGS.map((config): Target => ({
    name: `Cold start ≤ \`node -e 0\` + 60 ms: ${config}`,
    measured: `${coldStart[config].medianMs} ms (limit ${round(coldLimit, 1)} ms; bare ${coldStart.bare.medianMs} ms)`,
    pass: coldStart[config].medianMs <= coldLimit,
  }));
  return [
    ...throughput,
    ...p99,
    ...sseDelay,
    ...sseMerged,
    ...wsAdded,
    ...cold,
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
