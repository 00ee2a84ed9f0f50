/**
 * `npm run bench -- --profile`: where oxy's CPU goes per request. oxy runs with a proxy key and a
 * three-key pool in front of the minimal upstream (the case where its fixed per-request cost shows most),
 * under `node --cpu-prof` (spawned directly: no bootstrap, no NODE_OPTIONS), while one load runs; then
 * the profile's samples taken during that load are summed per function, per origin of the code (oxy's
 * own, each npm package, Node's internals, native code, GC), and per caller (the innermost oxy or package
 * frame on the stack, so Node's work counts to whoever asked for it), and printed. Nothing is written
 * outside a temporary folder.
 *
 * The shipped index.js is minified, so its function names say nothing. The profiled process runs a twin
 * of it: the same esbuild bundle of the same entry with the same modules (the build's metafile says which,
 * stubs included), not minified, with a source map that turns each function's place back into its source
 * file and line.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild, type Metafile, type OutputFile } from 'esbuild';
import { SCF_ENTRY, buildOptions } from '../scripts/bundle';
import { buildScripts } from '../scripts/lazy-files';
import type { Build } from './build';
import { nowMs } from './clock';
import { measureLoad, type LoadOptions } from './load';
import { freePort, stopChild } from './processes';
import { ready, spawnOxyNode } from './servers';
import { round } from './stats';

const ROOT = path.resolve(__dirname, '..');
/** Sampling interval of the profiler, µs (V8's default is 1000). */
const SAMPLE_US = 250;
const TOP = Number(process.env.OXY_PROFILE_TOP ?? 15);

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileOptions {
  load: LoadOptions;
  progress(message: string): void;
}

/** Profiles oxy-keys against `minimalUpstream` and returns the report as markdown. */
export async function profileOxy(
  build: Build,
  minimalUpstream: string,
  options: ProfileOptions,
): Promise<string> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-profile-'));
  try {
    options.progress('bundling an unminified twin of the SCF build');
    const twin = await bundleTwin(build.metaPath, tmp);
    const profDir = path.join(tmp, 'prof');
    const port = await freePort();
    const child = spawnOxyNode(
      port,
      minimalUpstream,
      twin.script,
      ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-interval=${SAMPLE_US}`],
      true,
    );
    let window: { fromUs: number; toUs: number };
    let requests: number;
    let requestsPerSecond: number;
    try {
      const url = await ready(port, child);
      options.progress('profiling oxy-keys: warm-up, then one load against the minimal upstream');
      await measureLoad(url, { ...options.load, durationS: 1 });
      const from = nowMs();
      const result = await measureLoad(url, options.load);
      window = { fromUs: from * 1000, toUs: nowMs() * 1000 };
      ({ requests, requestsPerSecond } = result);
    } finally {
      // SIGTERM: oxy drains and exits by itself, which is when Node writes the profile.
      await stopChild(child, 10_000);
    }
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${profDir} (did oxy exit by itself?)`);
    const profile = JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile;
    return report(profile, window, requests, requestsPerSecond, twin, options.load);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface Twin {
  script: string;
  map: SourceMap;
  /** Modules of the shipped bundle missing from the twin, and the other way round (both empty if alike). */
  missing: string[];
  extra: string[];
}

/**
 * Bundles the shipped build's entry again as the build does (index.js and its lazy files, scripts/lazy-files.ts),
 * unminified and with a source map for index.js, aliasing the same stubs.
 */
export async function bundleTwin(metaPath: string, outDir: string): Promise<Twin> {
  const shipped = JSON.parse(readFileSync(metaPath, 'utf8')) as Metafile;
  const script = path.join(outDir, 'index.js');
  let map: string | undefined;
  const { scripts, metafile } = await buildScripts(ROOT, SCF_ENTRY, {
    // The shipped build's own options (stubs, define, target), unminified, with index.js in outDir.
    options: (entry) => ({ ...buildOptions(entry), minify: false, sourcemap: 'external', outfile: script }),
    run: async (options, plugins) => {
      const result = await esbuild({ ...options, plugins, write: false });
      const output = (suffix: string): OutputFile | undefined =>
        result.outputFiles.find((f) => f.path.endsWith(suffix));
      const code = output('.js');
      if (!code) throw new Error(`esbuild wrote nothing for ${options.outfile}`);
      // index.js is built twice (lazy-files.ts): the last map is the one of the script written.
      if (options.outfile === script) map = output('.js.map')?.text;
      return { code: Buffer.from(code.contents), metafile: result.metafile };
    },
  });
  for (const { name, data } of scripts) writeFileSync(path.join(outDir, name), data);
  if (map === undefined) throw new Error('the twin of index.js has no source map');
  const inputs = (meta: Metafile): Set<string> => new Set(Object.keys(meta.inputs));
  const want = inputs(shipped);
  const got = inputs(metafile);
  return {
    script,
    map: new SourceMap(JSON.parse(map) as SourceMapPayload),
    missing: [...want].filter((m) => !got.has(m)),
    extra: [...got].filter((m) => !want.has(m)),
  };
}

interface Row {
  name: string;
  where: string;
  origin: string;
  selfUs: number;
}

/** The profiler's own entries, which are not code: time outside JavaScript, GC, idle, the tree's root. */
const SPECIAL = new Set(['(program)', '(garbage collector)', '(idle)', '(root)']);
const NODE = 'Node.js (its JavaScript)';
const NATIVE = 'native (syscalls, bindings, builtins, RegExp)';

/** Where a frame's code comes from: the twin's source file and line, or the script's URL and line. */
function locate(frame: CallFrame, twin: Twin): { where: string; origin: string } {
  if (frame.url === '')
    return { where: '', origin: SPECIAL.has(frame.functionName) ? frame.functionName : NATIVE };
  const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  if (file === twin.script) {
    const entry = twin.map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (entry.originalSource !== undefined && entry.originalLine !== undefined) {
      const source = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(twin.script), entry.originalSource);
      const rel = path.relative(ROOT, source);
      return { where: `${rel}:${entry.originalLine + 1}`, origin: originOf(rel) };
    }
    return { where: `index.js:${frame.lineNumber + 1}`, origin: 'oxy bundle (unmapped)' };
  }
  return { where: `${file}:${frame.lineNumber + 1}`, origin: file.startsWith('node:') ? NODE : file };
}

