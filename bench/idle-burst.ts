/**
 * `npm run bench -- --idle-burst`: what an idle spell costs the next burst of requests, the measurement
 * behind the bootstraps' `--no-memory-reducer` (docs/design.md). Each proxy gets two loads in a row, then
 * sits idle while the others get theirs, round after round: the first load of a pair is a burst after an
 * idle spell, the second the same process warm. The proxies: the bare one; oxy and oxy-keys through their
 * bootstrap, as shipped; and the same index.js under plain `node`, with V8's memory reducer on. Prints a
 * table; writes nothing, and stops every proxy it started.
 */
import path from 'node:path';
import type { Build } from './build';
import { measureLoad, type LoadOptions, type LoadResult } from './load';
import { freePort, stopChild } from './processes';
import { type Server, ready, spawnOxyNode, startProxy } from './servers';
import { median } from './stats';

interface Case {
  name: string;
  start(): Promise<Server>;
}

export async function measureIdleBursts(
  build: Build,
  target: string,
  options: { rounds: number; load: LoadOptions; progress(message: string): void },
): Promise<string> {
  const plainNode = (keys: boolean) => async (): Promise<Server> => {
    const port = await freePort();
    const child = spawnOxyNode(port, target, path.join(build.scfDir, 'index.js'), [], keys);
    return { child, url: await ready(port, child) };
  };
  const cases: Case[] = [
    { name: 'bare', start: () => startProxy('bare', target, build.scfDir) },
    { name: 'oxy (bootstrap: reducer off)', start: () => startProxy('oxy', target, build.scfDir) },
    { name: 'oxy under plain node (reducer on)', start: plainNode(false) },
    { name: 'oxy-keys (bootstrap: reducer off)', start: () => startProxy('oxy-keys', target, build.scfDir) },
    { name: 'oxy-keys under plain node (reducer on)', start: plainNode(true) },
  ];
  const servers: Server[] = [];
  const first: LoadResult[][] = cases.map(() => []);
  const warm: LoadResult[][] = cases.map(() => []);
  try {
    for (const c of cases) servers.push(await c.start());
    for (let round = 0; round < options.rounds; round++) {
      for (const [i, c] of cases.entries()) {
        options.progress(`idle burst, round ${round + 1}/${options.rounds}: ${c.name}`);
        first[i]!.push(await measureLoad(servers[i]!.url, options.load));
        warm[i]!.push(await measureLoad(servers[i]!.url, options.load));
      }
    }
  } finally {
    for (const server of servers) await stopChild(server.child);
  }
  const cell = (runs: LoadResult[]): string =>
    `${Math.round(median(runs.map((r) => r.requestsPerSecond)))} req/s, p99 ${median(runs.map((r) => r.latencyP99Ms))} ms`;
  const rows = cases.map(
    (c, i) =>
      `| ${c.name} | ${cell(first[i]!)} | ${cell(warm[i]!)} | ${first[i]!.map((r) => Math.round(r.requestsPerSecond)).join(', ')} |`,
  );
  return [
    `### Bursts after an idle spell (${options.load.connections} connections, ${options.load.durationS} s loads, medians of ${options.rounds} rounds; the first round follows start-up)`,
    '',
    '| Proxy | First load after idle | Second load, warm | First loads, req/s by round |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
