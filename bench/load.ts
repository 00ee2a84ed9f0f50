/** Non-stream chat completions under load, with autocannon's programmatic API. */
import autocannon from 'autocannon';
import { nowMs } from './clock';
import { percentile } from './stats';

export const CHAT_PATH = '/v1/chat/completions';

export const CHAT_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'In one sentence: what does a reverse proxy do?' },
  ],
  temperature: 0.2,
});

/**
 * The key every client of the bench sends. oxy-keys takes it as its proxy key and forwards a pool key
 * instead; the fake upstream ignores keys, so direct, bare and oxy send the same header unchanged.
 */
export const BENCH_PROXY_KEY = 'sk-bench-0000000000000000000000000000000000000000';

/** oxy-keys' upstream key pool: three fake keys, given out round robin (the upstream counts what it sees). */
export const BENCH_POOL_KEYS = [
  'sk-bench-pool-1-111111111111111111111111111111111111',
  'sk-bench-pool-2-222222222222222222222222222222222222',
  'sk-bench-pool-3-333333333333333333333333333333333333',
] as const;

export const AUTH_HEADERS = { authorization: `Bearer ${BENCH_PROXY_KEY}` };

export const CHAT_HEADERS = { 'content-type': 'application/json', ...AUTH_HEADERS };

export interface LoadOptions {
  connections: number;
  durationS: number;
  /** Stop after this many requests instead: autocannon then ignores durationS. */
  amount?: number;
  /** Seconds one request may take. Default 10. */
  timeoutS?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
}

/**
 * One autocannon run against `baseUrl`; throws if any request failed or got a non-2xx answer. Latency
 * percentiles come from every 2xx answer's own time, which autocannon measures in fractions of a
 * millisecond but keeps in a histogram of whole milliseconds: at a p99 of 7 to 12 ms that rounding alone
 * moved a ratio to bare by up to a sixth. Throughput is the 2xx answers over the load's own duration.
 */
export async function measureLoad(baseUrl: string, options: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const started = nowMs();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl + CHAT_PATH,
        method: 'POST',
        headers: CHAT_HEADERS,
        body: CHAT_BODY,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationS,
        amount: options.amount,
        timeout: options.timeoutS ?? 10,
      },
      (err, done) => (err ? reject(err) : resolve(done)),
    );
    instance.on('response', (_client, statusCode: number, _bytes, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
  const ok = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0 || ok === 0) {
    throw new Error(
      `load on ${baseUrl}: ${ok} ok, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  // Answers over the run's own time: autocannon's average is of whole seconds, one sample in a 1 s load.
  const seconds = (nowMs() - started) / 1000;
  return {
    requestsPerSecond: latenciesMs.length / seconds,
    latencyP50Ms: percentile(latenciesMs, 50),
    latencyP99Ms: percentile(latenciesMs, 99),
    requests: ok,
  };
}
