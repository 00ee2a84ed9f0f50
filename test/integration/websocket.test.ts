import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { scfPlatform } from '../../functions/scf/platform';
import { startOxy } from '../helpers/oxy';
import { deferred, within } from '../helpers/upstream';

// Issue 10: WebSocket upgrades relayed frame for frame, behind the same protections as HTTP requests.
interface WsUpstream {
  url: string;
  upgrades: IncomingMessage[];
  received: { data: Buffer; binary: boolean }[];
  closes: Promise<{ code: number; reason: string }>[];
  server: WebSocketServer;
  close(): Promise<void>;
}

async function startWsUpstream(options: { refuse?: number; greet?: string } = {}): Promise<WsUpstream> {
  const http1 = http.createServer();
  const server = new WebSocketServer({
    server: http1,
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
    verifyClient: (_info, done) =>
      options.refuse ? done(false, options.refuse, 'refused by upstream') : done(true),
  });
  const up: WsUpstream = {
    url: '',
    upgrades: [],
    received: [],
    closes: [],
    server,
    close: () =>
      new Promise((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => http1.close(() => resolve()));
        http1.closeAllConnections();
      }),
  };
  server.on('connection', (ws, req) => {
    up.upgrades.push(req);
    const closed = deferred<{ code: number; reason: string }>();
    up.closes.push(closed.promise);
    ws.on('close', (code, reason) => closed.resolve({ code, reason: reason.toString() }));
    if (options.greet) ws.send(options.greet);
    ws.on('message', (data, binary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      up.received.push({ data: buf, binary });
      if (buf.toString() === 'close-please') return ws.close(4001, 'upstream says bye');
      ws.send(buf, { binary });
    });
  });
  await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
  up.url = `http://127.0.0.1:${(http1.address() as AddressInfo).port}`;
  return up;
}

function connect(
  url: string,
  options: WebSocket.ClientOptions & { protocols?: string[] } = {},
): Promise<WebSocket> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), options.protocols ?? [], options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })),
      );
    });
  });
}

const next = (ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> =>
  within(
    new Promise((resolve) =>
      ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary })),
    ),
    3000,
    'a message',
  );

describe('WebSocket relay', () => {
  let upstream: WsUpstream;
  let oxy: Awaited<ReturnType<typeof startOxy>>;
  afterEach(async () => {
    await oxy?.close();
    await upstream?.close();
  });

  it('relays text, binary, large and fragmented messages both ways, unchanged', async () => {
    upstream = await startWsUpstream();
    oxy = await startOxy({ OXY_TARGET: `${upstream.url}/base` });
    const ws = await connect(`${oxy.url}/v1/realtime?model=gpt-realtime`);
    expect(upstream.upgrades[0]!.url).toBe('/base/v1/realtime?model=gpt-realtime');
    ws.send('héllo');
    expect(await next(ws)).toEqual({ data: Buffer.from('héllo'), binary: false });
    const bin = Buffer.from([0, 1, 2, 255]);
    ws.send(bin);
    expect(await next(ws)).toEqual({ data: bin, binary: true });
    const big = Buffer.alloc(1024 * 1024 + 7, 'x');
    ws.send(big, { binary: true });
    expect((await next(ws)).data.equals(big)).toBe(true);
    ws.send('frag-', { fin: false });
    ws.send('mented', { fin: true });
    expect((await next(ws)).data.toString()).toBe('frag-mented');
    const pong = new Promise((resolve) => ws.once('pong', resolve));
    ws.ping('are you there');
    await within(pong, 3000, 'the pong');
    ws.close(4000, 'client says bye');
    expect(await within(upstream.closes[0]!, 3000, 'the upstream close')).toEqual({
      code: 4000,
      reason: 'client says bye',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(oxy.logs.map((l) => JSON.parse(l)).filter((l) => l.event === 'websocket')).toEqual([
      expect.objectContaining({
        status: 101,
        closeCode: 4000,
        endedBy: 'client',
        framesIn: expect.any(Number),
        bytesIn: expect.any(Number),
      }),
    ]);
  });

  it('passes the upstream’s close code and a greeting sent with its 101', async () => {
    upstream = await startWsUpstream({ greet: 'welcome' });
    oxy = await startOxy({ OXY_TARGET: upstream.url });
    const ws = new WebSocket(`${oxy.url.replace('http', 'ws')}/v1/realtime`);
    const first = next(ws);
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    expect((await first).data.toString()).toBe('welcome');
    ws.send('close-please');
    expect(await within(closed, 3000, 'the client close')).toEqual([4001, 'upstream says bye']);
  });

  it('closes the upstream within 500 ms when the client vanishes', async () => {
    upstream = await startWsUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url });
    const ws = await connect(`${oxy.url}/v1/realtime`);
    ws.terminate();
    expect(await within(upstream.closes[0]!, 500, 'the upstream to close')).toMatchObject({ code: 1001 });
  });

  it('closes both sides with 1001 after OXY_WS_IDLE_TIMEOUT_MS of silence', async () => {
    upstream = await startWsUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_WS_IDLE_TIMEOUT_MS: '300' });
    const ws = await connect(`${oxy.url}/v1/realtime`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    expect(await within(closed, 2000, 'the idle close')).toBe(1001);
    expect(await within(upstream.closes[0]!, 1000, 'the upstream close')).toMatchObject({
      code: 1001,
      reason: 'idle timeout',
    });
  });

  it('answers an upstream refusal as plain HTTP, not a hung socket', async () => {
    upstream = await startWsUpstream({ refuse: 401 });
    oxy = await startOxy({ OXY_TARGET: upstream.url });
    await expect(connect(`${oxy.url}/v1/realtime`)).rejects.toMatchObject({ status: 401 });
  });

  it('answers an unreachable upstream with 502 in OpenAI’s shape', async () => {
    upstream = await startWsUpstream();
    const url = upstream.url;
    await upstream.close();
    oxy = await startOxy({ OXY_TARGET: url });
    const err = await connect(`${oxy.url}/v1/realtime`).catch((e: { status: number; body: string }) => e);
    expect((err as { status: number }).status).toBe(502);
    expect(JSON.parse((err as { body: string }).body).error.code).toBe('upstream_unreachable');
  });
});