/** `node_modules/a/node_modules/@s/b/x.js` → `@s/b`; `core/…`, `functions/…` → oxy. */
function originOf(rel: string): string {
  const parts = rel.split('node_modules/');
  if (parts.length < 2) return rel.startsWith('scripts/stubs/') ? 'stubs' : 'oxy';
  const rest = (parts[parts.length - 1] ?? '').split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? rel);
}

/** Code of the application rather than of the runtime: oxy's, or an npm package's. */
const isAppOrigin = (origin: string): boolean => origin !== NODE && origin !== NATIVE && !SPECIAL.has(origin);

/** A table cell: `|` escaped, code in backticks unless it holds one (RegExp sources can). */
function cell(text: string, code: boolean): string {
  const escaped = text.replace(/\|/g, '\\|');
  return code && text !== '' && !text.includes('`') ? `\`${escaped}\`` : escaped;
}

/** Longest name shown whole: V8 names a RegExp's code by its source, which can run to a few KB (plain-usage.ts). */
const NAME_MAX = 60;

const shorten = (name: string): string => (name.length > NAME_MAX ? `${name.slice(0, NAME_MAX)}…` : name);

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The largest entries of `totals`, the rest summed as "other". */
function largest(totals: Map<string, number>, n: number): [string, number][] {
  const sorted = [...totals].sort((a, b) => b[1] - a[1]);
  const rest = sorted.slice(n).reduce((sum, [, us]) => sum + us, 0);
  return rest > 0 ? [...sorted.slice(0, n), [`other (${sorted.length - n})`, rest]] : sorted;
}

