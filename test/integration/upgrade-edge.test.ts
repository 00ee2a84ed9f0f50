import net from 'node:net';
import { startOxyProcess, type OxyProcess } from '../helpers/oxy-process';
import { type Upstream, startUpstream } from '../helpers/upstream';

// The upgrade listener (core/realtime/upgrade.ts) against hostile connections. Both were found in an attacker
// review: one packet ended the process before any check ran, and a refused upgrade held its socket open.
const UPGRADE =
  'GET /v1/realtime HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** Writes `bytes` on a fresh connection; resolves with all it got back once the server closes it (or after `ms`). */
function exchange(
  url: string,
  bytes: string,
  ms: number,
): Promise<{ data: string; closedBy: 'server' | 'timeout' }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    // Keeps its own side open, as a client that never hangs up would.
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => (socket.destroy(), resolve({ data, closedBy: 'timeout' })), ms);
    socket.on('close', () => (clearTimeout(timer), resolve({ data, closedBy: 'server' })));
    socket.on('end', () => undefined);
    socket.write(bytes);
  });
}

describe('the upgrade listener against hostile connections', () => {
  let upstream: Upstream;
  let oxy: OxyProcess;
  beforeEach(async () => {
    upstream = await startUpstream();
    oxy = await startOxyProcess({ OXY_TARGET: upstream.url, OXY_PROXY_KEYS: 'pk-edge-key' });
  });
  afterEach(async () => {
    await oxy.close();
    await upstream.close();
  });

  // Node emits 'upgrade' while the first request's answer still holds the socket; assignSocket threw
  // ERR_HTTP_SOCKET_ASSIGNED outside any try, and the process exited with every stream in it.
  it.each([
    ['/healthz', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a request without a key', 'GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('survives an upgrade pipelined behind %s, and closes that connection', async (_name, first) => {
    const { closedBy } = await exchange(oxy.url, first + UPGRADE, 3000);
    expect(closedBy).toBe('server');
    const after = await fetch(`${oxy.url}/healthz`);
    expect(after.status).toBe(200);
  });

  // A refusal was followed by a half-close only: a client that kept its side open held the socket (and a
  // shutdown's drain) for as long as it liked. This client keeps its side open (allowHalfOpen) and writes
  // after the answer: a socket the server has closed answers that with a reset.
  it('closes the socket of a refused upgrade once the refusal is out', async () => {
    const { port } = new URL(oxy.url);
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    let data = '';
    socket.on('data', (c) => (data += c.toString('latin1')));
    const reset = new Promise<string>((resolve) =>
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')),
    );
    await new Promise<void>((resolve) => socket.once('end', resolve).write(UPGRADE));
    expect(data).toMatch(/^HTTP\/1\.1 401 /);
    expect(data).toContain('"code":"invalid_proxy_key"');
    const probe = setInterval(() => socket.write('x'), 100);
    const outcome = await Promise.race([reset, new Promise((r) => setTimeout(() => r('still open'), 2000))]);
    clearInterval(probe);
    socket.destroy();
    expect(outcome).toMatch(/^(ECONNRESET|EPIPE)$/);
  });

  // Found in review: a timeout's fail() destroyed the upstream request, whose 'error' ran fail() again, so
  // an upstream_timeout line was followed by a contradicting upstream_failed/upstream_reset one.
  it('writes one failure line when the upstream never answers the upgrade', async () => {
    const silent = (s: net.Socket): void => void s.resume();
    await withRawUpstream(silent, { OXY_HEADERS_TIMEOUT_MS: '300' }, async (core) => {
      const { data } = await exchange(core.url, UPGRADE, 3000);
      expect(data).toMatch(/^HTTP\/1\.1 504 /);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const failures = core.logs().filter((l) => l.includes('"upstream_failed"'));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toContain('"code":"upstream_timeout"');
    });
  });

  // Found in review: the upstream's refusal was piped to the client with no timeout once its headers came, so
  // an upstream that went silent mid-body held both connections open.
  it('breaks off an upstream refusal whose body goes silent', async () => {
    const stalling = (s: net.Socket): void =>
      void s.once('data', () => s.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 100\r\n\r\n123456789'));
    await withRawUpstream(stalling, { OXY_IDLE_TIMEOUT_MS: '300' }, async (core) => {
      const { data, closedBy } = await exchange(core.url, UPGRADE, 3000);
      expect(data).toMatch(/^HTTP\/1\.1 403 /);
      expect(closedBy).toBe('server');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const lines = core.logs().filter((l) => l.includes('"event":"websocket"'));
      expect(lines.some((l) => l.includes('"status":403'))).toBe(true);
    });
  });

  // Found in review: the client's socket was not read while the upgrade waited for the upstream's answer, so a
  // client that hung up (FIN) left the upstream request open until OXY_HEADERS_TIMEOUT_MS (10 min by default).
  it('closes the upstream request within 500 ms when the client hangs up before the 101', async () => {
    const closed: number[] = [];
    const arrived: number[] = [];
    const silent = (s: net.Socket): void => {
      arrived.push(Date.now());
      s.resume().once('close', () => closed.push(Date.now()));
    };
    await withRawUpstream(silent, {}, async (core) => {
      const { port } = new URL(core.url);
      const client = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
      client.on('error', () => undefined).resume();
      client.write(UPGRADE);
      for (let i = 0; i < 100 && arrived.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(arrived).toHaveLength(1);
      const hungUp = Date.now();
      client.end();
      for (let i = 0; i < 100 && closed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      client.destroy();
      expect(closed).toHaveLength(1);
      expect(closed[0]! - hungUp).toBeLessThan(500);
    });
  });
});

/** Runs `body` against the core in a child process whose upstream is a raw TCP server answering as `serve`. */
async function withRawUpstream(
  serve: (socket: net.Socket) => void,
  env: Record<string, string>,
  body: (core: OxyProcess) => Promise<void>,
): Promise<void> {
  const upstream = net.createServer((s) => serve(s.on('error', () => undefined)));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as net.AddressInfo;
  const core = await startOxyProcess({ OXY_TARGET: `http://127.0.0.1:${port}`, ...env });
  try {
    await body(core);
  } finally {
    await core.close();
    upstream.close();
  }
}
