import http from 'node:http';
import request from 'supertest';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Guards upstream/outgoing-options.ts: the options http-proxy hands http.request for each upstream request
// hold only the fields that request uses, none left undefined (Node copies every field three times per
// request), on a first attempt and on a failover retry alike, and the request still arrives as sent.
const USED = ['agent', 'headers', 'host', 'hostname', 'method', 'path', 'port'];

describe('the options of each upstream request', () => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  let options: Record<string, unknown>[];
  beforeEach(() => {
    options = [];
    const original = http.request.bind(http) as (...args: unknown[]) => http.ClientRequest;
    jest.spyOn(http, 'request').mockImplementation(((...args: unknown[]) => {
      const first = args[0] as Record<string, unknown>;
      // supertest's own requests to oxy go through http.request too: only those to the upstream count.
      if (String(first.port) === String(upstream.port)) options.push({ ...first });
      return original(...args);
    }) as typeof http.request);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await oxy.close();
    await upstream.close();
  });

  it('are the fields a hand-written proxy gives, each with a value', async () => {
    upstream = await startUpstream();
    oxy = await startOxy({ OXY_TARGET: `${upstream.url}/base` });
    const res = await request(oxy.url).post('/v1/chat/completions?x=1').send({ model: 'm' });
    expect(res.status).toBe(200);
    expect(options).toHaveLength(1);
    expect(Object.keys(options[0]!).sort()).toEqual(USED);
    // The path is written later, on the request itself (upstream/proxy.ts onProxyReq).
    expect(options[0]).toMatchObject({ method: 'POST', path: '' });
    expect(upstream.seen[0]).toMatchObject({ method: 'POST', url: '/base/v1/chat/completions?x=1' });
    expect(JSON.parse(upstream.seen[0]!.body.toString())).toEqual({ model: 'm' });
  });

  it('are the same on a failover retry, which gets a fresh set', async () => {
    upstream = await startUpstream((_req, res, seen) => {
      res.writeHead(seen.headers.authorization === 'Bearer sk-first' ? 401 : 200);
      res.end(seen.body);
    });
    oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_PROXY_KEYS: 'pk-client',
      OXY_UPSTREAM_KEYS: 'sk-first,sk-second',
    });
    const res = await request(oxy.url)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer pk-client')
      .send({ model: 'm' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ model: 'm' });
    expect(options).toHaveLength(2);
    for (const o of options) expect(Object.keys(o).sort()).toEqual(USED);
    expect(options[0]!.headers).not.toBe(options[1]!.headers);
    expect(upstream.seen.map((s) => s.headers.authorization)).toEqual([
      'Bearer sk-first',
      'Bearer sk-second',
    ]);
  });
});
