/**
 * `npm run soak`: a bounded soak of the core, loopback only. The proxy (the SCF build's platform, on this
 * process) sits between a keep-alive client pool and an upstream (in a process of its own, as a real upstream
 * is: upstream-process.ts) that injects faults: late answers, answers
 * that never come, resets before and in the middle of a body, a route whose port refuses connections, SSE
 * streams that end, break or go silent, and clients that abort before the answer or in the middle of a
 * stream. Thousands of mixed requests and hundreds of streams at concurrency ≥ 20, after a warm-up.
 *
 * Afterwards it checks: every request had the outcome its fault calls for (and every healthy one a whole,
 * correct answer); a client's abort closed its upstream request within 500 ms (from the abort, or from the
 * proxy's accepting the client's connection when that came later: the proxy cannot act on a connection still
 * waiting in its listen queue); no upstream socket still
 * has a request in flight and no client connection is left on the proxy; the proxy logged no internal error
 * and no upstream failure for a healthy request; no uncaught exception; RSS after GC within 10 % of its
 * value after the warm-up. Prints a summary; exits 0, 1 on a failed check, 3 when the watchdog fires.
 *
 * Environment (all optional): SOAK_SEED, SOAK_REQUESTS (3000), SOAK_STREAMS (300), SOAK_CONCURRENCY (32),
 * SOAK_WATCHDOG_MS (60000).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../core/config';
import { createServer } from '../../core/edge/server';
import type { Logger } from '../../core/logger';
import { scfPlatform } from '../../functions/scf/platform';
import { type Job, type Outcome, mismatch, send } from './client';
import type { Kind } from './faulty-upstream';
import { startUpstreamProcess } from './upstream-process';

const WATCHDOG_MS = Number(process.env.SOAK_WATCHDOG_MS ?? 60_000);
const SEED = Number(process.env.SOAK_SEED ?? 20_251_202);
const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 3000);
const STREAMS = Number(process.env.SOAK_STREAMS ?? 300);
const CONCURRENCY = Math.max(20, Number(process.env.SOAK_CONCURRENCY ?? 32));
/** The proxy's upstream timeout (headers and idle): every injected delay that must succeed is far below it. */
const UPSTREAM_TIMEOUT_MS = 1000;
/** Issue 9: a client that disconnects has its upstream request closed within this. */
const ABORT_PROPAGATION_MS = 500;
const RSS_TOLERANCE = 0.1;
const SETTLE_MS = 3000;

/** Request kinds and streams, with their weights in the mix. */
const REQUEST_MIX: [Kind, number][] = [
  ['ok', 52],
  ['slow', 12],
  ['stall', 5],
  ['reset-before-headers', 6],
  ['reset-mid-body', 6],
  ['refused', 6],
  ['abort-before-headers', 13],
];
const STREAM_MIX: [Kind, number][] = [
  ['sse', 62],
  ['sse-cut', 12],
  ['sse-stall', 8],
  ['abort-mid-stream', 18],
];
/** Kinds where nothing is injected: any error logged for one of these is a failure. */
const HEALTHY = new Set<Kind>(['ok', 'slow', 'sse']);

const started = performance.now();
const failures: string[] = [];
const fail = (what: string): void => void failures.push(what);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where the run is, for the watchdog's message. */
const progress = { stage: 'starting', done: 0 };

const watchdog = setTimeout(() => {
  process.stderr.write(
    `soak: FAILED: the watchdog fired after ${WATCHDOG_MS / 1000} s (seed ${SEED}, ${progress.stage}, ` +
      `${progress.done} requests done): a request or check hung\n`,
  );
  process.exit(3);
}, WATCHDOG_MS);

const uncaught: string[] = [];
process.on('uncaughtException', (err) => uncaught.push(String(err?.stack ?? err)));
process.on('unhandledRejection', (err) => uncaught.push(String((err as Error)?.stack ?? err)));

