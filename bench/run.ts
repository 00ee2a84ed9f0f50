/**
 * oxy's benchmark: `npm run bench [-- FLAGS]`. On loopback only, it builds the SCF zip from the current
 * code and compares, side by side, the upstream called directly, a bare node:http proxy, oxy started
 * through scf_bootstrap ("oxy"), and the same with a proxy key and a three-key upstream pool
 * ("oxy-keys"): non-stream throughput and latency against two upstreams (OpenAI-like answer headers, and
 * minimal: only content-type and content-length), SSE chunk delay, WebSocket message round trip (an echo
 * through the relay), cold start, memory and size. Beside them, for information and held to no target,
 * "oxy-moderated" (the zip with OXY_MODERATION=tencent, checking with a loopback TMS stand-in,
 * bench/tms-stand-in.ts, in its own process): SSE chunk delay, and the time to first byte of a non-stream
 * request against oxy's (the prompt check); and "engine", the engine alone (bench/engine-proxy.js:
 * http-proxy-middleware configured as oxy configures it, with none of oxy's steps) under the same non-stream
 * loads, to tell what the engine costs from what oxy's steps cost. It prints markdown tables and writes
 * bench/results/latest.json and docs/benchmarks.md. A full run takes about 5 minutes (16 load rounds of 10
 * loads of 1 s, most of it, after 5 s of warm-up load per proxy; before them, 5 rounds of SSE and WebSocket
 * sessions, about 5 s each with oxy-moderated). A load during which the hypervisor took the VM's CPU is run
 * again (bench/quiet-load.ts), which can add up to 6 minutes.
 *
 * Flags:
 *   --quick          2 load rounds, 1 SSE and WebSocket round, 3 cold-start spawns, 1 memory run per
 *                    proxy; writes no files unless --write is given (for development)
 *   --load-rounds=N  rounds of non-stream load (default 16): each measures every configuration once per
 *                    upstream, one upstream's configurations back to back; the target ratios are medians
 *                    of the rounds' ratios. Many short loads rather than a few long ones: this machine's
 *                    speed moves over seconds (docs/benchmarks.md, Method)
 *   --rounds=N       rounds of SSE, WebSocket and oxy-moderated measurements (default 5)
 *   --duration=S     seconds per autocannon load (default 1; 4 for --profile and --idle-burst)
 *   --warm-up=S      seconds of non-stream load each proxy process gets before the rounds (default 5; 1 with
 *                    --quick): a fresh process runs its first 2 to 3 s of load at a third to half of its
 *                    later rate while V8 compiles its hot code (docs/benchmarks.md, Method)
 *   --skip-build     measure the existing dist/ (from `npm run bundle`) instead of building afresh
 *   --write          write the result files even with --quick
 *   --no-write       print only, write no files
 *   --sse-only       measure only streaming: the SSE delay of every configuration and of oxy-moderated, and
 *                    oxy-moderated's prompt delay (--rounds rounds after one warm-up); prints those tables,
 *                    writes no files, checks no targets (for work on streaming or moderation)
 *   --profile        instead of the bench: run oxy-keys under `node --cpu-prof` (an unminified twin of the
 *                    SCF bundle, spawned directly, in a temporary folder) for one load of --duration
 *                    seconds against the minimal upstream, and print its top 15 self-time functions,
 *                    self time by origin (oxy, each npm package, Node internals, native, GC) and time by
 *                    calling package; see bench/profile.ts. Writes nothing into the repository.
 *   --instructions   instead of the bench: CPU instructions counted by Valgrind's callgrind, which the
 *                    machine's load does not move: start-up (spawn to first proxied 200) and per request at
 *                    steady state on the minimal upstream, of bare, engine, oxy and oxy-keys; see
 *                    bench/instructions.ts. Needs valgrind; about 9 minutes; writes nothing.
 *   --idle-burst     instead of the bench: --rounds rounds of two loads in a row per proxy (bare; oxy and
 *                    oxy-keys through their bootstrap, V8's memory reducer off; the same index.js under
 *                    plain node, reducer on), each proxy idle while the others run, against the OpenAI-like
 *                    upstream; prints the first and the warm load of each; see bench/idle-burst.ts. Writes
 *                    nothing.
 *
 * Exit code: 0 when the bench ran, whether or not the targets passed (the report says which); 1 when it
 * could not run (build failure, a server that did not start, a failed request, the 10-minute watchdog).
 */
