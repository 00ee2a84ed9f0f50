/**
 * Child processes of the bench: spawn, readiness polling, free ports, and killing. Every child spawned
 * here is killed when the bench exits, whether it finishes, throws or is interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { nowMs, sleep } from './clock';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** The last few KB the process wrote to stderr, for error messages. */
  stderrTail(): string;
}

const live = new Set<ChildProcess>();
const STDERR_TAIL = 4096;

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pipe stdout to the caller (to read a ready line) or send it to /dev/null. */
  stdout?: 'pipe' | 'ignore';
}

export function spawnChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`${name}: spawn ${command} failed`);
  live.add(proc);
  let tail = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  const exited = new Promise<void>((resolve) => {
    const done = (): void => {
      live.delete(proc);
      resolve();
    };
    proc.once('exit', done);
    proc.once('error', done);
  });
  return { name, proc, pid: proc.pid, exited, stderrTail: () => tail.trim() };
}

export function hasExited(child: Child): boolean {
  return child.proc.exitCode !== null || child.proc.signalCode !== null;
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 2000): Promise<void> {
  if (hasExited(child)) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** SIGKILL and wait for the exit: for throwaway processes (cold-start spawns). */
export async function killChild(child: Child): Promise<void> {
  if (!hasExited(child)) child.proc.kill('SIGKILL');
  await child.exited;
}

/** Kills every child still running, synchronously: safe in an `exit` handler. */
export function killAllNow(): void {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

let hooksInstalled = false;

/** Kills the children on any exit of the bench, including Ctrl-C and SIGTERM. */
export function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(code);
    });
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that need their port given up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
        else resolve(address.port);
      });
    });
  });
}

/** One GET on a fresh connection; resolves with the status, rejects on a connection error or timeout. */
export function getStatus(
  url: string,
  timeoutMs: number,
  headers: http.OutgoingHttpHeaders = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Fail at once, with its stderr, if this process exits while we wait. */
  child?: Child;
  /** Request headers of each poll. */
  headers?: http.OutgoingHttpHeaders;
}

/** Polls `url` until it answers 200; resolves with the monotonic time (bench/clock.ts) of that answer. */
export async function waitFor200(url: string, options: PollOptions): Promise<number> {
  const deadline = nowMs() + options.timeoutMs;
  let last = 'no attempt';
  for (let attempt = 0; attempt < 100_000 && nowMs() < deadline; attempt++) {
    const { child } = options;
    if (child && hasExited(child)) {
      throw new Error(`${child.name} exited before ${url} answered 200:\n${child.stderrTail()}`);
    }
    try {
      const status = await getStatus(url, Math.max(1, Math.min(1000, deadline - nowMs())), options.headers);
      if (status === 200) return nowMs();
      last = `status ${status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(options.intervalMs);
  }
  const stderr = options.child ? `\n${options.child.stderrTail()}` : '';
  throw new Error(`${url} did not answer 200 within ${options.timeoutMs} ms (last: ${last})${stderr}`);
}

/** Resolves with the first line the child writes to stdout (it must be spawned with stdout 'pipe'). */
export function firstLine(child: Child, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdout } = child.proc;
    if (!stdout) return reject(new Error(`${child.name}: stdout is not piped`));
    let text = '';
    const finish = (err: Error | null, line?: string): void => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.proc.off('exit', onExit);
      stdout.resume(); // keep draining whatever comes next
      if (err) reject(err);
      else resolve(line ?? '');
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) finish(null, text.slice(0, end));
    };
    const onExit = (): void =>
      finish(new Error(`${child.name} exited before it was ready:\n${child.stderrTail()}`));
    const timer = setTimeout(
      () => finish(new Error(`${child.name} wrote no line in ${timeoutMs} ms:\n${child.stderrTail()}`)),
      timeoutMs,
    );
    stdout.on('data', onData);
    child.proc.once('exit', onExit);
  });
}
