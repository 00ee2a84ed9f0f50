/**
 * `npm run bench -- --instructions`: what each proxy costs in CPU instructions, counted by Valgrind's
 * callgrind. On a shared 2-core VM the timed bench moves by a quarter from round to round (the bare proxy
 * alone ran anywhere from 2,600 to 8,000 req/s within one run), and `node -e 0` takes 100 to 440 ms. The
 * machine's load does not move an instruction count: a start-up count repeats within about 2 %, a per-request
 * count within several percent (the JIT is still compiling for thousands of requests, and the GC falls
 * where it falls), so the warm-up is long. It is informational: no target is held to it, and nothing is
 * written.
 *
 * - Start-up: every instruction from spawn to the first proxied 200 (then SIGTERM), beside `node -e 0`.
 *   Median of three spawns each.
 * - Per request: a proxy in front of the minimal upstream gets WARM_UP requests (32 connections) so V8 has
 *   compiled what it will, then instructions are counted over MEASURED requests only (callgrind_control
 *   turns counting on and off), and divided by them. The JIT's own compiling, GC and Node's internals count.
 *
 * Each proxy runs under `valgrind node …` directly (oxy as its bootstrap would run it, without the bootstrap's
 * shell), about 50 times slower than normal; the whole mode takes about 9 minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Build } from './build';
import { measureLoad } from './load';
import { freePort, spawnChild, stopChild } from './processes';
import { oxyEnv, proxyEnv, ready } from './servers';
import { median, round } from './stats';

const ROOT = path.resolve(__dirname, '..');
/** Fewer left the JIT compiling inside the count: the engine counted 397 K after 6000, 363 K after 10000. */
const WARM_UP = 12_000;
const MEASURED = 3000;
const SPAWNS = 3;
/** Valgrind runs everything ~50× slower: its waits are long. */
const SLOW_MS = 120_000;

type Kind = 'bare' | 'engine' | 'oxy' | 'oxy-keys';
const KINDS: Kind[] = ['bare', 'engine', 'oxy', 'oxy-keys'];

export interface InstructionOptions {
  progress(message: string): void;
}

/** Fails at once, saying what to install, when valgrind or callgrind_control is missing. */
function requireValgrind(): void {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error) throw new Error(`--instructions needs ${tool} (Debian: apt-get install valgrind)`);
  }
}

/** `node <args>` for a proxy kind, with its environment, as the timed bench starts it. */
function command(kind: Kind, build: Build, target: string, port: number) {
  if (kind === 'bare' || kind === 'engine') {
    const script = path.join(ROOT, 'bench', kind === 'bare' ? 'bare-proxy.js' : 'engine-proxy.js');
    return { args: [script], cwd: ROOT, env: proxyEnv({ TARGET: target, PORT: String(port) }) };
  }
  return {
    // What scf_bootstrap execs.
    args: ['--no-memory-reducer', path.join(build.scfDir, 'index.js')],
    cwd: build.scfDir,
    env: proxyEnv(oxyEnv(port, target, kind === 'oxy-keys')),
  };
}

/** The instructions in every callgrind output file of `dir` (a dump per file). */
function counted(dir: string): number {
  let total = 0;
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    // `totals:` closes a dump; its header's `summary:` can read 0 when counting began off.
    const m = /^totals: (\d+)/m.exec(text) ?? /^summary: (\d+)/m.exec(text);
    if (m?.[1]) total += Number(m[1]);
  }
  return total;
}

function callgrind(dir: string, atStart: boolean, nodeArgs: string[]): string[] {
  return [
    '--tool=callgrind',
    `--instr-atstart=${atStart ? 'yes' : 'no'}`,
    `--callgrind-out-file=${path.join(dir, 'cg.out')}`,
    process.execPath,
    ...nodeArgs,
  ];
}