function report(
  profile: CpuProfile,
  window: { fromUs: number; toUs: number },
  requests: number,
  requestsPerSecond: number,
  twin: Twin,
  load: LoadOptions,
): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample i stands for the time until the next sample (the last one: until the profile's end).
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) stamps.push((t += delta));
  const inWindow = stamps.filter((s) => s >= window.fromUs && s <= window.toUs).length;
  // The profiler and bench/clock.ts read the same monotonic clock; if not, count the whole profile.
  const windowed = inWindow > 0;
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const at = stamps[i] ?? profile.endTime;
    if (windowed && (at < window.fromUs || at > window.toUs)) return;
    const us = (stamps[i + 1] ?? profile.endTime) - at;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + us);
  });

  const located = new Map<number, { where: string; origin: string }>();
  const place = (id: number): { where: string; origin: string } | undefined => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return undefined;
    let p = located.get(id);
    if (!p) located.set(id, (p = locate(frame, twin)));
    return p;
  };
  /** The innermost frame of oxy or a package on the node's stack: who asked for this time to be spent. */
  const caller = (id: number): string => {
    const own = place(id)?.origin ?? NATIVE;
    if (SPECIAL.has(own)) return own;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const origin = place(at)?.origin;
      if (origin !== undefined && isAppOrigin(origin)) return origin;
    }
    return 'Node.js alone (no oxy or package code on the stack)';
  };

  const rows = new Map<string, Row>();
  const origins = new Map<string, number>();
  const callers = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfByNode) {
    const frame = byId.get(id)?.callFrame;
    const p = place(id);
    if (!frame || !p) continue;
    totalUs += us;
    if (p.origin === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = frame.functionName || '(anonymous)';
    const key = `${name}\t${p.where}`;
    const row = rows.get(key) ?? { name, where: p.where, origin: p.origin, selfUs: 0 };
    row.selfUs += us;
    rows.set(key, row);
    origins.set(p.origin, (origins.get(p.origin) ?? 0) + us);
    const by = caller(id);
    callers.set(by, (callers.get(by) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const ms = (us: number): number => round(us / 1000, 1);
  const share = (us: number): string => `${round((us / busyUs) * 100, 1)} %`;
  const perRequest = (us: number): number => round(us / requests, 2);
  const top = [...rows.values()].sort((a, b) => b.selfUs - a.selfUs).slice(0, TOP);

  const notes: string[] = [];
  if (!windowed) notes.push('the load window matched no sample: the whole profile is counted (start-up too)');
  if (twin.missing.length > 0 || twin.extra.length > 0) {
    notes.push(
      `the twin bundle differs from the shipped one (missing: ${twin.missing.join(', ') || 'none'}; extra: ${twin.extra.join(', ') || 'none'})`,
    );
  }
  return [
    '### Profile: oxy-keys (proxy key + 3 pool keys), minimal upstream',
    `${load.connections} connections, ${load.durationS} s after a 1 s warm-up: ${requests} requests, ` +
      `${round(requestsPerSecond, 0)} req/s under the profiler (sampling every ${SAMPLE_US} µs). In that ` +
      `window oxy's process was busy ${round(busyUs / 1000, 0)} ms of ${round(totalUs / 1000, 0)} ms ` +
      `sampled: ${perRequest(busyUs)} µs of CPU per request. Self time = time in the function itself, not ` +
      `in what it calls. Places in the bundle are mapped back to source files (unminified twin of the SCF ` +
      `build); \`node:\` places are Node's own JavaScript; native \`writev\` (socket writes) includes the ` +
      `kernel's loopback delivery to the receiving process.` +
      (notes.length > 0 ? `\n\nNote: ${notes.join('; ')}.` : ''),
    `Top ${TOP} functions by self time:`,
    table(
      ['Self ms', 'Share of busy', 'µs / request', 'Function', 'Where'],
      top.map((r) => [
        ms(r.selfUs),
        share(r.selfUs),
        perRequest(r.selfUs),
        cell(shorten(r.name), true),
        cell(r.where, true),
      ]),
    ),
    'Self time by origin of the code:',
    table(
      ['Origin', 'Self ms', 'Share of busy', 'µs / request'],
      largest(origins, 10).map(([o, us]) => [cell(o, false), ms(us), share(us), perRequest(us)]),
    ),
    'Time by caller: each sample counted to the innermost oxy or npm-package frame on its stack (Node and ' +
      'native code count to the code that called them):',
    table(
      ['Caller', 'ms', 'Share of busy', 'µs / request'],
      largest(callers, 10).map(([o, us]) => [cell(o, false), ms(us), share(us), perRequest(us)]),
    ),
  ].join('\n\n');
}