import path from 'node:path';
import { buildScf, type Build } from './build';
import { nowMs, sleep } from './clock';
import { measureColdStart } from './cold-start';
import { measureIdleBursts } from './idle-burst';
import { measureInstructions } from './instructions';
import { checkKeySwap, checkWebSocketKeySwap } from './key-check';
import { measureLoad, type LoadOptions } from './load';
import { cpuTicks, describeMachine, stolenPercent, type Machine } from './machine';
import { measureMemory, type MemoryRun } from './memory';
import { checkModeration, measurePromptDelay } from './moderation';
import { writeFormatted, format } from './output';
import { quietLoad, stealGate, type QuietLoadResult } from './quiet-load';
import { installExitHooks, killAllNow, stopChild, type Child } from './processes';
import { profileOxy } from './profile';
import { document, moderatedSection, sseSection, tables } from './report';
import {
  CONFIGS,
  PROXIES,
  ratios,
  summariseColdStart,
  summariseLoad,
  summariseMemory,
  summariseModeratedSse,
  summarisePromptDelay,
  summariseSse,
  summariseWebSocket,
  type Config,
  type MemoryProxy,
  type ModeratedSummary,
  type Results,
  type Settings,
} from './results';
import {
  startModeratedOxy,
  startProxy,
  startTmsStandIn,
  startUpstream,
  UPSTREAMS,
  type UpstreamMode,
} from './servers';
import { measureLogCost } from './log-cost';
import { measureSize } from './size';
import { measureSse, type SseResult, type SseOptions } from './sse';
import { SENTENCE_TOKENS } from './stream-text';
import { round } from './stats';
import { evaluateTargets } from './targets';
import { appendMessage, measureWebSocket, type WebSocketOptions, type WebSocketResult } from './websocket';

const ROOT = path.resolve(__dirname, '..');
/** A full run takes about 5 minutes; loads run again for stolen CPU (bench/quiet-load.ts) can add 6 more. */
const WATCHDOG_MS = 15 * 60_000;
/** A Realtime `input_audio_buffer.append` with ~1.5 KB of base64 audio (about 30 ms of 24 kHz PCM16). */
const WS_MESSAGE_BYTES = 2048;

interface Flags {
  quick: boolean;
  rounds: number;
  loadRounds: number;
  durationS: number;
  warmUpS: number;
  skipBuild: boolean;
  write: boolean;
  profile: boolean;
  sseOnly: boolean;
  idleBurst: boolean;
  instructions: boolean;
}

function parseFlags(argv: string[]): Flags {
  const value = (name: string): number | undefined => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    if (arg === undefined) return undefined;
    const n = Number(arg.slice(name.length + 3));
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw new Error(`${arg}: expected a number from 1 to 100`);
    return n;
  };
  const known =
    /^--(quick|skip-build|write|no-write|profile|sse-only|idle-burst|instructions|rounds=.*|load-rounds=.*|duration=.*|warm-up=.*)$/;
  const unknown = argv.filter((a) => !known.test(a));
  if (unknown.length > 0) throw new Error(`unknown flag ${unknown.join(' ')} (see the top of bench/run.ts)`);
  const quick = argv.includes('--quick');
  const profile = argv.includes('--profile');
  const idleBurst = argv.includes('--idle-burst');
  const sseOnly = argv.includes('--sse-only');
  const instructions = argv.includes('--instructions');
  return {
    quick,
    rounds: Math.round(value('rounds') ?? (quick ? 1 : 5)),
    loadRounds: Math.round(value('load-rounds') ?? (quick ? 2 : 16)),
    // The bench's loads are short and many (paired rounds); the profile and the idle bursts keep 4 s loads.
    durationS: value('duration') ?? (profile || idleBurst ? 4 : 1),
    warmUpS: value('warm-up') ?? (quick ? 1 : 5),
    skipBuild: argv.includes('--skip-build'),
    // The other modes print only; --quick writes only when asked to.
    write:
      !(profile || idleBurst || sseOnly || instructions || argv.includes('--no-write')) &&
      (argv.includes('--write') || !quick),
    profile,
    sseOnly,
    idleBurst,
    instructions,
  };
}

const started = nowMs();