/** Instructions from spawn to the first proxied 200 (or, for `node -e 0`, to its exit). */
async function startUp(kind: Kind | 'node -e 0', build: Build, target: string): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-cg-'));
  try {
    if (kind === 'node -e 0') {
      // With the proxies' environment: without the bench's NODE_* settings (bench/servers.ts says why).
      await spawnChild(kind, 'valgrind', callgrind(dir, true, ['-e', '0']), { env: proxyEnv({}) }).exited;
    } else {
      const port = await freePort();
      const { args, cwd, env } = command(kind, build, target, port);
      const child = spawnChild(kind, 'valgrind', callgrind(dir, true, args), { cwd, env });
      try {
        await ready(port, child, SLOW_MS);
      } finally {
        // Valgrind writes its counts when the process ends, on SIGTERM as well.
        await stopChild(child, SLOW_MS);
      }
    }
    return counted(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instructions per request at steady state, with counting on only while MEASURED requests run. */
async function perRequest(kind: Kind, build: Build, target: string): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-cg-'));
  try {
    const port = await freePort();
    const { args, cwd, env } = command(kind, build, target, port);
    const child = spawnChild(kind, 'valgrind', callgrind(dir, false, args), { cwd, env });
    const control = (...args: string[]): void => {
      const done = spawnSync('callgrind_control', [...args, String(child.pid)], { encoding: 'utf8' });
      if (done.status !== 0)
        throw new Error(`callgrind_control ${args.join(' ')}: ${done.stderr || done.error}`);
    };
    // measureLoad throws unless every request got a 2xx, so `requests` is MEASURED.
    const load = (url: string, amount: number) =>
      measureLoad(url, { connections: 32, durationS: 0, amount, timeoutS: SLOW_MS / 1000 });
    let requests: number;
    try {
      const url = await ready(port, child, SLOW_MS);
      await load(url, WARM_UP);
      control('-i', 'on');
      ({ requests } = await load(url, MEASURED));
      control('-i', 'off');
      control('-d');
    } finally {
      await stopChild(child, SLOW_MS);
    }
    return counted(dir) / requests;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const millions = (n: number): string => `${round(n / 1e6, 1)}M`;
const thousands = (n: number): string => `${round(n / 1e3, 1)}K`;

/** Counts start-up and per-request instructions of every proxy; returns the report as markdown. */
export async function measureInstructions(
  build: Build,
  minimalUpstream: string,
  options: InstructionOptions,
): Promise<string> {
  requireValgrind();
  const startUps: Record<string, number> = {};
  for (const kind of ['node -e 0', ...KINDS] as const) {
    const runs: number[] = [];
    for (let i = 0; i < SPAWNS; i++) {
      options.progress(`start-up instructions: ${kind}, spawn ${i + 1}/${SPAWNS}`);
      runs.push(await startUp(kind, build, minimalUpstream));
    }
    startUps[kind] = median(runs);
  }
  const perReq: Record<string, number> = {};
  for (const kind of KINDS) {
    options.progress(`instructions per request: ${kind} (${WARM_UP} to warm up, ${MEASURED} counted)`);
    perReq[kind] = await perRequest(kind, build, minimalUpstream);
  }
  const node = startUps['node -e 0']!;
  const bare = perReq.bare!;
  const rows = KINDS.map(
    (kind) =>
      `| ${kind} | ${millions(startUps[kind]!)} | +${millions(startUps[kind]! - node)} | ` +
      `${thousands(perReq[kind]!)} | ${round(perReq[kind]! / bare, 3)} |`,
  );
  return [
    `### Instructions (callgrind; minimal upstream; start-up median of ${SPAWNS} spawns)`,
    '',
    `\`node -e 0\`: ${millions(node)} instructions from spawn to exit.`,
    '',
    '| Proxy | Start-up (spawn to first proxied 200) | Over `node -e 0` | Per request | ÷ bare |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Per request: ${MEASURED} requests counted after ${WARM_UP} to warm up, 32 connections. ` +
      'Informational: no target is held to these counts.',
    '',
  ].join('\n');
}
