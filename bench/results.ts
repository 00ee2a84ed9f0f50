/** The shape of a bench run's results, and the medians across rounds that the report shows. */
import type { ColdStartRuns } from './cold-start';
import type { LoadResult } from './load';
import type { StealGate } from './quiet-load';
import type { LogCost } from './log-cost';
import type { Machine } from './machine';
import type { MemoryRun } from './memory';
import type { ProxyKind, UpstreamMode } from './servers';
import type { SizeResult } from './size';
import type { SseResult } from './sse';
import type { WebSocketResult } from './websocket';
import { median, percentile, round } from './stats';

/** What the client calls: the upstream itself, or one of the proxies in front of it. */
export const CONFIGS = ['direct', 'bare', 'oxy', 'oxy-keys'] as const;
export type Config = (typeof CONFIGS)[number];
/** The configurations held to the targets: oxy as deployed by default, and with a proxy key and key pool. */
export const OXY_CONFIGS = ['oxy', 'oxy-keys'] as const;
export type OxyConfig = (typeof OXY_CONFIGS)[number];
/** The proxies whose memory is measured. */
export const PROXIES = ['bare', 'oxy'] as const satisfies readonly ProxyKind[];
export type MemoryProxy = (typeof PROXIES)[number];

/** How each upstream answer style is named in the report. */
export const UPSTREAM_LABELS: Record<UpstreamMode, string> = {
  openai: 'OpenAI-like upstream',
  minimal: 'minimal upstream',
};
export const UPSTREAM_SHORT: Record<UpstreamMode, string> = { openai: 'OpenAI-like', minimal: 'minimal' };

export interface Settings {
  /** Rounds of SSE, WebSocket and oxy-moderated measurements. */
  rounds: number;
  /** Rounds of non-stream load, each measuring every configuration once per upstream. */
  loadRounds: number;
  loadSeconds: number;
  /** Seconds of non-stream load each proxy process gets before the rounds. */
  warmUpSeconds: number;
  connections: number;
  sseStreams: number;
  sseChunks: number;
  sseIntervalMs: number;
  /** Tokens (chunks) per sentence of the streamed answers (bench/stream-text.ts). */
  sseSentenceTokens: number;
  wsSessions: number;
  wsMessages: number;
  wsIntervalMs: number;
  /** The size of every WebSocket message sent (and echoed), bytes. */
  wsMessageBytes: number;
  /** Non-stream requests to each of oxy and oxy-moderated for the prompt delay. */
  promptDelayRequests: number;
  coldStartSpawns: number;
  memoryRuns: number;
  memoryBodyBytes: number;
  built: 'fresh' | 'dist';
}

export interface LoadSummary {
  /** Medians across rounds (each configuration's own; the ratios pair rounds instead). */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  rounds: LoadResult[];
}

export interface SseRound {
  delayP50Ms: number;
  delayP99Ms: number;
  /** This round's p50/p99 minus direct's in the same round. */
  addedP50Ms: number;
  addedP99Ms: number;
  merged: number;
  chunks: number;
}

/** The delays are medians across rounds; `merged` and `chunks` are totals over all rounds. */
export interface SseSummary extends SseRound {
  rounds: SseRound[];
}

/** oxy-moderated's SSE round: also the delay past the end of each chunk's sentence. */
export interface ModeratedSseRound extends SseRound {
  /**
   * p50/p99 over the chunks with text of: client read time − upstream send time of the chunk that completed
   * the chunk's sentence (bench/sse.ts `sentenceEnds`): the check and the trip through the proxy, without
   * the wait for the sentence to end.
   */
  afterSentenceEndP50Ms: number;
  afterSentenceEndP99Ms: number;
}

/** Medians across rounds, totals of `merged` and `chunks`, as SseSummary. */
export interface ModeratedSseSummary extends ModeratedSseRound {
  rounds: ModeratedSseRound[];
}

/** Time to the first byte of a non-stream chat answer, through oxy and oxy-moderated, one request at a time. */
export interface PromptDelay {
  /** Requests to each; the p50s are medians of them. */
  requests: number;
  plainP50Ms: number;
  plainP99Ms: number;
  moderatedP50Ms: number;
  moderatedP99Ms: number;
  /** moderatedP50Ms − plainP50Ms. */
  addedP50Ms: number;
}

/** oxy with OXY_MODERATION=tencent against the loopback TMS stand-in: reported, held to no target. */
export interface ModeratedSummary {
  sse: ModeratedSseSummary;
  promptDelay: PromptDelay;
  /** TMS calls the stand-in received over the run, every one verified (bench/moderation.ts). */
  tmsCalls: number;
}

export interface WebSocketRound {
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  /** This round's p50/p99 minus direct's in the same round. */
  addedP50Ms: number;
  addedP99Ms: number;
  messages: number;
}

/** The round trips are medians across rounds; `messages` is the total over all rounds. */
export interface WebSocketSummary extends WebSocketRound {
  rounds: WebSocketRound[];
}