/** A line on stderr, with the seconds since the bench started. */
function progress(message: string): void {
  process.stderr.write(`bench [${Math.round((nowMs() - started) / 1000)} s]: ${message}\n`);
}

/** `items` in an order rotated each round, so none always runs first or last. */
function rotated<T>(items: readonly T[], roundIndex: number): T[] {
  return items.map((_, i) => items[(i + roundIndex) % items.length]!);
}

/** The load configurations of a round: every config, and the engine alone (load only, informational). */
const LOADED = [...CONFIGS, 'engine'] as const;

/** Both upstreams, the first one alternating from round to round. */
function upstreamOrder(roundIndex: number): UpstreamMode[] {
  return roundIndex % 2 === 0 ? [...UPSTREAMS] : [...UPSTREAMS].reverse();
}

function perConfig<T>(make: () => T): Record<Config, T> {
  return { direct: make(), bare: make(), oxy: make(), 'oxy-keys': make() };
}

function perUpstream<T>(make: (mode: UpstreamMode) => T): Record<UpstreamMode, T> {
  return { openai: make('openai'), minimal: make('minimal') };
}

function settingsOf(flags: Flags): Settings {
  return {
    rounds: flags.rounds,
    loadRounds: flags.loadRounds,
    loadSeconds: flags.durationS,
    warmUpSeconds: flags.warmUpS,
    connections: 32,
    sseStreams: 20,
    sseChunks: 50,
    sseIntervalMs: 10,
    sseSentenceTokens: SENTENCE_TOKENS.length,
    wsSessions: 20,
    wsMessages: 50,
    wsIntervalMs: 10,
    wsMessageBytes: Buffer.byteLength(appendMessage(WS_MESSAGE_BYTES, 0, 0)),
    promptDelayRequests: 200,
    coldStartSpawns: flags.quick ? 3 : 10,
    memoryRuns: flags.quick ? 1 : 3,
    memoryBodyBytes: 200 * 2 ** 20,
    built: flags.skipBuild ? 'dist' : 'fresh',
  };
}

/** oxy-moderated, started (with its TMS stand-in) for SSE and the prompt delay. */
interface Moderated {
  url: string;
  /** The stand-in's count of the calls it verified (bench/tms-stand-in.ts). */
  callsUrl: string;
  /** TMS calls checked so far. */
  calls: number;
}

/**
 * Starts the TMS stand-in and oxy-moderated on `target`, adding both to `children` and to `stopAfterRounds`,
 * and checks that oxy-moderated refuses a prompt the stand-in blocks, with correctly signed calls.
 */
async function startModerated(
  target: string,
  scfDir: string,
  children: Child[],
  stopAfterRounds: Child[],
): Promise<Moderated> {
  const standIn = await startTmsStandIn();
  children.push(standIn.child);
  stopAfterRounds.push(standIn.child);
  const proxy = await startModeratedOxy(target, scfDir, standIn.url);
  children.push(proxy.child);
  stopAfterRounds.push(proxy.child);
  const calls = await checkModeration(proxy.url, standIn.callsUrl, 0);
  return { url: proxy.url, callsUrl: standIn.callsUrl, calls };
}

/**
 * After the rounds: the prompt delay against oxy, then the stand-in's check of every call since the start
 * (one per prompt at least: the warm-up's, the rounds', the prompt delay's); the summary.
 */
async function finishModerated(
  moderated: Moderated,
  oxyUrl: string,
  settings: Settings,
  runs: SseResult[],
  direct: SseResult[],
): Promise<ModeratedSummary> {
  progress(`oxy-moderated: prompt delay, ${settings.promptDelayRequests} requests each`);
  const prompt = await measurePromptDelay(oxyUrl, moderated.url, settings.promptDelayRequests);
  const prompts = (1 + settings.rounds) * settings.sseStreams + settings.promptDelayRequests;
  moderated.calls += await checkModeration(moderated.url, moderated.callsUrl, prompts);
  return {
    sse: summariseModeratedSse(runs, direct),
    promptDelay: summarisePromptDelay(prompt.plainMs, prompt.moderatedMs),
    tmsCalls: moderated.calls,
  };
}

