/**
 * Cold start: milliseconds from spawning a proxy to its first proxied 200, polled every 2 ms (with the
 * bench's key, which oxy-keys requires), beside the time Node needs to spawn and exit doing nothing
 * (`node -e 0`), the floor for any Node server.
 */
import { nowMs } from './clock';
import { freePort, killChild, spawnChild, waitFor200, type Child } from './processes';
import { READY_HEADERS, READY_PATH, proxyEnv, spawnBare, spawnOxy } from './servers';

export interface ColdStartRuns {
  nodeExitMs: number[];
  bareMs: number[];
  oxyMs: number[];
  oxyKeysMs: number[];
}

const POLL = { timeoutMs: 5000, intervalMs: 2, headers: READY_HEADERS };

async function nodeExit(): Promise<number> {
  const started = nowMs();
  // The proxies' environment, so that the floor pays for the same start-up settings they do.
  const child = spawnChild('node -e 0', process.execPath, ['-e', '0'], { env: proxyEnv({}) });
  await child.exited;
  const ms = nowMs() - started;
  if (child.proc.exitCode !== 0) throw new Error(`node -e 0 exited with ${child.proc.exitCode}`);
  return ms;
}

async function firstProxied200(spawnOn: (port: number) => Child): Promise<number> {
  const port = await freePort();
  const started = nowMs();
  const child = spawnOn(port);
  try {
    const ready = await waitFor200(`http://127.0.0.1:${port}${READY_PATH}`, { ...POLL, child });
    return ready - started;
  } finally {
    await killChild(child);
  }
}

/** `spawns` rounds of node -e 0, bare, oxy and oxy-keys, interleaved. */
export async function measureColdStart(
  spawns: number,
  target: string,
  scfDir: string,
): Promise<ColdStartRuns> {
  const runs: ColdStartRuns = { nodeExitMs: [], bareMs: [], oxyMs: [], oxyKeysMs: [] };
  for (let i = 0; i < spawns; i++) {
    runs.nodeExitMs.push(await nodeExit());
    runs.bareMs.push(await firstProxied200((port) => spawnBare(port, target)));
    runs.oxyMs.push(await firstProxied200((port) => spawnOxy(port, target, scfDir)));
    runs.oxyKeysMs.push(await firstProxied200((port) => spawnOxy(port, target, scfDir, true)));
  }
  return runs;
}