describe('WebSocket access', () => {
  let upstream: WsUpstream;
  let oxy: Awaited<ReturnType<typeof startOxy>>;
  afterEach(async () => {
    await oxy?.close();
    await upstream?.close();
    expect(JSON.stringify(oxy.logs)).not.toMatch(/pk-ws|sk-pool/);
  });

  it('strips platform credentials and forged client-identity headers from the upgrade', async () => {
    upstream = await startWsUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url }, scfPlatform);
    const ws = await connect(`${oxy.url}/v1/realtime`, {
      headers: {
        'X-Scf-Secret-Key': 'scf-secret',
        'X-Scf-Session-Token': 'scf-token',
        'x-forwarded-for': '1.2.3.4',
        'x-real-ip': '1.2.3.4',
      },
    });
    ws.close();
    const seen = upstream.upgrades[0]!.headers;
    expect(Object.keys(seen).filter((h) => /^x-scf|^x-forwarded|^x-real-ip/.test(h))).toEqual([]);
  });

  it.each<[string, WebSocket.ClientOptions & { protocols?: string[] }]>([
    ['an Authorization header', { headers: { authorization: 'Bearer pk-ws-key' } }],
    [
      'the browser’s subprotocol form',
      { protocols: ['realtime', 'openai-insecure-api-key.pk-ws-key', 'openai-beta.realtime-v1'] },
    ],
  ])('admits a proxy key in %s and sends a pool key upstream instead', async (_name, options) => {
    upstream = await startWsUpstream();
    oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_PROXY_KEYS: 'pk-ws-key',
      OXY_UPSTREAM_KEYS: 'sk-pool-ws-1',
    });
    const ws = await connect(`${oxy.url}/v1/realtime`, options);
    const seen = upstream.upgrades[0]!.headers;
    expect(seen.authorization).toBe('Bearer sk-pool-ws-1');
    expect(String(seen['sec-websocket-protocol'] ?? '')).not.toContain('pk-ws-key');
    if (options.protocols) expect(ws.protocol).toBe('realtime');
    ws.close();
  });

  it.each<[string, WebSocket.ClientOptions & { protocols?: string[] }, number]>([
    ['no key', {}, 401],
    ['a wrong key in the subprotocol', { protocols: ['realtime', 'openai-insecure-api-key.pk-wrong'] }, 401],
    [
      'an origin not allowed',
      { headers: { authorization: 'Bearer pk-ws-key' }, origin: 'https://evil.example' },
      403,
    ],
  ])('refuses %s with a plain HTTP answer before anything goes upstream', async (_name, options, status) => {
    upstream = await startWsUpstream();
    oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_PROXY_KEYS: 'pk-ws-key',
      OXY_CORS_ORIGINS: 'https://app.example',
    });
    const err = await connect(`${oxy.url}/v1/realtime`, options).catch(
      (e: { status: number; body: string }) => e,
    );
    expect((err as { status: number }).status).toBe(status);
    expect(JSON.parse((err as { body: string }).body).error).toHaveProperty('code');
    expect(upstream.upgrades).toEqual([]);
  });
});
