import http from 'node:http';
import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Issue 8, the upstream key pool: round robin over healthy keys, a key refused (401/403) where another key is
// accepted leaves the rotation, 429 rests it, and a refused key is retried once with another one before
// anything reaches the client.
const PROXY = 'pk-pool-test-key';
const KEYS = ['sk-pool-aaaa1111', 'sk-pool-bbbb2222', 'sk-pool-cccc3333'];

/**
 * Answers by the key a request carries: `plan[key]` is the status and headers, else 200 with the key. Like
 * OpenAI, it refuses any key with 401 when the request names an organization the key is not in.
 */
function keyedUpstream(plan: Record<string, [number, Record<string, string>?]>): Promise<Upstream> {
  return startUpstream((_req, res, seen) => {
    const key = String(seen.headers.authorization ?? seen.headers['x-api-key'] ?? '').replace(/^Bearer /, '');
    const foreignOrg = seen.headers['openai-organization'] === 'org-not-yours';
    const [status, headers] = foreignOrg ? [401] : (plan[key] ?? [200]);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ key, body: seen.body.toString() }));
  });
}

const keyOf = (u: Upstream): string[] =>
  u.seen.map((s) => String(s.headers.authorization).replace(/^Bearer /, ''));

describe('the upstream key pool', () => {
  let upstream: Upstream;
  let oxy: Awaited<ReturnType<typeof startOxy>>;
  const start = async (
    plan: Record<string, [number, Record<string, string>?]>,
    env: Record<string, string> = {},
  ) => {
    upstream = await keyedUpstream(plan);
    oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_PROXY_KEYS: PROXY,
      OXY_UPSTREAM_KEYS: KEYS.join(','),
      ...env,
    });
  };
  const post = (body: unknown = { model: 'm', messages: [] }) =>
    request(oxy.url)
      .post('/v1/chat/completions')
      .set('authorization', `Bearer ${PROXY}`)
      .send(body as object);
  afterEach(async () => {
    await oxy?.close();
    await upstream?.close();
    // No log line holds a key, only fingerprints.
    for (const k of [...KEYS, PROXY]) expect(oxy.logs.join('\n')).not.toContain(k);
  });

  it('hands out the keys round robin, in the Authorization header', async () => {
    await start({});
    for (let i = 0; i < 4; i++) expect((await post()).status).toBe(200);
    expect(keyOf(upstream)).toEqual([KEYS[0], KEYS[1], KEYS[2], KEYS[0]]);
  });

  it('never touches a request that brings its own upstream key', async () => {
    await start({});
    const res = await request(oxy.url).get('/v1/models').set('authorization', `Bearer sk-own-key:${PROXY}`);
    expect(res.status).toBe(200);
    expect(keyOf(upstream)).toEqual(['sk-own-key']);
  });

  it.each([401, 403])(
    'retries a %i once with the next key, with the body intact, and drops the key',
    async (status) => {
      await start({ [KEYS[0]!]: [status] });
      const body = { model: 'm', messages: [{ role: 'user', content: 'héllo' }] };
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(res.body.key).toBe(KEYS[1]);
      expect(upstream.seen.map((s) => JSON.parse(s.body.toString()))).toEqual([body, body]);
      for (let i = 0; i < 3; i++) await post();
      expect(keyOf(upstream).slice(2)).toEqual([KEYS[2], KEYS[1], KEYS[2]]);
      expect(oxy.logs.map((l) => JSON.parse(l))).toContainEqual({
        id: expect.any(String),
        level: 'info',
        event: 'pool_key_removed',
        route: '/',
        key: '...1111',
        status,
      });
    },
  );

  it('rests a key answered 429 for its retry-after-ms, then uses it again', async () => {
    await start({ [KEYS[0]!]: [429, { 'retry-after-ms': '400' }] });
    expect((await post()).body.key).toBe(KEYS[1]);
    expect((await post()).body.key).toBe(KEYS[2]);
    expect((await post()).body.key).toBe(KEYS[1]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(keyOf(upstream).length).toBe(4);
    await post();
    expect(keyOf(upstream)[4]).toBe(KEYS[2]);
    await post();
    // Rested long enough: the first key is back in the rotation (and answers 429 again).
    expect(keyOf(upstream)[5]).toBe(KEYS[0]);
  });

  it('answers 429 at once, with Retry-After, when every key rests', async () => {
    await start(Object.fromEntries(KEYS.map((k) => [k, [429, { 'retry-after': '30' }]])));
    expect((await post()).status).toBe(429);
    expect((await post()).status).toBe(429);
    const seen = upstream.seen.length;
    const res = await post();
    expect(res.status).toBe(429);
    expect(res.body.error).toEqual({
      message: 'Every upstream key of this proxy is rate limited; retry later.',
      type: 'rate_limit_error',
      code: 'pool_keys_rate_limited',
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(25);
    expect(upstream.seen.length).toBe(seen);
  });

  // Regression (found in review): any 401/403 removed a key, so a client holding a proxy key could empty the
  // pool with requests the upstream refuses whatever the key, e.g. an OpenAI-Organization the keys are not in
  // (which the openai SDKs send from OPENAI_ORG_ID): two such requests took out three keys for good.
  it('keeps every key when the request is refused whatever the key', async () => {
    await start({});
    for (let i = 0; i < 3; i++) {
      const res = await post().set('openai-organization', 'org-not-yours');
      expect(res.status).toBe(401);
    }
    expect(upstream.seen).toHaveLength(6);
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(200);
    expect(new Set(keyOf(upstream).slice(6))).toEqual(new Set(KEYS));
    const events = oxy.logs.map((l) => JSON.parse(l) as { event: string; level: string; key?: string });
    expect(events.filter((e) => e.event === 'pool_key_removed')).toEqual([]);
    expect(events.filter((e) => e.event === 'pool_key_refused')).toHaveLength(6);
    expect(events.find((e) => e.event === 'pool_key_refused')).toMatchObject({ level: 'warn', status: 401 });
  });

  it('finds refused keys out even when they follow each other in the rotation', async () => {
    await start({ [KEYS[0]!]: [401], [KEYS[1]!]: [403] });
    // Refused with the first two keys, and no key accepted yet: nothing says whose fault it is.
    expect((await post()).status).toBe(403);
    expect((await post()).body.key).toBe(KEYS[2]);
    // From here the retry goes to the key last accepted, whose answer pins the refusal on the key.
    expect((await post()).body.key).toBe(KEYS[2]);
    expect((await post()).body.key).toBe(KEYS[2]);
    expect(keyOf(upstream)).toEqual([KEYS[0], KEYS[1], KEYS[2], KEYS[0], KEYS[2], KEYS[1], KEYS[2]]);
    for (let i = 0; i < 2; i++) expect((await post()).body.key).toBe(KEYS[2]);
    expect(upstream.seen).toHaveLength(9);
    const removed = oxy.logs.map((l) => JSON.parse(l)).filter((e) => e.event === 'pool_key_removed');
    expect(removed.map((e) => [e.key, e.status])).toEqual([
      ['...1111', 401],
      ['...2222', 403],
    ]);
  });

  it('never takes the last key out: with no other key to compare, its refusals pass through', async () => {
    await start({ [KEYS[0]!]: [401] }, { OXY_UPSTREAM_KEYS: KEYS[0]! });
    for (let i = 0; i < 2; i++) expect((await post()).status).toBe(401);
    expect(keyOf(upstream)).toEqual([KEYS[0], KEYS[0]]);
  });

  // Regression (found in review): the pool key was written before the client's headers were filtered, so a
  // client's `Connection: authorization` (or x-api-key) took it off; the keyless request got a 401 and the
  // key was blamed for it. Three such requests emptied a three-key pool.
  it.each([
    ['openai', 'authorization', `Bearer ${KEYS[0]}`],
    ['anthropic', 'x-api-key', KEYS[0]],
  ])(
    'writes the pool key after the client’s Connection-listed headers are dropped (%s)',
    async (kind, header, sent) => {
      await start({}, { OXY_TARGET_KIND: kind });
      const res = await request(oxy.url)
        .post('/v1/chat/completions')
        .set(kind === 'openai' ? 'authorization' : 'x-api-key', kind === 'openai' ? `Bearer ${PROXY}` : PROXY)
        .set('connection', `close, ${header}`)
        .send({});
      expect(res.status).toBe(200);
      expect(upstream.seen[0]!.headers[header]).toBe(sent);
    },
  );

  it('does not retry a body over 1 MiB, or a 5xx', async () => {
    await start({ [KEYS[0]!]: [401], [KEYS[1]!]: [500] });
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    const res = await request(oxy.url)
      .post('/v1/files')
      .set('authorization', `Bearer ${PROXY}`)
      .set('content-type', 'application/octet-stream')
      .send(big);
    expect(res.status).toBe(401);
    expect(upstream.seen).toHaveLength(1);
    expect((await post()).status).toBe(500);
    expect(upstream.seen).toHaveLength(2);
  });

  it('does not retry a chunked body whose key is refused', async () => {
    await start({ [KEYS[0]!]: [401] });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${oxy.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${PROXY}`, 'content-type': 'application/json' },
      });
      req.on('response', (r) => resolve(r.resume().statusCode ?? 0)).on('error', reject);
      req.write('{"model":');
      req.end('"m"}');
    });
    expect(status).toBe(401);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.headers['transfer-encoding']).toBe('chunked');
  });

  // The body is whole only once the client's request has ended (failover.ts reads `readableEnded`): a key
  // refused while the body is still arriving must not be retried with the part that came so far.
  it('does not retry when the key is refused before the body has arrived whole', async () => {
    const seen: string[] = [];
    const early = http.createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad key"}}');
      req.resume();
    });
    await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
    upstream = {
      close: () =>
        new Promise<void>((resolve) => (early.close(() => resolve()), early.closeAllConnections())),
    } as Upstream;
    oxy = await startOxy({
      OXY_TARGET: `http://127.0.0.1:${(early.address() as { port: number }).port}`,
      OXY_PROXY_KEYS: PROXY,
      OXY_UPSTREAM_KEYS: KEYS.join(','),
    });
    const req = http.request(`${oxy.url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: {
        authorization: `Bearer ${PROXY}`,
        'content-type': 'application/json',
        'content-length': '40',
      },
    });
    const status = new Promise<number>((resolve, reject) => {
      req.on('response', (r) => resolve(r.resume().statusCode ?? 0)).on('error', reject);
    });
    req.write('{"model":"m",'); // the rest never comes before the answer
    expect(await status).toBe(401);
    req.destroy();
    expect(seen).toEqual([`Bearer ${KEYS[0]}`]);
  });

  it('writes a pool key into the header of its route’s provider', async () => {
    upstream = await keyedUpstream({});
    oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_TARGET_KIND: 'anthropic',
      OXY_PROXY_KEYS: PROXY,
      OXY_UPSTREAM_KEYS: KEYS[0]!,
    });
    const res = await request(oxy.url).post('/v1/messages').set('x-api-key', PROXY).send({});
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.headers['x-api-key']).toBe(KEYS[0]);
    expect(upstream.seen[0]!.headers.authorization).toBeUndefined();
  });
});
