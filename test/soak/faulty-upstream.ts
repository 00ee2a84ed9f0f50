import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * What a soak request asks the upstream to do, from its path `/v1/soak/<kind>/<id>?…`. Every fault the soak
 * injects on the upstream side is one of these; `refused` never reaches it (its route has no listener).
 */
export const KINDS = [
  'ok',
  'slow',
  'stall',
  'reset-before-headers',
  'reset-mid-body',
  'refused',
  'abort-before-headers',
  'sse',
  'sse-cut',
  'sse-stall',
  'abort-mid-stream',
] as const;
export type Kind = (typeof KINDS)[number];

/** One request the upstream received: what it was asked, and when it ended on the upstream's side. */
export interface UpstreamRecord {
  kind: string;
  /** performance.now() when the request's response closed (answered, or its connection went away). */
  closedAt?: number;
  /** Whether the upstream had finished its answer when it closed. */
  finished?: boolean;
}

export interface FaultyUpstream {
  port: number;
  url: string;
  /** By soak id (the `x-soak-id` header). */
  records: Map<string, UpstreamRecord>;
  /** Responses opened and not yet closed: a request still in flight on an upstream socket. */
  inFlight: Set<ServerResponse>;
  /** Upstream connections currently open, and how many of them carry a request in flight. */
  sockets(): { open: number; busy: number };
  close(): Promise<void>;
}

/** Longest SSE stream the upstream sends; `abort-mid-stream` streams run this long unless the abort ends them. */
export const LONG_STREAM_EVENTS = 200;
export const EVENT_GAP_MS = 8;

const num = (url: URL, name: string, fallback: number): number => {
  const v = Number(url.searchParams.get(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/**
 * A loopback upstream that misbehaves on request: answers late, never, cuts its answer with a TCP reset,
 * streams server-sent events, breaks or stalls a stream. Every timer it starts is cleared when the request
 * closes, so nothing it does outlives its request.
 */
export async function startFaultyUpstream(): Promise<FaultyUpstream> {
  const records = new Map<string, UpstreamRecord>();
  const inFlight = new Set<ServerResponse>();
  const busy = new Set<import('node:net').Socket>();
  const open = new Set<import('node:net').Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const [, , , kind = 'ok', id = ''] = url.pathname.split('/');
    const record: UpstreamRecord = { kind };
    records.set(String(req.headers['x-soak-id'] ?? id), record);
    inFlight.add(res);
    busy.add(req.socket);
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void): void => void timers.push(setTimeout(fn, ms));
    res.once('close', () => {
      for (const t of timers) clearTimeout(t);
      record.closedAt = performance.now();
      record.finished = res.writableFinished;
      inFlight.delete(res);
      busy.delete(req.socket);
    });

    const json = (): void => {
      const size = num(url, 'size', 64);
      const body = JSON.stringify({ id, kind, pad: 'x'.repeat(size) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const stream = (events: number, after: 'done' | 'cut' | 'stall'): void => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let sent = 0;
      const next = (): void => {
        if (res.destroyed) return;
        if (sent < events) {
          res.write(`data: {"id":"${id}","n":${sent++},"delta":"${'y'.repeat(32)}"}\n\n`);
          return later(EVENT_GAP_MS, next);
        }
        if (after === 'done') res.end('data: [DONE]\n\n');
        else if (after === 'cut') req.socket.resetAndDestroy();
        // 'stall': say nothing more; the proxy's idle timeout must end it.
      };
      next();
    };

    // Read the whole body before answering, as an API does.
    req.resume();
    req.once('end', () => {
      switch (kind) {
        case 'ok':
          return json();
        case 'slow':
          return later(num(url, 'delay', 50), json);
        case 'stall':
        case 'abort-before-headers':
          return; // Never answers: the proxy's timeout, or the client's abort, must close it.
        case 'reset-before-headers':
          return void req.socket.resetAndDestroy();
        case 'reset-mid-body': {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000 });
          res.write(`{"id":"${id}","pad":"${'z'.repeat(2000)}`);
          return later(5, () => req.socket.resetAndDestroy());
        }
        case 'sse':
          return stream(num(url, 'events', 10), 'done');
        case 'sse-cut':
          return stream(num(url, 'events', 5), 'cut');
        case 'sse-stall':
          return stream(num(url, 'events', 5), 'stall');
        case 'abort-mid-stream':
          return stream(LONG_STREAM_EVENTS, 'done');
        default:
          res.writeHead(404).end();
      }
    });
  };

  const server = http.createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    records,
    inFlight,
    sockets: () => ({ open: open.size, busy: [...busy].filter((s) => !s.destroyed).length }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
