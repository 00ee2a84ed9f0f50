import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { DRAIN_MS } from '../../core/start';
import { startWithHost } from '../helpers/started-oxy';
import { RawClient } from '../helpers/raw-client';
import { type Upstream, deferred, startUpstream, within } from '../helpers/upstream';

/** GET on a keep-alive agent; resolves with the status and the whole body. */
function get(url: string, agent: http.Agent): Promise<{ status?: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('SIGTERM', () => {
  let upstream: Upstream;
  let arrived = deferred();
  let release = deferred();
  let agent: http.Agent;
  beforeAll(async () => {
    // Answers /slow only when the test says so: a request that is in flight for as long as needed.
    upstream = await startUpstream(async (_req, res, seen) => {
      if (seen.url === '/slow') {
        arrived.resolve();
        await release.promise;
      }
      if (seen.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"i":0}\n\n');
        arrived.resolve();
        return void (await release.promise);
      }
      res.end(`answer to ${seen.url}`);
    });
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    arrived = deferred();
    release = deferred();
    agent = new http.Agent({ keepAlive: true });
  });
  afterEach(() => agent.destroy());

  it('lets a request in flight finish, refuses new connections, then exits 0 (a drain, not an exit)', async () => {
    const oxy = await startWithHost({ OXY_TARGET: upstream.url });
    try {
      const answer = get(`${oxy.url}/slow`, agent);
      await within(arrived.promise, 3000, 'the request to reach the upstream');
      oxy.host.emit('SIGTERM');
      expect(oxy.host.exits).toEqual([]);
      const refused = await new Promise<string>((resolve) =>
        net
          .connect(oxy.port, '127.0.0.1')
          .once('connect', () => resolve('connected'))
          .once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')),
      );
      expect(refused).toBe('ECONNREFUSED');
      release.resolve();
      expect(await within(answer, 3000, 'the answer in flight')).toEqual({
        status: 200,
        body: 'answer to /slow',
      });
      expect(await within(oxy.host.exited.promise, 3000, 'the exit after the drain')).toBe(0);
      expect(oxy.host.exits).toEqual([0]);
    } finally {
      release.resolve();
      await oxy.close();
    }
  });

  // Found in review: answers finished during the drain still said keep-alive, and a client that reused the
  // connection just after could meet the idle sweep's FIN instead of an answer.
  it('says Connection: close on an answer that starts once draining', async () => {
    const oxy = await startWithHost({ OXY_TARGET: upstream.url });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('GET /slow HTTP/1.1\r\nHost: oxy\r\n\r\n');
      await within(arrived.promise, 3000, 'the request to reach the upstream');
      oxy.host.emit('SIGTERM');
      release.resolve();
      const answer = await client.answer(3000);
      expect(answer.status).toBe(200);
      expect(answer.head).toMatch(/\r\nconnection: close(\r\n|$)/i);
      expect(answer.head).not.toMatch(/keep-alive/i);
    } finally {
      client.destroy();
      release.resolve();
      await oxy.close();
    }
  });

  it.each(['SIGTERM', 'SIGINT'])(
    'closes idle keep-alive connections on %s and exits 0 without waiting for the drain limit',
    async (signal) => {
      const oxy = await startWithHost({ OXY_TARGET: upstream.url });
      try {
        expect(await get(`${oxy.url}/fast`, agent)).toEqual({ status: 200, body: 'answer to /fast' });
        const [idle] = Object.values(agent.freeSockets).flat();
        expect(idle).toBeDefined();
        const closed = once(idle!, 'close');
        oxy.host.emit(signal);
        await within(closed, 3000, 'the idle connection to be closed');
        expect(await within(oxy.host.exited.promise, 3000, 'the exit')).toBe(0);
      } finally {
        await oxy.close();
      }
    },
  );

  it(`answers what is still in flight after ${DRAIN_MS} ms with 503 shutting_down, then exits 0`, async () => {
    const oxy = await startWithHost({ OXY_TARGET: upstream.url });
    try {
      const answer = get(`${oxy.url}/slow`, agent).catch(() => undefined);
      await within(arrived.promise, 3000, 'the request to reach the upstream');
      // Only the drain limit's timer is faked: sockets and the rest of Node keep real time.
      jest.useFakeTimers({
        doNotFake: [
          'nextTick',
          'setImmediate',
          'queueMicrotask',
          'setInterval',
          'clearInterval',
          'Date',
          'hrtime',
          'performance',
        ],
      });
      try {
        oxy.host.emit('SIGTERM');
        jest.advanceTimersByTime(DRAIN_MS - 1);
        expect(oxy.host.exits).toEqual([]);
        // The grace is over: the answer still waiting fails visibly, and the exit follows its last words.
        jest.advanceTimersByTime(1);
        expect(oxy.host.exits).toEqual([]);
        jest.advanceTimersByTime(100);
        expect(oxy.host.exits).toEqual([0]);
      } finally {
        jest.useRealTimers();
      }
      const { status, body } = (await answer) ?? {};
      expect(status).toBe(503);
      expect(JSON.parse(body ?? '{}').error.code).toBe('shutting_down');
      release.resolve();
    } finally {
      release.resolve();
      await oxy.close();
    }
  });

  it('breaks off a stream still running at the end of OXY_SHUTDOWN_GRACE_MS with an error event and a reset', async () => {
    const oxy = await startWithHost({ OXY_TARGET: upstream.url, OXY_SHUTDOWN_GRACE_MS: '300' });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('GET /stream HTTP/1.1\r\nHost: oxy\r\n\r\n');
      await within(arrived.promise, 3000, 'the stream to start');
      oxy.host.emit('SIGTERM');
      const answer = await client.answer(3000);
      expect(answer.body).toContain('data: {"i":0}\n\n');
      expect(answer.body).toContain('event: error\ndata: {"error":{"message":"The proxy is shutting down');
      expect(answer.body).toContain('"code":"shutting_down"');
      expect(answer.ending).toBe('reset');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(oxy.host.exits).toEqual([0]);
    } finally {
      client.destroy();
      release.resolve();
      await oxy.close();
    }
  });
});
