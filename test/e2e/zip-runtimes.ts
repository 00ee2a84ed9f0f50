import { rmSync } from 'node:fs';
import path from 'node:path';
import { type RunningZip, freePort, functionEnv, runBootstrap, startBootstrap } from '../helpers/bootstrap';
import { PLATFORM_MAJORS, type Runtime, runtimes } from '../helpers/node-runtimes';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

type PlatformName = keyof typeof ZIPS;

/** The Node majors each platform's bootstrap can pick, as scf.test.ts and fc.test.ts run them. */
const MAJORS: Record<PlatformName, number[]> = PLATFORM_MAJORS;

export interface ZipRuntime extends Runtime {
  platform: PlatformName;
}

/** Every platform zip on every Node its platform offers, plus this machine's: for describe.each. */
export function zipRuntimes(): ZipRuntime[] {
  return (Object.keys(MAJORS) as PlatformName[]).flatMap((platform) =>
    runtimes(MAJORS[platform]).map((r) => ({ ...r, platform })),
  );
}

/** Both zips on this machine's Node only: for behaviour no Node version changes. */
export function zipsHere(): ZipRuntime[] {
  return zipRuntimes().filter((r) => r.binDir === path.dirname(process.execPath));
}

/** How each platform tells its build the port: SCF through OXY_PORT's default, FC its own variable. */
function portEnv(platform: PlatformName, port: number): Record<string, string> {
  return platform === 'fc' ? { FC_CUSTOM_LISTEN_PORT: String(port) } : { OXY_PORT: String(port) };
}

export interface StartedZip extends RunningZip {
  port: number;
  /** Stops the process (SIGKILL after a grace) and removes its unpacked folder. */
  close(): Promise<void>;
}

/** Unpacks the zip and starts its bootstrap on a free port with `env`; the folder goes when it is closed. */
export async function startZip(rt: ZipRuntime, env: Record<string, string>): Promise<StartedZip> {
  const { zip, bootstrap } = ZIPS[rt.platform];
  const dir = await unpackZip(zip);
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const port = await freePort();
    const running = await startBootstrap(
      path.join(dir, bootstrap),
      port,
      functionEnv(rt.binDir, { ...portEnv(rt.platform, port), ...env }),
    );
    return {
      ...running,
      port,
      close: () => running.stop().finally(remove),
    };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Runs the zip to its exit (a start-up failure), then removes its folder. */
export async function runZip(
  rt: ZipRuntime,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { zip, bootstrap } = ZIPS[rt.platform];
  const dir = await unpackZip(zip);
  try {
    return await runBootstrap(path.join(dir, bootstrap), functionEnv(rt.binDir, env));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
