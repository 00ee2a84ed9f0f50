import request from 'supertest';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';
import { VERSION } from '../../core/version';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

describe('/healthz', () => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  const health = { status: 'ok', version: VERSION, platform: 'scf' };
  beforeAll(async () => {
    upstream = await startUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url }, scfPlatform);
  });
  afterAll(async () => {
    await oxy.close();
    await upstream.close();
  });
  beforeEach(() => (upstream.seen.length = 0));

  it.each(['/healthz', '/healthz?probe=1'])(
    'answers GET %s itself: JSON with the status, version and platform, and a Date',
    async (path) => {
      const res = await request(oxy.url).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['content-length']).toBe(String(JSON.stringify(health).length));
      expect(res.headers.date).toBeDefined();
      expect(res.body).toEqual(health);
      expect(upstream.seen).toEqual([]);
    },
  );

  it('answers HEAD /healthz itself, with the same headers and no body', async () => {
    const res = await request(oxy.url).head('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBe(String(JSON.stringify(health).length));
    expect(res.text ?? '').toBe('');
    expect(upstream.seen).toEqual([]);
  });

  it.each([
    ['POST', '/healthz'],
    ['PUT', '/healthz'],
    ['GET', '/healthzz'],
    ['GET', '/healthz/'],
    ['GET', '/v1/healthz'],
  ])('forwards %s %s to the upstream like any other request', async (method, path) => {
    const res = await request(oxy.url)[method.toLowerCase() as 'get'](path);
    expect(res.status).toBe(200);
    expect(upstream.seen.map((s) => [s.method, s.url])).toEqual([[method, path]]);
  });

  it('has no Date header on FC, which refuses one', async () => {
    const fc = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
    try {
      const res = await request(fc.url).get('/healthz');
      expect(res.body).toEqual({ ...health, platform: 'fc' });
      expect(res.headers.date).toBeUndefined();
    } finally {
      await fc.close();
    }
  });

  it('keeps the Date header on a platform that forbids only header prefixes', async () => {
    const platform = { name: 'prefixes-only', forbiddenResponseHeaders: { prefixes: ['x-internal-'] } };
    const other = await startOxy({ OXY_TARGET: upstream.url }, platform);
    try {
      const res = await request(other.url).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.headers.date).toBeDefined();
    } finally {
      await other.close();
    }
  });
});
