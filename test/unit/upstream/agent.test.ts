import http from 'node:http';
import { upstreamAgent } from '../../../core/upstream/agent';
import { type Upstream, startUpstream } from '../../helpers/upstream';

function get(url: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

describe('upstreamAgent', () => {
  let upstream: Upstream;
  let clock: number;
  beforeEach(async () => {
    upstream = await startUpstream();
    clock = 1_000_000;
  });
  afterEach(() => upstream.close());

  it('reuses a socket that has been idle for less than 30 s', async () => {
    const { agent, dropStale } = upstreamAgent(new URL(upstream.url), () => clock);
    await get(upstream.url, agent);
    clock += 29_000;
    dropStale();
    await get(upstream.url, agent);
    expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(1);
    agent.destroy();
  });

  it('never reuses a socket idle for 30 s, even when its own timer could not fire (a frozen instance)', async () => {
    const { agent, dropStale } = upstreamAgent(new URL(upstream.url), () => clock);
    await get(upstream.url, agent);
    clock += 30_000;
    dropStale();
    await get(upstream.url, agent);
    expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(2);
    agent.destroy();
  });
});

describe('upstreamAgent without a request', () => {
  let upstream: Upstream;
  afterEach(() => upstream.close());

  it('closes a pooled socket idle for 30 s on its own sweep, with no request to trigger dropStale', async () => {
    upstream = await startUpstream();
    let clock = 1_000_000;
    const { agent } = upstreamAgent(new URL(upstream.url), () => clock, 20);
    await get(upstream.url, agent);
    const [socket] = Object.values(agent.freeSockets).flat();
    expect(socket?.destroyed).toBe(false);
    clock += 30_000;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(socket?.destroyed).toBe(true);
    agent.destroy();
  });
});

// Node's own agent shortens a pooled socket's life to a server's `Keep-Alive: timeout=N` hint, less a
// second, so it is not reused just as the server closes it (ECONNRESET). oxy's agent keeps that.
describe("upstreamAgent and the server's Keep-Alive hint", () => {
  let upstream: Upstream;
  afterEach(() => upstream.close());

  /**
   * Two requests through a fresh agent, `pauseMs` apart, to an upstream announcing `Keep-Alive:
   * timeout=<keepAliveS>`; how many connections they took.
   */
  const connectionsFor = async (keepAliveS: number, pauseMs: number): Promise<number> => {
    upstream = await startUpstream();
    upstream.server.keepAliveTimeout = keepAliveS * 1000;
    const { agent } = upstreamAgent(new URL(upstream.url));
    await get(upstream.url, agent);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await get(upstream.url, agent);
    agent.destroy();
    return new Set(upstream.seen.map((s) => s.remotePort)).size;
  };

  it('closes a pooled socket one second before the announced timeout', async () => {
    expect(await connectionsFor(2, 1300)).toBe(2);
  });

  it('reuses it before then', async () => {
    expect(await connectionsFor(2, 200)).toBe(1);
  });

  it('does not keep a socket at all when the announced timeout leaves no second to spare', async () => {
    expect(await connectionsFor(1, 0)).toBe(2);
  });
});