export interface Spread {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
}

export interface MemorySummary {
  /** Medians across runs, MiB. */
  idleMiB: number;
  peakMiB: number;
  growthMiB: number;
  runs: MemoryRun[];
}

/** One oxy configuration's load results divided by bare's and direct's, on the same upstream. */
export interface Ratios {
  throughputBare: number;
  throughputDirect: number;
  p99Bare: number;
  p99Direct: number;
  /** The middle half of the rounds' ratios to bare (PairedRatio). */
  throughputBareMiddle: [number, number];
  p99BareMiddle: [number, number];
}

export interface Target {
  name: string;
  measured: string;
  pass: boolean;
}

export interface Results {
  machine: Machine;
  settings: Settings;
  runSeconds: number;
  /** Percent of the machine's CPU time stolen by the hypervisor during the run (bench/machine.ts). */
  stolenPercent: number | undefined;
  /** Non-stream loads run again because the hypervisor took CPU during them (bench/quiet-load.ts). */
  loadSteal: StealGate;
  /** Non-stream load per upstream answer style, per configuration. */
  load: Record<UpstreamMode, Record<Config, LoadSummary>>;
  ratios: Record<UpstreamMode, Record<OxyConfig, Ratios>>;
  /**
   * The engine alone (bench/engine-proxy.js) under the same load, interleaved with the others; held to no
   * target. Absent from runs before it was measured.
   */
  engine?: Record<UpstreamMode, LoadSummary>;
  /** SSE, against the OpenAI-like upstream. */
  sse: Record<Config, SseSummary>;
  /** WebSocket echo round trips, against the OpenAI-like upstream. */
  websocket: Record<Config, WebSocketSummary>;
  /** oxy-moderated's SSE and prompt delay, against the OpenAI-like upstream; informational. */
  moderated: ModeratedSummary;
  coldStart: { nodeExit: Spread; bare: Spread; oxy: Spread; 'oxy-keys': Spread };
  memory: Record<MemoryProxy, MemorySummary>;
  size: SizeResult;
  /** CPU per request log line (bench/log-cost.ts). */
  logLine: LogCost;
  targets: Target[];
}

export function summariseLoad(rounds: LoadResult[]): LoadSummary {
  return {
    requestsPerSecond: round(median(rounds.map((r) => r.requestsPerSecond)), 0),
    latencyP50Ms: round(median(rounds.map((r) => r.latencyP50Ms))),
    latencyP99Ms: round(median(rounds.map((r) => r.latencyP99Ms))),
    rounds,
  };
}

/** `x` against `base`, each of throughput and p99 as a ratio to three decimals. */
export interface PairedRatio {
  throughput: number;
  p99: number;
  /** The middle half (first to third quartile) of the rounds' throughput ratios, and of their p99 ratios. */
  throughputMiddle: [number, number];
  p99Middle: [number, number];
}

/**
 * `x` against `base`, paired round by round: both were measured in the same rounds, seconds apart, so a
 * round's ratio compares the two under the same conditions of the machine, whose speed moves over seconds
 * (docs/benchmarks.md, Method). The median of the rounds' ratios, and their middle half.
 */
export function ratioTo(x: LoadSummary, base: LoadSummary): PairedRatio {
  if (x.rounds.length !== base.rounds.length || x.rounds.length === 0) {
    throw new Error(`paired ratio of ${x.rounds.length} rounds against ${base.rounds.length}`);
  }
  const paired = (of: (r: LoadResult) => number): number[] =>
    x.rounds.map((r, i) => of(r) / of(base.rounds[i]!));
  const middle = (values: number[]): [number, number] => [
    round(percentile(values, 25), 3),
    round(percentile(values, 75), 3),
  ];
  const throughput = paired((r) => r.requestsPerSecond);
  const p99 = paired((r) => r.latencyP99Ms);
  return {
    throughput: round(median(throughput), 3),
    p99: round(median(p99), 3),
    throughputMiddle: middle(throughput),
    p99Middle: middle(p99),
  };
}

export function ratios(load: Record<Config, LoadSummary>): Record<OxyConfig, Ratios> {
  const of = (x: LoadSummary): Ratios => {
    const bare = ratioTo(x, load.bare);
    const direct = ratioTo(x, load.direct);
    return {
      throughputBare: bare.throughput,
      throughputDirect: direct.throughput,
      p99Bare: bare.p99,
      p99Direct: direct.p99,
      throughputBareMiddle: bare.throughputMiddle,
      p99BareMiddle: bare.p99Middle,
    };
  };
  return { oxy: of(load.oxy), 'oxy-keys': of(load['oxy-keys']) };
}

