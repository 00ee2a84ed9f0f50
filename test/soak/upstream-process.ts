import { fork } from 'node:child_process';
import path from 'node:path';
import type { UpstreamRecord } from './faulty-upstream';

/** What the upstream's process reports of its sockets when asked (upstream-child.ts). */
export interface UpstreamState {
  /** Requests still in flight on the upstream. */
  inFlight: number;
  sockets: { open: number; busy: number };
}

/** The upstream's record of each request, by soak id; `closedAt` is absolute (performance.timeOrigin + now()). */
export type UpstreamRecords = [string, UpstreamRecord][];

export type UpstreamOp = 'state' | 'records' | 'clear' | 'close';

export interface UpstreamProcess {
  url: string;
  /** Cheap enough to poll: no records. */
  state(): Promise<UpstreamState>;
  records(): Promise<UpstreamRecords>;
  /** Forgets the records of the phase just checked. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the faulty upstream in a process of its own, as a real upstream is. Since libuv 1.45 (Node 20) a
 * listener accepts one connection per turn of its event loop (libuv/libuv#3696): on the proxy's loop, busy
 * with the proxy and the clients, the upstream took that many turns to accept a burst of the proxy's new
 * connections, and a request the proxy had closed at once was seen closed hundreds of milliseconds later.
 * Apart, its memory is not counted in the proxy's either.
 */
export async function startUpstreamProcess(): Promise<UpstreamProcess> {
  const child = fork(path.join(__dirname, 'upstream-child.ts'), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (reply: unknown) => void; reject: (err: Error) => void }>();
  let exited: string | undefined;
  let seq = 0;
  const ask = <T>(op: UpstreamOp): Promise<T> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      pending.set(++seq, { resolve: resolve as (reply: unknown) => void, reject });
      child.send({ seq, op }, (err) => err && reject(err));
    });
  // A crash of the upstream fails the soak's next question at once instead of leaving it to the watchdog.
  child.once('exit', (code, signal) => {
    exited = `the upstream's process exited (${signal ?? code})`;
    for (const { reject } of pending.values()) reject(new Error(exited));
    pending.clear();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`${exited} before it listened`)));
    child.once('message', (m: { url: string }) => resolve(m.url));
  });
  child.on('message', (m: { seq: number; reply: unknown }) => {
    pending.get(m.seq)?.resolve(m.reply);
    pending.delete(m.seq);
  });
  return {
    url,
    state: () => ask<UpstreamState>('state'),
    records: () => ask<UpstreamRecords>('records'),
    clear: () => ask<void>('clear'),
    close: async () => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await ask<void>('close');
      child.disconnect();
      await gone;
    },
  };
}
