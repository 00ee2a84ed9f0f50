import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { RawClient } from '../helpers/raw-client';
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
    expect(JSON.stringify(oxy.requests)).not.toContain(PROXY_KEY);
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
    ['a wrong key in x-goog-api-key', { 'x-goog-api-key': 'pk-test-0123456788' }],
    ['a wrong key in api-key', { 'api-key': `${OTHER_KEY}0` }],
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

  // Regression (found in review): only the copy of the proxy key oxy recognised was removed; a second copy, a
  // malformed one or one in the query went upstream. Each line is raw, so that headers can repeat.
  it.each([
    ['a second api-key line', [`x-api-key: ${PROXY_KEY}`, `api-key: ${PROXY_KEY}`, `api-key: ${PROXY_KEY}`]],
    ['a malformed copy', [`authorization: Bearer ${PROXY_KEY}`, `x-goog-api-key: ${PROXY_KEY} x`]],
    ['a copy in a header no SDK uses', [`authorization: Bearer ${PROXY_KEY}`, `x-proxy-key: ${PROXY_KEY}`]],
    ['a copy in ?key=', [`x-goog-api-key: ${PROXY_KEY}`]],
    // The log line then leaves the whole query out (afterEach: no log line holds the key).
    ['a copy in ?foo=', [`x-goog-api-key: ${PROXY_KEY}`]],
  ])('answers the key with %s by 400 and sends nothing upstream', async (name, lines) => {
    const query = /\?(\w+)=/.exec(name)?.[1];
    const path = query ? `/v1beta/models?alt=sse&${query}=${PROXY_KEY}` : '/v1/models';
    const client = await RawClient.connect(oxy.url);
    try {
      client.write(
        `GET ${path} HTTP/1.1\r\nHost: oxy\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
      );
      const answer = await client.answer(3000);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.code).toBe('proxy_key_repeated');
      expect(answer.body).not.toContain(PROXY_KEY);
    } finally {
      client.destroy();
    }
    expect(upstream.seen).toEqual([]);
  });

  it('admits the key recognised twice, removes both, and lets a query key of the client’s own through', async () => {
    const res = await request(oxy.url)
      .get('/v1beta/models?key=AIza-own-key')
      .set('x-api-key', PROXY_KEY)
      .set('authorization', `Bearer ${PROXY_KEY}`);
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.url).toBe('/v1beta/models?key=AIza-own-key');
  });

  it('answers /healthz without a key', async () => {
    expect((await request(oxy.url).get('/healthz')).status).toBe(200);
  });
});
