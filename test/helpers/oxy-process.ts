import { spawn } from 'node:child_process';
import path from 'node:path';
import { stopChild } from './child-process';

export interface OxyProcess {
  url: string;
  /** Log lines printed so far (JSON). */
  logs(): string[];
  /** Stops the process and waits for it to exit (SIGKILL after a grace). */
  close(): Promise<void>;
}

const CHILD = path.join(__dirname, 'oxy-child.ts');

/**
 * The core (test/helpers/oxy-child.ts) in a child process with exactly `env`, listening on 127.0.0.1 port 0.
 * Stryker's active-mutant variable is passed on, so a mutation run tests the mutant here too.
 */
export function startOxyProcess(
  env: Record<string, string>,
  platform: 'scf' | 'fc' | 'test' = 'test',
): Promise<OxyProcess> {
  const childEnv: Record<string, string> = { ...env };
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant !== undefined) childEnv.__STRYKER_ACTIVE_MUTANT__ = mutant;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, platform], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const close = (): Promise<void> => stopChild(child);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const report = (): void => reject(new Error(`${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
      close().then(report, report);
    };
    const timer = setTimeout(() => fail('no "ready" line within 15 s'), 15_000);
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => fail(`the core process exited with ${code ?? signal}`));
    const onData = (): void => {
      const ready = /^\{"event":"ready","port":(\d+)\}$/m.exec(stdout);
      if (settled || !ready) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url: `http://127.0.0.1:${ready[1]}`,
        logs: () => stdout.split('\n').filter((l) => l.startsWith('{"level"')),
        close,
      });
    };
    child.stdout.on('data', onData);
  });
}