async function run(flags: Flags, build: Build, machine: Machine): Promise<Results> {
  const settings = settingsOf(flags);
  const load: LoadOptions = { connections: settings.connections, durationS: settings.loadSeconds };
  const sse: SseOptions = {
    streams: settings.sseStreams,
    chunks: settings.sseChunks,
    intervalMs: settings.sseIntervalMs,
  };
  const websocket: WebSocketOptions = {
    sessions: settings.wsSessions,
    messages: settings.wsMessages,
    intervalMs: settings.wsIntervalMs,
    messageBytes: WS_MESSAGE_BYTES,
  };
  const children: Child[] = [];
  try {
    const upstream = await startUpstream();
    children.push(upstream.child);
    const proxies: Child[] = [];
    const urls = perUpstream((mode) => perConfig(() => upstream.urls[mode]));
    const engineUrls = perUpstream(() => '');
    for (const mode of UPSTREAMS) {
      for (const kind of ['bare', 'engine', 'oxy', 'oxy-keys'] as const) {
        const proxy = await startProxy(kind, upstream.urls[mode], build.scfDir);
        children.push(proxy.child);
        proxies.push(proxy.child);
        if (kind === 'engine') engineUrls[mode] = proxy.url;
        else urls[mode][kind] = proxy.url;
      }
    }
    const moderated = await startModerated(upstream.urls.openai, build.scfDir, children, proxies);
    for (const mode of UPSTREAMS) await checkKeySwap(urls[mode]['oxy-keys'], upstream.urls[mode]);
    await checkWebSocketKeySwap(urls.openai['oxy-keys'], upstream.urls.openai);

    const loadRuns = perUpstream(() => perConfig((): QuietLoadResult[] => []));
    const engineRuns = perUpstream((): QuietLoadResult[] => []);
    const sseRuns = perConfig((): SseResult[] => []);
    const wsRuns = perConfig((): WebSocketResult[] => []);
    const moderatedRuns: SseResult[] = [];

    // Streams first, loads after: a proxy's first load after SSE and WebSocket sessions ran at half its rate
    // while V8 compiled its code again, so loads interleaved with them measured that, not the proxy.
    progress('warming up: SSE and WebSocket');
    for (const config of CONFIGS) {
      await measureSse(urls.openai[config], { ...sse, chunks: 10 });
      await measureWebSocket(urls.openai[config], { ...websocket, messages: 10 });
    }
    await measureSse(moderated.url, { ...sse, chunks: 10 });
    for (let i = 0; i < settings.rounds; i++) {
      progress(`round ${i + 1}/${settings.rounds}: SSE and WebSocket, then oxy-moderated SSE`);
      for (const config of rotated(CONFIGS, i)) {
        sseRuns[config].push(await measureSse(urls.openai[config], sse));
        wsRuns[config].push(await measureWebSocket(urls.openai[config], websocket));
      }
      moderatedRuns.push(await measureSse(moderated.url, sse));
    }

    progress(`warming up: ${settings.warmUpSeconds} s of load per proxy`);
    for (const mode of UPSTREAMS) {
      for (const config of CONFIGS)
        await measureLoad(urls[mode][config], { ...load, durationS: settings.warmUpSeconds });
      await measureLoad(engineUrls[mode], { ...load, durationS: settings.warmUpSeconds });
    }
    for (let i = 0; i < settings.loadRounds; i++) {
      // One upstream at a time, its configurations back to back, so that the ratios, paired round by round,
      // compare loads a few seconds apart (results.ts, ratioTo).
      for (const mode of upstreamOrder(i)) {
        progress(`load round ${i + 1}/${settings.loadRounds}: ${mode} upstream`);
        for (const config of rotated(LOADED, i)) {
          if (config === 'engine') engineRuns[mode].push(await quietLoad(engineUrls[mode], load));
          else loadRuns[mode][config].push(await quietLoad(urls[mode][config], load));
          await sleep(200);
        }
      }
    }
    const moderatedSummary = await finishModerated(
      moderated,
      urls.openai.oxy,
      settings,
      moderatedRuns,
      sseRuns.direct,
    );
    for (const child of proxies) await stopChild(child);

    progress(`cold start, ${settings.coldStartSpawns} spawns each`);
    const coldStart = await measureColdStart(settings.coldStartSpawns, upstream.urls.openai, build.scfDir);

    progress(`memory, ${settings.memoryRuns} runs each`);
    const memoryRuns: Record<MemoryProxy, MemoryRun[]> = { bare: [], oxy: [] };
    for (let i = 0; i < settings.memoryRuns; i++) {
      for (const kind of PROXIES) {
        memoryRuns[kind].push(
          await measureMemory(kind, upstream.urls.openai, build.scfDir, settings.memoryBodyBytes),
        );
      }
    }

    const loadSummary = perUpstream((mode) => {
      const runs = loadRuns[mode];
      return {
        direct: summariseLoad(runs.direct),
        bare: summariseLoad(runs.bare),
        oxy: summariseLoad(runs.oxy),
        'oxy-keys': summariseLoad(runs['oxy-keys']),
      };
    });
    const partial: Omit<Results, 'targets'> = {
      machine,
      settings,
      runSeconds: 0,
      stolenPercent: undefined,
      loadSteal: stealGate(
        UPSTREAMS.flatMap((mode) => [...Object.values(loadRuns[mode]).flat(), ...engineRuns[mode]]),
      ),
      load: loadSummary,
      ratios: perUpstream((mode) => ratios(loadSummary[mode])),
      engine: perUpstream((mode) => summariseLoad(engineRuns[mode])),
      sse: {
        direct: summariseSse(sseRuns.direct, sseRuns.direct),
        bare: summariseSse(sseRuns.bare, sseRuns.direct),
        oxy: summariseSse(sseRuns.oxy, sseRuns.direct),
        'oxy-keys': summariseSse(sseRuns['oxy-keys'], sseRuns.direct),
      },
      websocket: {
        direct: summariseWebSocket(wsRuns.direct, wsRuns.direct),
        bare: summariseWebSocket(wsRuns.bare, wsRuns.direct),
        oxy: summariseWebSocket(wsRuns.oxy, wsRuns.direct),
        'oxy-keys': summariseWebSocket(wsRuns['oxy-keys'], wsRuns.direct),
      },
      moderated: moderatedSummary,
      coldStart: summariseColdStart(coldStart),
      memory: { bare: summariseMemory(memoryRuns.bare), oxy: summariseMemory(memoryRuns.oxy) },
      size: measureSize(build.zipPath, build.scfDir, build.metaPath),
      logLine: measureLogCost(),
    };
    return { ...partial, targets: evaluateTargets(partial) };
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
  }
}

