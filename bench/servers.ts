/**
 * The processes under test: the fake upstream, the bare proxy and oxy's SCF build, each started the way
 * the bench needs (with readiness) or only spawned (for cold-start timing).
 */
import path from 'node:path';
import { firstLine, freePort, spawnChild, waitFor200, type Child } from './processes';

const BENCH = __dirname;
const ROOT = path.resolve(BENCH, '..');

/** A running server: its process and base URL (`http://127.0.0.1:PORT`, no trailing slash). */
export interface Server {
  child: Child;
  url: string;
}

/** The path polled for readiness: proxied by both proxies, answered 200 by the upstream. */
export const READY_PATH = '/v1/models';

/**
 * Environment for a proxy child: ours, minus settings that would change how it runs (OXY_*, NODE_OPTIONS),
 * with this Node first on PATH so the bootstrap's `exec node` runs the same Node as everything else.
 */
function proxyEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OXY_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

export async function startUpstream(): Promise<Server> {
  const child = spawnChild(
    'upstream',
    process.execPath,
    ['--import', 'tsx', path.join(BENCH, 'upstream.ts')],
    {
      cwd: ROOT,
      stdout: 'pipe',
    },
  );
  const line = await firstLine(child, 15_000);
  const port = (JSON.parse(line) as { port?: unknown }).port;
  if (typeof port !== 'number') throw new Error(`upstream: unexpected ready line ${line}`);
  return { child, url: `http://127.0.0.1:${port}` };
}

export function spawnBare(port: number, target: string): Child {
  return spawnChild('bare', process.execPath, [path.join(BENCH, 'bare-proxy.js')], {
    env: proxyEnv({ TARGET: target, PORT: String(port) }),
  });
}

/** Runs the SCF staging folder's bootstrap directly, as the platform does. */
export function spawnOxy(port: number, target: string, scfDir: string): Child {
  return spawnChild('oxy', path.join(scfDir, 'scf_bootstrap'), [], {
    cwd: scfDir,
    env: proxyEnv({ OXY_TARGET: target, OXY_PORT: String(port) }),
  });
}

export type ProxyKind = 'bare' | 'oxy';

/** Spawns a proxy on a free port and waits (≤ 10 s) until it proxies a request. */
export async function startProxy(kind: ProxyKind, target: string, scfDir: string): Promise<Server> {
  const port = await freePort();
  const child = kind === 'bare' ? spawnBare(port, target) : spawnOxy(port, target, scfDir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor200(url + READY_PATH, { timeoutMs: 10_000, intervalMs: 5, child });
  return { child, url };
}
