/**
 * The processes under test: the fake upstream, the TMS stand-in, the bare proxy and oxy's SCF build (plain,
 * with a proxy key and a key pool, or moderating with Tencent TMS), each started the way the bench needs
 * (with readiness) or only spawned (for cold-start timing).
 */
import path from 'node:path';
import { STAND_IN_SECRET_ID, STAND_IN_SECRET_KEY } from '../test/helpers/tms-stand-in';
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
 * Settings of ours a proxy child must not inherit: they would change how it runs, or whose keys it signs with.
 * `NODE_*` includes NODE_EXTRA_CA_CERTS, which this sandbox sets and neither platform does: Node 20 parses
 * that file at every start (here ~90 ms and ~350 M instructions for 140 certificates; Node 22 loads it lazily),
 * which tripled `node -e 0` and widened every cold-start spread (docs/design.md).
 */
const NOT_INHERITED = /^(OXY_|NODE_|TENCENTCLOUD_|TENCENT_CLOUD_)/;

/**
 * Environment for a proxy child, and for the `node -e 0` it is compared with: ours, minus settings that would
 * change how it runs (OXY_*, NODE_*, Tencent Cloud credentials and region), with this Node first on PATH so
 * the bootstrap's `exec node` runs the same Node as everything else.
 */
export function proxyEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!NOT_INHERITED.test(key)) env[key] = value;
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

/** The session token oxy-moderated sends with the stand-in's credentials, as SCF's run role would. */
export const BENCH_TMS_TOKEN = 'bench-session-token-0000000000000000';
export const BENCH_TMS_REGION = 'ap-guangzhou';

/** The loopback TMS stand-in (bench/tms-stand-in.ts) and where it reports the calls it verified. */
export interface TmsStandIn {
  child: Child;
  /** `http://127.0.0.1:PORT`: oxy-moderated's OXY_MODERATION_ENDPOINT. */
  url: string;
  /** `http://127.0.0.1:PORT/calls`. */
  callsUrl: string;
}

export async function startTmsStandIn(): Promise<TmsStandIn> {
  const child = spawnChild(
    'tms-stand-in',
    process.execPath,
    ['--import', 'tsx', path.join(BENCH, 'tms-stand-in.ts'), BENCH_TMS_TOKEN],
    { cwd: ROOT, stdout: 'pipe' },
  );
  const line = await firstLine(child, 15_000);
  const ready = JSON.parse(line) as { url?: unknown; stats?: unknown };
  if (typeof ready.url !== 'string' || typeof ready.stats !== 'number') {
    throw new Error(`tms-stand-in: unexpected ready line ${line}`);
  }
  return { child, url: ready.url, callsUrl: `http://127.0.0.1:${ready.stats}/calls` };
}

/**
 * oxy-moderated's extra environment: Tencent TMS moderation against the stand-in at `endpoint`, with the
 * temporary credentials SCF gives a function's run role (the stand-in's key pair and a session token).
 */
export function moderationEnv(endpoint: string): Record<string, string> {
  return {
    OXY_MODERATION: 'tencent',
    OXY_MODERATION_ENDPOINT: endpoint,
    OXY_MODERATION_REGION: BENCH_TMS_REGION,
    TENCENTCLOUD_SECRETID: STAND_IN_SECRET_ID,
    TENCENTCLOUD_SECRETKEY: STAND_IN_SECRET_KEY,
    TENCENTCLOUD_SESSIONTOKEN: BENCH_TMS_TOKEN,
  };
}

export function spawnBare(port: number, target: string): Child {
  return spawnChild('bare', process.execPath, [path.join(BENCH, 'bare-proxy.js')], {
    env: proxyEnv({ TARGET: target, PORT: String(port) }),
  });
}

/** The engine alone (bench/engine-proxy.js), from the repository's node_modules. */
export function spawnEngine(port: number, target: string): Child {
  return spawnChild('engine', process.execPath, [path.join(BENCH, 'engine-proxy.js')], {
    cwd: ROOT,
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

/**
 * Runs the SCF staging folder's bootstrap directly, as the platform does; with `moderation` (moderationEnv)
 * added to the environment, as oxy-moderated.
 */
export function spawnOxy(
  port: number,
  target: string,
  scfDir: string,
  keys = false,
  moderation?: Record<string, string>,
): Child {
  const name = moderation ? 'oxy-moderated' : keys ? 'oxy-keys' : 'oxy';
  return spawnChild(name, path.join(scfDir, 'scf_bootstrap'), [], {
    cwd: scfDir,
    env: proxyEnv({ ...oxyEnv(port, target, keys), ...moderation }),
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

export type ProxyKind = 'bare' | 'engine' | 'oxy' | 'oxy-keys';

/** Spawns a proxy on a free port and waits (≤ 10 s) until it proxies a request. */
export async function startProxy(kind: ProxyKind, target: string, scfDir: string): Promise<Server> {
  const port = await freePort();
  const child =
    kind === 'bare'
      ? spawnBare(port, target)
      : kind === 'engine'
        ? spawnEngine(port, target)
        : spawnOxy(port, target, scfDir, kind === 'oxy-keys');
  return { child, url: await ready(port, child) };
}

/** oxy-moderated: oxy with no keys, moderating with the TMS stand-in at `tmsUrl`; waits as startProxy does. */
export async function startModeratedOxy(target: string, scfDir: string, tmsUrl: string): Promise<Server> {
  const port = await freePort();
  const child = spawnOxy(port, target, scfDir, false, moderationEnv(tmsUrl));
  return { child, url: await ready(port, child) };
}

/** Waits (≤ `timeoutMs`) until the proxy on `port` proxies a request; resolves with its base URL. */
export async function ready(port: number, child: Child, timeoutMs = 10_000): Promise<string> {
  const url = `http://127.0.0.1:${port}`;
  await waitFor200(url + READY_PATH, { timeoutMs, intervalMs: 5, child, headers: READY_HEADERS });
  return url;
}
