import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { loadConfig } from '../../core/config';
import { createServer } from '../../core/edge/server';
import { flushLogs, jsonLogger, workInProgress } from '../../core/logger';
import { closeServer, deferred, startUpstream, type Upstream, within } from '../helpers/upstream';

// The platforms freeze an instance as soon as its answers are out, and no timer runs in a frozen process
// (core/logger.ts workDone): the last answer's log line must be on stdout when the answer is, while lines of
// answers finished beside others still in progress keep waiting for one batch. Runs oxy with the logger it
// ships (jsonLogger), whose writes to stdout are watched here.
describe('request lines and the instance going idle', () => {
  let upstream: Upstream;
  let server: http.Server;
  let url: string;
  let written: string[];
  let hold = deferred();
  beforeEach(async () => {
    hold = deferred();
    flushLogs();
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(Buffer.from(chunk).toString('utf8'));
      return true;
    });
    upstream = await startUpstream(async (req, res) => {
      if (req.url?.includes('slow')) await hold.promise;
      res.end('ok');
    });
    server = createServer(loadConfig({ OXY_TARGET: upstream.url }), { name: 'test' }, jsonLogger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    hold.resolve();
    await closeServer(server);
    await upstream.close();
    flushLogs();
    jest.restoreAllMocks();
  });

  /** The request lines written so far, by path. */
  const linesFor = (path: string): number =>
    written
      .join('')
      .split('\n')
      .filter((line) => line.includes('"event":"request"') && line.includes(path)).length;

  /** What stdout held just after oxy's own 'close' handling of the answer to `path` (listeners run in order). */
  const atClose = (path: string): Promise<number> =>
    new Promise((resolve) =>
      server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (req.url === path) res.on('close', () => resolve(linesFor(path)));
      }),
    );

  const get = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      http
        .get(`${url}${path}`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });

  it('writes the last answer’s line as its answer closes', async () => {
    const written = atClose('/v1/models?alone=1');
    expect(await get('/v1/models?alone=1')).toBe(200);
    expect(await written).toBe(1);
    expect(workInProgress()).toBe(0);
  });

  it('lets the line of an answer closed beside one in progress wait, then writes both', async () => {
    const slowClosed = atClose('/v1/models?slow=1');
    const slow = get('/v1/models?slow=1');
    await within(
      new Promise<void>((resolve) => {
        const poll = (): void => void (upstream.seen.length > 0 ? resolve() : setTimeout(poll, 5));
        poll();
      }),
      3000,
      'the slow request upstream',
    );
    // Left for the batch: the slow answer is still in progress.
    const quickClosed = atClose('/v1/models?quick=1');
    expect(await get('/v1/models?quick=1')).toBe(200);
    expect(await quickClosed).toBe(0);
    hold.resolve();
    expect(await slow).toBe(200);
    expect(await slowClosed).toBe(1);
    expect(linesFor('quick=1')).toBe(1);
  });
});

// A WebSocket session counts as work in progress until its one log line is written (core/realtime/upgrade.ts).
describe('WebSocket sessions and the instance going idle', () => {
  let wsServer: http.Server;
  let sockets: WebSocketServer;
  let server: http.Server;
  afterEach(async () => {
    for (const client of sockets?.clients ?? []) client.terminate();
    await new Promise((resolve) => sockets?.close(resolve));
    await closeServer(wsServer);
    await closeServer(server);
  });

  it('is in progress while open, and done once its line is written, refused or relayed', async () => {
    const lines: string[] = [];
    wsServer = http.createServer();
    sockets = new WebSocketServer({ server: wsServer });
    sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
    await new Promise<void>((resolve) => wsServer.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(wsServer.address() as AddressInfo).port}`;
    const config = loadConfig({ OXY_TARGET: target, OXY_PROXY_KEYS: 'pk-ws-idle' });
    server = createServer(config, { name: 'test' }, (_level, event) => void lines.push(event));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/realtime`;
    const before = workInProgress();

    const refused = new WebSocket(base);
    const status = await within(
      new Promise<number>((resolve) =>
        refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
      ),
      3000,
      'the refusal',
    );
    expect(status).toBe(401);
    await within(
      new Promise<void>((resolve) => {
        const poll = (): void => void (lines.includes('websocket') ? resolve() : setTimeout(poll, 5));
        poll();
      }),
      3000,
      'the refusal’s line',
    );
    expect(workInProgress()).toBe(before);

    const client = new WebSocket(base, { headers: { authorization: 'Bearer pk-ws-idle' } });
    await within(new Promise((resolve) => client.once('open', resolve)), 3000, 'the session to open');
    expect(workInProgress()).toBe(before + 1);
    client.close(1000, 'done');
    await within(
      new Promise<void>((resolve) => {
        const poll = (): void =>
          void (lines.filter((e) => e === 'websocket').length === 2 ? resolve() : setTimeout(poll, 5));
        poll();
      }),
      3000,
      'the session’s line',
    );
    expect(workInProgress()).toBe(before);
  });
});
