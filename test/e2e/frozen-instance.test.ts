import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startUpstream, type Upstream } from '../helpers/upstream';
import { type StartedZip, startZip, zipsHere } from './zip-runtimes';

// The platforms freeze an instance as soon as its answers are out (FC: help.aliyun.com/zh/functioncompute/
// fc-3-0/processes-not-executed), and no timer runs in a frozen process: the request's log line must be on
// stdout by then, not in a batch waiting for one (core/logger.ts workDone). SIGSTOP is the freeze here, sent
// as soon as the process, its answer out, waits for I/O again: its turn is over, and the batch's 10 ms not.

/**
 * Whether the process waits for I/O: its main thread asleep in epoll, as between two turns of its event loop
 * (a sleep elsewhere, on a GC thread's lock say, is mid-turn). Where /proc hides the wait channel, asleep.
 */
function waitingForIo(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  if (!stat.slice(stat.lastIndexOf(')') + 2).startsWith('S')) return false;
  let channel = '';
  try {
    channel = readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    // no wait channel to read
  }
  return channel === '' || channel === '0' || channel.includes('epoll');
}

/** Waits until the process's turn is over and it waits for I/O again, at most `ms`. */
async function turnOver(pid: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !waitingForIo(pid)) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits up to `ms` for `test` to hold on the process's output. */
async function outputShows(oxy: StartedZip, test: (output: string) => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test(oxy.output())) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return test(oxy.output());
}

/** Freezes the process, once it waits for I/O again, for the duration of `check`; then thaws it. */
async function whileFrozen<T>(oxy: StartedZip, check: () => Promise<T>): Promise<T> {
  await turnOver(oxy.child.pid!, 2000);
  oxy.child.kill('SIGSTOP');
  try {
    return await check();
  } finally {
    oxy.child.kill('SIGCONT');
  }
}

describe.each(zipsHere())('the $platform zip, frozen as soon as its answer is out', (rt) => {
  let upstream: Upstream;
  let oxy: StartedZip;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await oxy?.close();
    await upstream?.close();
  });

  it('has written the request line before the freeze', async () => {
    oxy = await startZip(rt, { OXY_TARGET: upstream.url });
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${oxy.url}/v1/models?frozen=1`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
    expect(status).toBe(200);
    const logged = await whileFrozen(oxy, () =>
      outputShows(oxy, (out) => /"event":"request".*"path":"\/v1\/models\?frozen=1"/.test(out), 1000),
    );
    expect(logged).toBe(true);
  });
});