/**
 * --sse-only: SSE of every configuration (OpenAI-like upstream) and of oxy-moderated, interleaved as in the
 * full run, and oxy-moderated's prompt delay; prints their tables.
 */
async function runSseOnly(flags: Flags, build: Build): Promise<void> {
  const settings = settingsOf(flags);
  const sse: SseOptions = {
    streams: settings.sseStreams,
    chunks: settings.sseChunks,
    intervalMs: settings.sseIntervalMs,
  };
  const children: Child[] = [];
  try {
    const upstream = await startUpstream();
    children.push(upstream.child);
    const urls = perConfig(() => upstream.urls.openai);
    for (const kind of ['bare', 'oxy', 'oxy-keys'] as const) {
      const proxy = await startProxy(kind, upstream.urls.openai, build.scfDir);
      children.push(proxy.child);
      urls[kind] = proxy.url;
    }
    const moderated = await startModerated(upstream.urls.openai, build.scfDir, children, []);
    progress('warming up');
    for (const config of CONFIGS) await measureSse(urls[config], { ...sse, chunks: 10 });
    await measureSse(moderated.url, { ...sse, chunks: 10 });
    const sseRuns = perConfig((): SseResult[] => []);
    const moderatedRuns: SseResult[] = [];
    for (let i = 0; i < settings.rounds; i++) {
      progress(`round ${i + 1}/${settings.rounds}: SSE`);
      for (const config of rotated(CONFIGS, i)) sseRuns[config].push(await measureSse(urls[config], sse));
      moderatedRuns.push(await measureSse(moderated.url, sse));
    }
    const results = {
      settings,
      sse: {
        direct: summariseSse(sseRuns.direct, sseRuns.direct),
        bare: summariseSse(sseRuns.bare, sseRuns.direct),
        oxy: summariseSse(sseRuns.oxy, sseRuns.direct),
        'oxy-keys': summariseSse(sseRuns['oxy-keys'], sseRuns.direct),
      },
      moderated: await finishModerated(moderated, urls.oxy, settings, moderatedRuns, sseRuns.direct),
    };
    const text = [sseSection(results), moderatedSection(results)].join('\n\n');
    process.stdout.write(await format(path.join(ROOT, 'bench', 'tables.md'), text));
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
  }
}

