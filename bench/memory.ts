/**
 * Memory of a proxy process: resident set when idle after start, and its peak while a large request body
 * streams through it to the upstream. A proxy that respects backpressure holds a few chunks at a time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { nowMs, sleep } from './clock';
import { CHAT_HEADERS } from './load';
import { stopChild } from './processes';
import { startProxy, type ProxyKind } from './servers';

export interface MemoryRun {
  idleKb: number;
  peakKb: number;
  growthKb: number;
  /** Whether the kernel's peak (VmHWM) could be reset before the upload; if not, peak is from sampling. */
  hwmReset: boolean;
  uploadMs: number;
}

const CHUNK = 64 * 1024;
const SETTLE_MS = 1000;
const SAMPLE_MS = 20;

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM). */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status);
  if (!m?.[1]) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, `echo 5 > /proc/<pid>/clear_refs`). */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** A body of `bytes` bytes made of one reused 64 KB buffer: the client never holds more than that. */
function body(bytes: number): Readable {
  const block = Buffer.alloc(CHUNK, 'x');
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, CHUNK);
      left -= n;
      this.push(n === CHUNK ? block : block.subarray(0, n));
    },
  });
}

/** POSTs `bytes` bytes to /v1/files through the proxy; the upstream must report receiving all of them. */
function upload(baseUrl: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}/v1/files`, {
      method: 'POST',
      agent: false,
      headers: { ...CHAT_HEADERS, 'content-type': 'application/octet-stream', 'content-length': bytes },
    });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      req.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error('upload: not done in 120 s')), 120_000);
    req.on('error', fail);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (t: string) => (text += t));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const received = res.statusCode === 200 ? (JSON.parse(text) as { bytes?: unknown }).bytes : undefined;
        if (received === bytes) resolve();
        else
          reject(new Error(`upload: status ${res.statusCode}, upstream got ${received} of ${bytes} bytes`));
      });
    });
    pipeline(body(bytes), req, (err) => err && fail(err));
  });
}

/** Starts a fresh proxy, reads its idle RSS, streams `bytes` through it, reads the peak, stops it. */
export async function measureMemory(
  kind: ProxyKind,
  target: string,
  scfDir: string,
  bytes: number,
): Promise<MemoryRun> {
  const { child, url } = await startProxy(kind, target, scfDir);
  try {
    // The bootstrap execs node, so the pid spawned is the Node process's; make sure of it.
    const comm = readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
    if (comm !== 'node') throw new Error(`${kind}: pid ${child.pid} is "${comm}", not node`);
    await sleep(SETTLE_MS);
    const idleKb = statusKb(child.pid, 'VmRSS');
    const hwmReset = resetPeak(child.pid);
    let sampledKb = idleKb;
    const sampler = setInterval(() => {
      try {
        sampledKb = Math.max(sampledKb, statusKb(child.pid, 'VmRSS'));
      } catch {
        // the process died: the upload fails and says so
      }
    }, SAMPLE_MS);
    const started = nowMs();
    try {
      await upload(url, bytes);
    } finally {
      clearInterval(sampler);
    }
    const uploadMs = nowMs() - started;
    const peakKb = Math.max(sampledKb, hwmReset ? statusKb(child.pid, 'VmHWM') : 0);
    return { idleKb, peakKb, growthKb: peakKb - idleKb, hwmReset, uploadMs };
  } finally {
    await stopChild(child);
  }
}
