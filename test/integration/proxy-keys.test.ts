import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Issue 8, proxy keys: a locked proxy admits only requests that present a proxy key, in the header of the
// caller's SDK, and never lets a proxy key reach the upstream, a log or an answer.
const PROXY_KEY = 'pk-test-0123456789';
const OTHER_KEY = 'pk-test-other-abcdef';

describe('proxy keys', () => {
  let upstream: Upstream;
  let oxy: Awaited<ReturnType<typeof startOxy>>;
  beforeEach(async () => {
    upstream = await startUpstream();
    oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_PROXY_KEYS: `${OTHER_KEY}, ${PROXY_KEY}` });
  });
  afterEach(async () => {
    await oxy.close();
    await upstream.close();
    // Nothing the proxy logged or the upstream saw holds a proxy key.
    expect(oxy.logs.join('\n')).not.toContain(PROXY_KEY);
    expect(JSON.stringify(upstream.seen)).not.toContain(PROXY_KEY);
  });

  it.each([
    ['authorization', `Bearer ${PROXY_KEY}`],
    ['authorization', `bearer   ${PROXY_KEY}`],
    ['x-api-key', PROXY_KEY],
    ['x-goog-api-key', PROXY_KEY],
    ['api-key', PROXY_KEY],
  ])('admits a proxy key in %s and removes it before forwarding', async (name, value) => {
    const res = await request(oxy.url).post('/v1/chat/completions').set(name, value).send({ model: 'm' });
    expect(res.status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.headers[name]).toBeUndefined();
  });

  it('accepts Bearer <upstream-key>:<proxy-key> and forwards only the upstream key', async () => {
    const res = await request(oxy.url)
      .get('/v1/models')
      .set('authorization', `Bearer sk-upstream-1:${PROXY_KEY}`);
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.headers.authorization).toBe('Bearer sk-upstream-1');
  });

  it('keeps an upstream key sent beside the proxy key in another header', async () => {
    const res = await request(oxy.url)
      .post('/v1/messages')
      .set('x-api-key', PROXY_KEY)
      .set('authorization', 'Bearer sk-ant-own')
      .send({});
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.headers.authorization).toBe('Bearer sk-ant-own');
    expect(upstream.seen[0]!.headers['x-api-key']).toBeUndefined();
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer pk-test-0123456788' }],
    ['a prefix of the key', { authorization: `Bearer ${PROXY_KEY.slice(0, -1)}` }],
    ['the key with a suffix', { 'x-api-key': `${PROXY_KEY}x` }],
    ['an upstream key only', { authorization: 'Bearer sk-upstream-1' }],
    ['the key after a wrong colon form', { authorization: `Bearer ${PROXY_KEY}:sk-x` }],
    ['the key in a header no SDK uses', { 'x-proxy-key': PROXY_KEY }],
  ])('answers %s with 401 in OpenAI shape and sends nothing upstream', async (_name, headers) => {
    const res = await request(oxy.url).post('/v1/chat/completions').set(headers).send({ model: 'm' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        message:
          'This proxy needs a valid proxy key: send it as "Authorization: Bearer <key>" (or x-api-key, x-goog-api-key, api-key).',
        type: 'authentication_error',
        code: 'invalid_proxy_key',
      },
    });
    expect(upstream.seen).toEqual([]);
  });

  it('answers /healthz without a key', async () => {
    expect((await request(oxy.url).get('/healthz')).status).toBe(200);
  });
});
