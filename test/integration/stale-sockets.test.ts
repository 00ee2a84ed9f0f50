import request from 'supertest';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// A frozen instance (between invocations) cannot run the agent's own idle timer: after a thaw, the request
// path itself must drop pooled upstream sockets idle for 30 s, or it reuses one whose NAT mapping is gone.
// The thaw is a jump of Date.now(); sockets and timers keep real time.
describe('pooled upstream sockets after a long idle (a thawed instance)', () => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  let offset = 0;
  beforeEach(async () => {
    offset = 0;
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    upstream = await startUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await oxy.close();
    await upstream.close();
  });

  it('are not reused once idle for 30 s: the next request opens a new connection', async () => {
    await request(oxy.url).get('/v1/models');
    offset += 30_000;
    await request(oxy.url).get('/v1/models');
    expect(upstream.seen).toHaveLength(2);
    expect(upstream.seen[0]!.remotePort).not.toBe(upstream.seen[1]!.remotePort);
  });

  it('are reused when idle for less', async () => {
    await request(oxy.url).get('/v1/models');
    offset += 29_000;
    await request(oxy.url).get('/v1/models');
    expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(1);
  });
});
