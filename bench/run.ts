/**
 * oxy's benchmark: `npm run bench [-- FLAGS]`. On loopback only, it builds the SCF zip from the current
 * code and compares, side by side, the upstream called directly, a bare node:http proxy and oxy started
 * through scf_bootstrap: non-stream throughput and latency, SSE chunk delay, cold start, memory and size.
 * It prints markdown tables and writes bench/results/latest.json and docs/benchmarks.md.
 *
 * Flags:
 *   --quick          1 round of 2 s loads, 3 cold-start spawns, 1 memory run per proxy; writes no files
 *                    unless --write is given (for development)
 *   --rounds=N       interleaved rounds of load + SSE measurements (default 5)
 *   --duration=S     seconds per autocannon measurement (default 5)
 *   --skip-build     measure the existing dist/ (from `npm run bundle`) instead of building afresh
 *   --write          write the result files even with --quick
 *   --no-write       print only, write no files
 *
 * Exit code: 0 when the bench ran, whether or not the targets passed (the report says which); 1 when it
 * could not run (build failure, a server that did not start, a failed request, the 10-minute watchdog).
 */
import path from 'node:path';
import { buildScf, type Build } from './build';
import { nowMs, sleep } from './clock';
import { measureColdStart } from './cold-start';
import { measureLoad, type LoadResult, type LoadOptions } from './load';
import { describeMachine, type Machine } from './machine';
import { measureMemory, type MemoryRun } from './memory';
import { writeFormatted, format } from './output';
import { installExitHooks, killAllNow, stopChild, type Child } from './processes';
import { document, tables } from './report';
import {
  CONFIGS,
  PROXIES,
  ratios,
  summariseColdStart,
  summariseLoad,
  summariseMemory,
  summariseSse,
  type Config,
  type Results,
  type Settings,
} from './results';
import { startProxy, startUpstream, type ProxyKind } from './servers';
import { measureSize } from './size';
import { measureSse, type SseResult, type SseOptions } from './sse';
import { round } from './stats';
import { evaluateTargets } from './targets';

const ROOT = path.resolve(__dirname, '..');
const WATCHDOG_MS = 10 * 60_000;

interface Flags {
  quick: boolean;
  rounds: number;
  durationS: number;
  skipBuild: boolean;
  write: boolean;
}