/** --instructions: the upstream, then each proxy under callgrind; prints the counts. */
async function runInstructions(build: Build): Promise<void> {
  const upstream = await startUpstream();
  try {
    const text = await measureInstructions(build, upstream.urls.minimal, { progress });
    process.stdout.write(await format(path.join(ROOT, 'bench', 'instructions.md'), text));
  } finally {
    await stopChild(upstream.child);
  }
}

/** --profile: the upstream, then oxy-keys under the profiler; prints the report. */
async function runProfile(flags: Flags, build: Build): Promise<void> {
  const upstream = await startUpstream();
  try {
    const text = await profileOxy(build, upstream.urls.minimal, {
      load: { connections: 32, durationS: flags.durationS },
      progress,
    });
    process.stdout.write(await format(path.join(ROOT, 'bench', 'profile.md'), text));
  } finally {
    await stopChild(upstream.child);
  }
}

/** --idle-burst: the upstream, then every proxy's bursts after idle spells; prints the table. */
async function runIdleBursts(flags: Flags, build: Build): Promise<void> {
  const upstream = await startUpstream();
  try {
    const text = await measureIdleBursts(build, upstream.urls.openai, {
      rounds: flags.rounds,
      load: { connections: 32, durationS: flags.durationS },
      progress,
    });
    process.stdout.write(await format(path.join(ROOT, 'bench', 'idle-burst.md'), text));
  } finally {
    await stopChild(upstream.child);
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  installExitHooks();
  // Under Valgrind everything runs ~50× slower: --instructions gets twice the time.
  const limitMs = flags.instructions ? 2 * WATCHDOG_MS : WATCHDOG_MS;
  const watchdog = setTimeout(() => {
    progress(`watchdog: still running after ${limitMs / 60_000} minutes, giving up`);
    killAllNow();
    process.exit(1);
  }, limitMs);
  watchdog.unref();

  const machine = describeMachine(new Date());
  const t0 = nowMs();
  progress(flags.skipBuild ? 'using the existing dist/' : 'building the SCF zip');
  const build = await buildScf(flags.skipBuild ? path.join(ROOT, 'dist') : undefined);
  if (flags.profile) {
    try {
      await runProfile(flags, build);
    } finally {
      build.cleanup();
    }
    progress(`profile done in ${round((nowMs() - t0) / 1000, 0)} s`);
    return;
  }
  if (flags.instructions) {
    try {
      await runInstructions(build);
    } finally {
      build.cleanup();
    }
    progress(`instructions done in ${round((nowMs() - t0) / 1000, 0)} s`);
    return;
  }
  if (flags.idleBurst) {
    try {
      await runIdleBursts(flags, build);
    } finally {
      build.cleanup();
    }
    progress(`idle bursts done in ${round((nowMs() - t0) / 1000, 0)} s`);
    return;
  }
  if (flags.sseOnly) {
    try {
      await runSseOnly(flags, build);
    } finally {
      build.cleanup();
    }
    progress(`SSE done in ${round((nowMs() - t0) / 1000, 0)} s`);
    return;
  }
  let results: Results;
  const ticks = cpuTicks();
  try {
    results = await run(flags, build, machine);
  } finally {
    build.cleanup();
  }
  results.runSeconds = round((nowMs() - t0) / 1000, 0);
  results.stolenPercent = stolenPercent(ticks, cpuTicks());

  process.stdout.write(await format(path.join(ROOT, 'bench', 'tables.md'), tables(results)));
  if (flags.write) {
    const json = path.join(ROOT, 'bench', 'results', 'latest.json');
    const doc = path.join(ROOT, 'docs', 'benchmarks.md');
    await writeFormatted(json, JSON.stringify(results));
    await writeFormatted(doc, document(results));
    progress(`wrote ${path.relative(ROOT, json)} and ${path.relative(ROOT, doc)}`);
  }
  const failed = results.targets.filter((t) => !t.pass).length;
  progress(
    `done in ${results.runSeconds} s (CPU stolen by the hypervisor: ${results.stolenPercent ?? 'unknown'} %): ` +
      `${results.targets.length - failed} targets pass, ${failed} fail`,
  );
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    progress(`could not run: ${err.stack ?? err.message}`);
    killAllNow();
    process.exit(1);
  },
);
