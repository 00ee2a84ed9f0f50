/**
 * The processes under test: the fake upstream, the bare proxy and oxy's SCF build (plain, or with a proxy
 * key and a key pool), each started the way the bench needs (with readiness) or only spawned (for
 * cold-start timing).
 */
import path from 'node:path';
import { AUTH_HEADERS, BENCH_POOL_KEYS, BENCH_PROXY_KEY } from './load';
import { firstLine, freePort, spawnChild, waitFor200, type Child } from './processes';

const BENCH = __dirname;
const ROOT = path.resolve(BENCH, '..');

/** A running server: its process and base URL (`http://127.0.0.1:PORT`, no trailing slash). */
export interface Server {
  child: Child;
  url: string;
}

/** The path polled for readiness: proxied by every proxy, answered 200 by the upstream. */
export const READY_PATH = '/v1/models';

/** Sent with every readiness poll, as the load sends it: oxy-keys answers 401 without its proxy key. */
export const READY_HEADERS = AUTH_HEADERS;

/** The answer styles of the fake upstream (bench/upstream.ts). */
export const UPSTREAMS = ['openai', 'minimal'] as const;
export type UpstreamMode = (typeof UPSTREAMS)[number];

export interface Upstream {
  child: Child;
  /** Base URL per answer style. */
  urls: Record<UpstreamMode, string>;
}

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

export async function startUpstream(): Promise<Upstream> {
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
  const ports = JSON.parse(line) as Partial<Record<UpstreamMode, unknown>>;
  const url = (mode: UpstreamMode): string => {
    const port = ports[mode];
    if (typeof port !== 'number') throw new Error(`upstream: unexpected ready line ${line}`);
    return `http://127.0.0.1:${port}`;
  };
  return { child, urls: { openai: url('openai'), minimal: url('minimal') } };
}

export function spawnBare(port: number, target: string): Child {
  return spawnChild('bare', process.execPath, [path.join(BENCH, 'bare-proxy.js')], {
    env: proxyEnv({ TARGET: target, PORT: String(port) }),
  });
}

/**
 * oxy's environment: target and port, and with `keys` the bench's proxy key and its three-key pool
 * (oxy then admits only clients that send the proxy key, and forwards a pool key in its place).
 */
export function oxyEnv(port: number, target: string, keys: boolean): Record<string, string> {
  const env: Record<string, string> = { OXY_TARGET: target, OXY_PORT: String(port) };
  if (keys) {
    env.OXY_PROXY_KEYS = BENCH_PROXY_KEY;
    env.OXY_UPSTREAM_KEYS = BENCH_POOL_KEYS.join(',');
  }
  return env;
}

/** Runs the SCF staging folder's bootstrap directly, as the platform does. */
export function spawnOxy(port: number, target: string, scfDir: string, keys = false): Child {
  return spawnChild(keys ? 'oxy-keys' : 'oxy', path.join(scfDir, 'scf_bootstrap'), [], {
    cwd: scfDir,
    env: proxyEnv(oxyEnv(port, target, keys)),
  });
}

/** Runs `node <nodeArgs> <script>` with oxy's environment (for --profile: no bootstrap, no NODE_OPTIONS). */
export function spawnOxyNode(
  port: number,
  target: string,
  script: string,
  nodeArgs: string[],
  keys: boolean,
): Child {
  return spawnChild('oxy (node)', process.execPath, [...nodeArgs, script], {
    cwd: path.dirname(script),
    env: proxyEnv(oxyEnv(port, target, keys)),
  });
}

export type ProxyKind = 'bare' | 'oxy' | 'oxy-keys';

/** Spawns a proxy on a free port and waits (≤ 10 s) until it proxies a request. */
export async function startProxy(kind: ProxyKind, target: string, scfDir: string): Promise<Server> {
  const port = await freePort();
  const child =
    kind === 'bare' ? spawnBare(port, target) : spawnOxy(port, target, scfDir, kind === 'oxy-keys');
  return { child, url: await ready(port, child) };
}

/** Waits (≤ 10 s) until the proxy on `port` proxies a request; resolves with its base URL. */
export async function ready(port: number, child: Child): Promise<string> {
  const url = `http://127.0.0.1:${port}`;
  await waitFor200(url + READY_PATH, { timeoutMs: 10_000, intervalMs: 5, child, headers: READY_HEADERS });
  return url;
}