/** `runs[i]` and `direct[i]` come from the same round, so the added delay is paired round by round. */
export function summariseSse(runs: SseResult[], direct: SseResult[]): SseSummary {
  const rounds = runs.map((r, i): SseRound => {
    const base = direct[i] ?? r;
    const p50 = percentile(r.delaysMs, 50);
    const p99 = percentile(r.delaysMs, 99);
    return {
      delayP50Ms: round(p50, 3),
      delayP99Ms: round(p99, 3),
      addedP50Ms: round(p50 - percentile(base.delaysMs, 50), 3),
      addedP99Ms: round(p99 - percentile(base.delaysMs, 99), 3),
      merged: r.merged,
      chunks: r.delaysMs.length,
    };
  });
  return {
    delayP50Ms: round(median(rounds.map((r) => r.delayP50Ms)), 3),
    delayP99Ms: round(median(rounds.map((r) => r.delayP99Ms)), 3),
    addedP50Ms: round(median(rounds.map((r) => r.addedP50Ms)), 3),
    addedP99Ms: round(median(rounds.map((r) => r.addedP99Ms)), 3),
    merged: rounds.reduce((sum, r) => sum + r.merged, 0),
    chunks: rounds.reduce((sum, r) => sum + r.chunks, 0),
    rounds,
  };
}

/** summariseSse, with the delay past each chunk's sentence end. */
export function summariseModeratedSse(runs: SseResult[], direct: SseResult[]): ModeratedSseSummary {
  const base = summariseSse(runs, direct);
  const rounds = base.rounds.map((r, i): ModeratedSseRound => {
    const after = runs[i]?.sinceSentenceEndMs ?? [];
    return {
      ...r,
      afterSentenceEndP50Ms: round(percentile(after, 50), 3),
      afterSentenceEndP99Ms: round(percentile(after, 99), 3),
    };
  });
  return {
    ...base,
    afterSentenceEndP50Ms: round(median(rounds.map((r) => r.afterSentenceEndP50Ms)), 3),
    afterSentenceEndP99Ms: round(median(rounds.map((r) => r.afterSentenceEndP99Ms)), 3),
    rounds,
  };
}

export function summarisePromptDelay(plainMs: number[], moderatedMs: number[]): PromptDelay {
  const plainP50 = median(plainMs);
  const moderatedP50 = median(moderatedMs);
  return {
    requests: plainMs.length,
    plainP50Ms: round(plainP50, 3),
    plainP99Ms: round(percentile(plainMs, 99), 3),
    moderatedP50Ms: round(moderatedP50, 3),
    moderatedP99Ms: round(percentile(moderatedMs, 99), 3),
    addedP50Ms: round(moderatedP50 - plainP50, 3),
  };
}

/** `runs[i]` and `direct[i]` come from the same round, so the added round trip is paired round by round. */
export function summariseWebSocket(runs: WebSocketResult[], direct: WebSocketResult[]): WebSocketSummary {
  const rounds = runs.map((r, i): WebSocketRound => {
    const base = direct[i] ?? r;
    const p50 = percentile(r.roundTripsMs, 50);
    const p99 = percentile(r.roundTripsMs, 99);
    return {
      roundTripP50Ms: round(p50, 3),
      roundTripP99Ms: round(p99, 3),
      addedP50Ms: round(p50 - percentile(base.roundTripsMs, 50), 3),
      addedP99Ms: round(p99 - percentile(base.roundTripsMs, 99), 3),
      messages: r.roundTripsMs.length,
    };
  });
  return {
    roundTripP50Ms: round(median(rounds.map((r) => r.roundTripP50Ms)), 3),
    roundTripP99Ms: round(median(rounds.map((r) => r.roundTripP99Ms)), 3),
    addedP50Ms: round(median(rounds.map((r) => r.addedP50Ms)), 3),
    addedP99Ms: round(median(rounds.map((r) => r.addedP99Ms)), 3),
    messages: rounds.reduce((sum, r) => sum + r.messages, 0),
    rounds,
  };
}

export function spread(runsMs: number[]): Spread {
  return {
    medianMs: round(median(runsMs), 1),
    minMs: round(Math.min(...runsMs), 1),
    maxMs: round(Math.max(...runsMs), 1),
    runsMs: runsMs.map((ms) => round(ms, 1)),
  };
}

export function summariseColdStart(runs: ColdStartRuns): Results['coldStart'] {
  return {
    nodeExit: spread(runs.nodeExitMs),
    bare: spread(runs.bareMs),
    oxy: spread(runs.oxyMs),
    'oxy-keys': spread(runs.oxyKeysMs),
  };
}

const mib = (kb: number): number => round(kb / 1024, 1);

export function summariseMemory(runs: MemoryRun[]): MemorySummary {
  return {
    idleMiB: mib(median(runs.map((r) => r.idleKb))),
    peakMiB: mib(median(runs.map((r) => r.peakKb))),
    growthMiB: mib(median(runs.map((r) => r.growthKb))),
    runs: runs.map((r) => ({ ...r, uploadMs: round(r.uploadMs, 0) })),
  };
}
