import type { ChildProcess } from 'node:child_process';

/** How long a child gets to exit after the first signal before it is killed outright. */
const GRACE_MS = 5000;

/** Has it exited? A child killed by a signal has a signalCode and no exitCode. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once `child` has exited, by a code or a signal (at once if it already has, or never started). */
export function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Sends `signal`, then SIGKILL if the child is still running after `graceMs`, and resolves once it has
 * exited: a test that fails half-way still leaves no process behind.
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = GRACE_MS,
): Promise<void> {
  const done = exited(child);
  if (hasExited(child) || child.pid === undefined) return done;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
}