function parseFlags(argv: string[]): Flags {
  const value = (name: string): number | undefined => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    if (arg === undefined) return undefined;
    const n = Number(arg.slice(name.length + 3));
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw new Error(`${arg}: expected a number from 1 to 100`);
    return n;
  };
  const known = /^--(quick|skip-build|write|no-write|rounds=.*|duration=.*)$/;
  const unknown = argv.filter((a) => !known.test(a));
  if (unknown.length > 0) throw new Error(`unknown flag ${unknown.join(' ')} (see the top of bench/run.ts)`);
  const quick = argv.includes('--quick');
  return {
    quick,
    rounds: Math.round(value('rounds') ?? (quick ? 1 : 5)),
    durationS: value('duration') ?? (quick ? 2 : 5),
    skipBuild: argv.includes('--skip-build'),
    write: argv.includes('--no-write') ? false : argv.includes('--write') || !quick,
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Every config in a round, in an order rotated each round so none always runs first or last. */
function rotated(roundIndex: number): Config[] {
  return CONFIGS.map((_, i) => CONFIGS[(i + roundIndex) % CONFIGS.length] as Config);
}

async function run(flags: Flags, build: Build, machine: Machine): Promise<Results> {
  const settings: Settings = {
    rounds: flags.rounds,
    loadSeconds: flags.durationS,
    connections: 32,
    sseStreams: 20,
    sseChunks: 50,
    sseIntervalMs: 10,
    coldStartSpawns: flags.quick ? 3 : 10,
    memoryRuns: flags.quick ? 1 : 3,
    memoryBodyBytes: 200 * 2 ** 20,
    built: flags.skipBuild ? 'dist' : 'fresh',
  };
  const load: LoadOptions = { connections: settings.connections, durationS: settings.loadSeconds };
  const sse: SseOptions = {
    streams: settings.sseStreams,
    chunks: settings.sseChunks,
    intervalMs: settings.sseIntervalMs,
  };
  const children: Child[] = [];
  try {
    const upstream = await startUpstream();
    children.push(upstream.child);
    const bare = await startProxy('bare', upstream.url, build.scfDir);
    children.push(bare.child);
    const oxy = await startProxy('oxy', upstream.url, build.scfDir);
    children.push(oxy.child);
    const urls: Record<Config, string> = { direct: upstream.url, bare: bare.url, oxy: oxy.url };

    progress('warming up');
    for (const config of CONFIGS) {
      await measureLoad(urls[config], { ...load, durationS: 1 });
      await measureSse(urls[config], { ...sse, chunks: 10 });
    }
    const loadRuns: Record<Config, LoadResult[]> = { direct: [], bare: [], oxy: [] };
    const sseRuns: Record<Config, SseResult[]> = { direct: [], bare: [], oxy: [] };
    for (let i = 0; i < settings.rounds; i++) {
      for (const config of rotated(i)) {
        progress(`round ${i + 1}/${settings.rounds}: ${config}`);
        loadRuns[config].push(await measureLoad(urls[config], load));
        await sleep(200);
        sseRuns[config].push(await measureSse(urls[config], sse));
      }
    }
    await stopChild(oxy.child);
    await stopChild(bare.child);

    progress(`cold start, ${settings.coldStartSpawns} spawns each`);
    const coldStart = await measureColdStart(settings.coldStartSpawns, upstream.url, build.scfDir);

    progress(`memory, ${settings.memoryRuns} runs each`);
    const memoryRuns: Record<ProxyKind, MemoryRun[]> = { bare: [], oxy: [] };
    for (let i = 0; i < settings.memoryRuns; i++) {
      for (const kind of PROXIES) {
        memoryRuns[kind].push(
          await measureMemory(kind, upstream.url, build.scfDir, settings.memoryBodyBytes),
        );
      }
    }

    const loadSummary = {
      direct: summariseLoad(loadRuns.direct),
      bare: summariseLoad(loadRuns.bare),
      oxy: summariseLoad(loadRuns.oxy),
    };
    const partial: Omit<Results, 'targets'> = {
      machine,
      settings,
      runSeconds: 0,
      load: loadSummary,
      ratios: ratios(loadSummary),
      sse: {
        direct: summariseSse(sseRuns.direct, sseRuns.direct),
        bare: summariseSse(sseRuns.bare, sseRuns.direct),
        oxy: summariseSse(sseRuns.oxy, sseRuns.direct),
      },
      coldStart: summariseColdStart(coldStart),
      memory: { bare: summariseMemory(memoryRuns.bare), oxy: summariseMemory(memoryRuns.oxy) },
      size: measureSize(build.zipPath, build.scfDir, build.metaPath),
    };
    return { ...partial, targets: evaluateTargets(partial) };
  } finally {
    await Promise.all(children.map((c) => stopChild(c)));
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  installExitHooks();
  const watchdog = setTimeout(() => {
    progress(`watchdog: still running after ${WATCHDOG_MS / 60_000} minutes, giving up`);
    killAllNow();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();

  const machine = describeMachine(new Date());
  const t0 = nowMs();
  progress(flags.skipBuild ? 'using the existing dist/' : 'building the SCF zip');
  const build = await buildScf(flags.skipBuild ? path.join(ROOT, 'dist') : undefined);
  let results: Results;
  try {
    results = await run(flags, build, machine);
  } finally {
    build.cleanup();
  }
  results.runSeconds = round((nowMs() - t0) / 1000, 0);

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
    `done in ${results.runSeconds} s: ${results.targets.length - failed} targets pass, ${failed} fail`,
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
