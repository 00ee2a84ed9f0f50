import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { captureLogLine } from './log-audit';
import { stopChild } from './child-process';

export interface RunningZip {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far, stdout and stderr. */
  output: () => string;
  /** SIGTERM, SIGKILL if still running after a grace; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the bootstrap needs a fixed one, as on the platforms). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Base environment of a spawned function: nothing from this process but the runtime on PATH. */
export function functionEnv(binDir: string, env: Record<string, string>): Record<string, string> {
  return { PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin`, ...env };
}

/** Spawns the bootstrap the way the platform does: from its own folder, with only `env`. */
function spawnBootstrap(file: string, env: Record<string, string>) {
  const child = spawn(file, [], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(file) });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c) => (out.stdout += c));
  child.stderr.on('data', (c) => (out.stderr += c));
  // Into the run's log audit (helpers/log-audit.ts) once the process is gone.
  child.once('close', () => captureLogLine(out.stdout + out.stderr));
  return { child, out };
}

/** Runs the bootstrap to completion: for start-up failures. Killed (and waited for) after 10 s. */
export function runBootstrap(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { child, out } = spawnBootstrap(file, env);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close' comes after 'exit' and after the output pipes are drained, whether it exited or was killed.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

/**
 * Starts the bootstrap as the platform would and waits for its "listening" line on `port`. If it never
 * comes, the process is killed and waited for before the promise rejects, so a failed start leaves nothing.
 */
export function startBootstrap(file: string, port: number, env: Record<string, string>): Promise<RunningZip> {
  return new Promise((resolve, reject) => {
    const { child, out } = spawnBootstrap(file, env);
    let settled = false;
    const timer = setTimeout(() => fail(new Error('no "listening" line within 10 s')), 10_000);
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const report = (): void =>
        reject(new Error(`${err.message}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
      stopChild(child, 'SIGKILL').then(report, report);
    };
    const onStdout = (): void => {
      if (settled || !out.stdout.includes('"event":"listening"')) return;
      settled = true;
      child.stdout.off('data', onStdout);
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${port}`,
        child,
        output: () => out.stdout + out.stderr,
        stop: () => stopChild(child),
      });
    };
    child.stdout.on('data', onStdout);
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`bootstrap exited with ${code ?? signal}`)));
  });
}