/** mulberry32: a small seeded PRNG, so a failing mix can be replayed with SOAK_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeJobs(tag: string, requests: number, streams: number, random: () => number): Job[] {
  const pick = (mix: [Kind, number][]): Kind => {
    const total = mix.reduce((n, [, w]) => n + w, 0);
    let r = random() * total;
    for (const [kind, w] of mix) if ((r -= w) < 0) return kind;
    return mix[0]![0];
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const jobs: Job[] = [];
  for (let i = 0; i < requests + streams; i++) {
    const kind = pick(i < requests ? REQUEST_MIX : STREAM_MIX);
    const id = `${tag}-${i}`;
    const post = kind !== 'refused' && random() < 0.5;
    const size = int(16, 16_384);
    const events = kind === 'sse' ? int(3, 30) : int(2, 8);
    const query = `size=${size}&delay=${int(5, 150)}&events=${events}`;
    const path = `${kind === 'refused' ? '/refused' : ''}/v1/soak/${kind}/${id}?${query}`;
    jobs.push({
      id,
      kind,
      method: post ? 'POST' : 'GET',
      path,
      upload: post ? int(0, 65_536) : 0,
      size,
      events,
    });
  }
  // Shuffle so that faults, streams and plain requests interleave on the same connections.
  for (let i = jobs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
  }
  return jobs;
}

async function main(): Promise<void> {
  const random = prng(SEED);
  const upstream = await startUpstreamProcess();
  // A port with nothing listening: the `refused` route's target.
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const refusedPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));

  const events = new Map<string, number>();
  const errorLines: Record<string, unknown>[] = [];
  // As costly as the real logger (one JSON line per request), minus the write.
  const log: Logger = (level, event, fields) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
    events.set(event, (events.get(event) ?? 0) + 1);
    if (level === 'error') errorLines.push(JSON.parse(line) as Record<string, unknown>);
  };
  const env = {
    OXY_TARGET: upstream.url,
    OXY_ROUTES: `/refused=http://127.0.0.1:${refusedPort}`,
    OXY_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
  };
  const proxy = createServer(loadConfig(env, scfPlatform.config), scfPlatform, log);
  // When the proxy accepted each client connection, and so each request: the proxy cannot see a client's
  // abort before that. Since libuv 1.45 (Node 20) a listener accepts one connection per turn of the event
  // loop (libuv/libuv#3696), so a burst of new connections waits there for many turns.
  const acceptedAt = new WeakMap<object, number>();
  const requestAccepted = new Map<string, number>();
  proxy.on('connection', (socket: object) => acceptedAt.set(socket, performance.now()));
  proxy.on('request', (req: http.IncomingMessage) => {
    const at = acceptedAt.get(req.socket);
    if (at !== undefined) requestAccepted.set(String(req.headers['x-soak-id']), at);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const base = new URL(`http://127.0.0.1:${(proxy.address() as { port: number }).port}`);
  const connections = (): Promise<number> => new Promise((r) => proxy.getConnections((_, n) => r(n ?? 0)));

  const byId = new Map<string, Job>();
  const tally = new Map<Kind, { n: number; bad: number; errorEvents: number }>();
  const mismatches: string[] = [];
  const aborts: { job: Job; at: number }[] = [];

  /** Runs `jobs` at CONCURRENCY on a fresh keep-alive pool, checks each outcome, then drops the pool. */
  async function phase(jobs: Job[]): Promise<number> {
    const t0 = performance.now();
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        byId.set(job.id, job);
        const outcome: Outcome = await send(agent, base, job);
        progress.done++;
        const t = tally.get(job.kind) ?? { n: 0, bad: 0, errorEvents: 0 };
        tally.set(job.kind, t);
        t.n++;
        if (outcome.errorEvent) t.errorEvents++;
        const why = mismatch(job, outcome);
        if (why) {
          t.bad++;
          const seen = { ...outcome, body: outcome.body?.slice(0, 120) };
          mismatches.push(`${job.id} ${job.kind}: wanted ${why}, got ${JSON.stringify(seen)}`);
        }
        if (outcome.abortedAt !== undefined) aborts.push({ job, at: outcome.abortedAt });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    // The jobs are done: keep none of them alive into the memory measurement.
    jobs.length = 0;
    return performance.now() - t0;
  }

  /** Waits (bounded) until no upstream request is in flight and no client connection is left on the proxy. */
  async function settle(): Promise<{ inFlight: number; proxyConnections: number }> {
    const deadline = performance.now() + SETTLE_MS;
    const read = async (): Promise<{ inFlight: number; proxyConnections: number }> => ({
      inFlight: (await upstream.state()).inFlight,
      proxyConnections: await connections(),
    });
    let state = await read();
    while ((state.inFlight > 0 || state.proxyConnections > 0) && performance.now() < deadline) {
      await sleep(20);
      state = await read();
    }
    return state;
  }

  async function memoryAfterGc(): Promise<NodeJS.MemoryUsage> {
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 4; i++) {
      gc?.();
      await sleep(50);
    }
    return process.memoryUsage();
  }

  const resources = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
    return counts;
  };

  const lags: number[] = [];
  /** Aborts that came while the proxy had not yet accepted the client's connection, and how long before. */
  const acceptWaits: number[] = [];
  let abortsNotReached = 0;
  /**
   * Checks what the last phase left: each client abort against the upstream's view of its request, and the
   * error log lines against the requests they name. Then drops that bookkeeping, so that the memory measured
   * next holds only what the proxy and the pools hold.
   */
  async function checkPhase(): Promise<void> {
    const records = new Map(await upstream.records());
    for (const { job, at } of aborts) {
      const seen = records.get(job.id);
      const accepted = requestAccepted.get(job.id);
      if (!seen) abortsNotReached++;
      else if (seen.closedAt === undefined)
        fail(`${job.id} ${job.kind}: the upstream request is still open after the client aborted`);
      else {
        if (accepted !== undefined && accepted > at) acceptWaits.push(accepted - at);
        const from = Math.max(at, accepted ?? at);
        const lag = seen.closedAt - (performance.timeOrigin + from);
        lags.push(lag);
        if (lag > ABORT_PROPAGATION_MS)
          fail(
            `${job.id} ${job.kind}: upstream request closed ${lag.toFixed(0)} ms after the client aborted${from > at ? ' and the proxy accepted its connection' : ''} (limit ${ABORT_PROPAGATION_MS})`,
          );
      }
    }
    const internal = errorLines.filter((l) => l.event === 'internal_error');
    if (internal.length > 0)
      fail(`${internal.length} internal_error log lines, first: ${JSON.stringify(internal[0])}`);
    const healthyErrors = errorLines.filter((l) => {
      const job = byId.get(String(l.id));
      return job !== undefined && HEALTHY.has(job.kind);
    });
    if (healthyErrors.length > 0)
      fail(
        `${healthyErrors.length} error log lines for requests with no fault, first: ${JSON.stringify(healthyErrors[0])}`,
      );
    await upstream.clear();
    requestAccepted.clear();
    aborts.length = 0;
    byId.clear();
    errorLines.length = 0;
  }

  // Warm-up: the same mix and size, so that pools, JIT, heap and RSS reach their working size. (A third of the
  // size did while the upstream shared this process and its memory; without it, RSS was still rising at the
  // end of so short a warm-up: 106 MiB after it, 123 MiB at the end, flat from there.)
  const warmJobs = makeJobs('warm', REQUESTS, STREAMS, random);
  const warmCount = warmJobs.length;
  progress.stage = 'warm-up';
  const warmMs = await phase(warmJobs);
  progress.stage = 'settling after the warm-up';
  const warmState = await settle();
  await checkPhase();
  const warm = await memoryAfterGc();
  const warmResources = resources();

  const mainJobs = makeJobs('main', REQUESTS, STREAMS, random);
  const mainCount = mainJobs.length;
  progress.stage = 'main';
  const mainMs = await phase(mainJobs);
  progress.stage = 'settling at the end';
  const endState = await settle();
  await checkPhase();
  const end = await memoryAfterGc();
  const endResources = resources();

  if (mismatches.length > 0)
    fail(
      `${mismatches.length} requests had an outcome their fault does not call for:\n    ${mismatches.slice(0, 10).join('\n    ')}`,
    );
  for (const [when, s] of [
    ['after warm-up', warmState],
    ['at the end', endState],
  ] as const) {
    if (s.inFlight > 0)
      fail(
        `${when}: ${s.inFlight} upstream requests still in flight ${SETTLE_MS} ms after the last client finished`,
      );
    if (s.proxyConnections > 0)
      fail(
        `${when}: ${s.proxyConnections} client connections still open on the proxy after every client closed`,
      );
  }
  const { sockets } = await upstream.state();
  if (sockets.busy > 0) fail(`${sockets.busy} upstream sockets still carry a request`);
  // Timers left behind by requests that are over (a timeout never cleared) would pile up here.
  if ((endResources.Timeout ?? 0) > (warmResources.Timeout ?? 0))
    fail(
      `active timers grew from ${warmResources.Timeout ?? 0} after the warm-up to ${endResources.Timeout ?? 0}`,
    );
  if (uncaught.length > 0) fail(`${uncaught.length} uncaught exceptions, first: ${uncaught[0]}`);
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  if (!gcExposed) fail('global.gc is not exposed: run with node --expose-gc (npm run soak does)');
  const rssGrowth = end.rss / warm.rss - 1;
  if (rssGrowth > RSS_TOLERANCE)
    fail(
      `RSS grew ${(rssGrowth * 100).toFixed(1)} % after GC (warm-up ${mb(warm.rss)}, end ${mb(end.rss)}; limit ${RSS_TOLERANCE * 100} %)`,
    );

  await new Promise<void>((r) => {
    proxy.closeAllConnections();
    proxy.close(() => r());
  });
  await upstream.close();

  // Summary.
  const out = (s = ''): boolean => process.stdout.write(`${s}\n`);
  const requests = [...tally.values()].reduce((n, t) => n + t.n, 0);
  out(
    `soak: seed ${SEED}, concurrency ${CONCURRENCY}, ${requests} requests (${warmCount} warm-up, ${mainCount} main)`,
  );
  out(
    `  warm-up ${(warmMs / 1000).toFixed(1)} s, main ${(mainMs / 1000).toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  out('  outcomes by kind: requests, mismatched, SSE streams that ended with an `event: error`');
  for (const [kind, t] of [...tally].sort(([a], [b]) => a.localeCompare(b)))
    out(
      `    ${kind.padEnd(22)} ${String(t.n).padStart(5)} ${String(t.bad).padStart(5)} ${String(t.errorEvents).padStart(5)}`,
    );
  const pct = (values: number[], p: number): string => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1)
      : '-';
  };
  out(
    `  client aborts: ${lags.length} reached the upstream (p50 ${pct(lags, 0.5)} ms, p99 ${pct(lags, 0.99)} ms, max ${pct(lags, 1)} ms to close it), ${abortsNotReached} aborted before reaching it`,
  );
  out(
    `    ${acceptWaits.length} of them aborted before the proxy had accepted their connection (it did ${pct(acceptWaits, 0.5)} ms later at p50, ${pct(acceptWaits, 1)} ms at most; counted from there)`,
  );
  out(
    `  upstream sockets at the end: ${sockets.open} open, ${sockets.busy} with a request in flight; proxy client connections: ${endState.proxyConnections}`,
  );
  out(`  log events: ${[...events].map(([e, n]) => `${e} ${n}`).join(', ')}`);
  out(
    `  memory after GC: warm-up rss ${mb(warm.rss)} heap ${mb(warm.heapUsed)}; end rss ${mb(end.rss)} heap ${mb(end.heapUsed)} (rss ${rssGrowth >= 0 ? '+' : ''}${(rssGrowth * 100).toFixed(1)} %)`,
  );
  out(`  active resources: warm-up ${JSON.stringify(warmResources)}; end ${JSON.stringify(endResources)}`);
  if (failures.length === 0) out('soak: PASSED');
  else {
    out(`soak: FAILED (${failures.length}):`);
    for (const f of failures) out(`  - ${f}`);
  }
  clearTimeout(watchdog);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: FAILED: ${String((err as Error)?.stack ?? err)}\n`);
  // The proxy still listens and would keep the process up; the upstream's process exits when this one does.
  process.exit(1);
});
