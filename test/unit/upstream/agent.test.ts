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
