import net from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { loadConfig } from '../../core/config';
import { startOxy } from '../helpers/oxy';
import { RawClient } from '../helpers/raw-client';
import { deferred, startUpstream, within } from '../helpers/upstream';

// Issue 9, timeouts by phase: connect, the wait for the headers, and silence while a body moves. Each
// ends in a defined client outcome, well before the other limits (a minute here) could fire.
const LONG = '60000';

/** oxy with a 300 ms idle limit and a long headers limit, in front of `target`. */
const startIdleLimited = (target: string): ReturnType<typeof startOxy> =>
  startOxy({ OXY_TARGET: target, OXY_HEADERS_TIMEOUT_MS: LONG, OXY_IDLE_TIMEOUT_MS: '300' });

describe('upstream timeouts', () => {
  it('answers 504 upstream_connect_timeout when the TLS handshake never completes', async () => {
    // Accepts TCP, then says nothing: the TLS handshake waits forever.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const oxy = await startOxy({
      OXY_TARGET: `https://127.0.0.1:${port}`,
      OXY_CONNECT_TIMEOUT_MS: '300',
      OXY_HEADERS_TIMEOUT_MS: LONG,
      OXY_IDLE_TIMEOUT_MS: LONG,
    });
    try {
      const res = await request(oxy.url).get('/v1/models');
      expect([res.status, res.body.error.code]).toEqual([504, 'upstream_connect_timeout']);
      expect(res.body.error.message).toBe('The upstream API did not accept a connection within 300 ms.');
    } finally {
      await oxy.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('answers 504 when no headers come within OXY_HEADERS_TIMEOUT_MS, and closes the upstream request', async () => {
    const upstream = await startUpstream(() => undefined);
    const oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_HEADERS_TIMEOUT_MS: '300',
      OXY_IDLE_TIMEOUT_MS: LONG,
    });
    try {
      const res = await request(oxy.url).post('/v1/chat/completions').send({});
      expect([res.status, res.body.error.message]).toEqual([
        504,
        'The upstream API sent no answer within 300 ms.',
      ]);
      expect(await within(upstream.seen[0]!.closedEarly, 2000, 'the upstream request to close')).toBe(true);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('starts the headers clock only once the body is sent: a slow upload within the idle limit succeeds', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_HEADERS_TIMEOUT_MS: '300',
      OXY_IDLE_TIMEOUT_MS: '2000',
    });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('POST /v1/files HTTP/1.1\r\nHost: oxy\r\nContent-Length: 9\r\n\r\npart1');
      for (const part of ['pa', 'rt']) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        client.write(part);
      }
      const answer = await client.answer(3000);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).body).toBe('part1part');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  // A pooled socket keeps the limit its last request armed (upstream/agent.ts, timeouts.ts): the timer is
  // not re-armed per request, so this guards that it still runs, from the reused request's own writes.
  it('times out a request on a reused upstream socket as on a new one', async () => {
    let calls = 0;
    const upstream = await startUpstream((_req, res) => {
      if (++calls === 1) res.end('{}');
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_UPSTREAM_TIMEOUT_MS: '300' });
    try {
      expect((await request(oxy.url).post('/v1/chat/completions').send({})).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const res = await request(oxy.url).post('/v1/chat/completions').send({});
      expect([res.status, res.body.error.code]).toEqual([504, 'upstream_timeout']);
      // From the second request's send, not from the socket's last activity 200 ms before it; and the timer
      // does run on the reused socket (without it the request hangs until something else gives up).
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(2000);
      expect(upstream.seen[1]!.remotePort).toBe(upstream.seen[0]!.remotePort);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('breaks a stream off visibly when the upstream falls silent past OXY_IDLE_TIMEOUT_MS', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"i":0}\n\n');
    });
    const oxy = await startIdleLimited(upstream.url);
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('POST /v1/chat/completions HTTP/1.1\r\nHost: oxy\r\nContent-Length: 2\r\n\r\n{}');
      const answer = await client.answer(3000);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('data: {"i":0}\n\n');
      expect(answer.body).toContain(
        'event: error\ndata: {"error":{"message":"The upstream API sent nothing for 300 ms.","type":"proxy_error","code":"upstream_timeout"}}\n\n',
      );
      expect(answer.ending).toBe('reset');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  // Found in review: the socket's idle timer also fires when the client is the one stalling, and the client
  // was told, and the log said, that the upstream had fallen silent.
  it('answers 408 request_body_timeout to a client that stops sending its body', async () => {
    const upstream = await startUpstream();
    const oxy = await startIdleLimited(upstream.url);
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('POST /v1/files HTTP/1.1\r\nHost: oxy\r\nContent-Length: 1000\r\n\r\n0123456789');
      const answer = await client.answer(3000);
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body).error).toEqual({
        message: 'The client sent nothing of the request body for 300 ms.',
        type: 'invalid_request_error',
        code: 'request_body_timeout',
      });
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  it('names the client, not the upstream, when the client stops reading a long answer', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 'a');
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length });
      res.end(big);
    });
    const oxy = await startIdleLimited(upstream.url);
    // Reads nothing: the kernel's buffers fill, and oxy pauses the upstream's answer.
    const socket = net.connect(Number(new URL(oxy.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      socket.write('GET /v1/files/f/content HTTP/1.1\r\nHost: oxy\r\n\r\n');
      const failure = async (): Promise<Record<string, unknown> | undefined> => {
        for (let i = 0; i < 60; i++) {
          const line = oxy.logs
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .find((l) => l.event === 'upstream_failed');
          if (line) return line;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return undefined;
      };
      expect(await failure()).toMatchObject({ code: 'client_read_timeout' });
    } finally {
      socket.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  it('has no cap on a stream that keeps sending', async () => {
    const done = deferred();
    const upstream = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 8; i++) {
        res.write(`data: {"i":${i}}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      res.end('data: [DONE]\n\n');
      done.resolve();
    });
    // 800 ms of stream against a 300 ms idle limit and a 300 ms headers limit: never silent for 300 ms.
    const oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_HEADERS_TIMEOUT_MS: '300',
      OXY_IDLE_TIMEOUT_MS: '300',
    });
    try {
      const res = await request(oxy.url).post('/v1/chat/completions').send({});
      expect(res.status).toBe(200);
      expect(res.text).toContain('data: [DONE]');
      await done.promise;
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});

describe('timeout settings', () => {
  it.each<[Record<string, string>, [number, number, number]]>([
    [{}, [10_000, 600_000, 600_000]],
    [{ OXY_UPSTREAM_TIMEOUT_MS: '5000' }, [10_000, 5000, 5000]],
    [{ OXY_UPSTREAM_TIMEOUT_MS: '5000', OXY_HEADERS_TIMEOUT_MS: '900000' }, [10_000, 900_000, 5000]],
    [
      { OXY_UPSTREAM_TIMEOUT_MS: '5000', OXY_IDLE_TIMEOUT_MS: '1000', OXY_CONNECT_TIMEOUT_MS: '2000' },
      [2000, 5000, 1000],
    ],
  ])('%j → connect, headers, idle %j (a specific setting wins over the shorthand)', (env, expected) => {
    const c = loadConfig(env);
    expect([c.connectTimeoutMs, c.headersTimeoutMs, c.idleTimeoutMs]).toEqual(expected);
  });
});
