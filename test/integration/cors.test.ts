import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Issue 8, CORS: preflights are answered here without a key and never forwarded; every answer a browser
// app may read (errors and streams included) carries oxy's CORS headers, never the upstream's.
describe('CORS for browser apps', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream((_req, res, seen) => {
      const stream = seen.url.includes('stream');
      res.writeHead(200, {
        'content-type': stream ? 'text/event-stream' : 'application/json',
        'x-request-id': 'req_1',
        'openai-processing-ms': '12',
        'x-ratelimit-remaining-requests': '99',
        'access-control-allow-origin': 'https://upstream-chose.example',
        'x-internal': 'not for browsers',
        vary: 'Accept-Encoding',
      });
      res.end(stream ? 'data: [DONE]\n\n' : '{}');
    });
  });
  afterEach(() => upstream.close());

  const preflight = (url: string, origin: string) =>
    request(url)
      .options('/v1/chat/completions')
      .set('origin', origin)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization, content-type');

  it('answers a preflight with 204, without a proxy key, and forwards nothing', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_PROXY_KEYS: 'pk-cors-key' });
    try {
      const res = await preflight(oxy.url, 'https://chat.example');
      expect(res.status).toBe(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'authorization, content-type',
      });
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(upstream.seen).toEqual([]);
    } finally {
      await oxy.close();
    }
  });

  it('with a list, echoes only a listed origin and refuses the others’ preflights', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_CORS_ORIGINS: 'https://chat.example' });
    try {
      const ok = await preflight(oxy.url, 'https://chat.example');
      expect([ok.status, ok.headers['access-control-allow-origin'], ok.headers.vary]).toEqual([
        204,
        'https://chat.example',
        'Origin',
      ]);
      const refused = await preflight(oxy.url, 'https://evil.example');
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('origin_not_allowed');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const read = await request(oxy.url).get('/v1/models').set('origin', 'https://evil.example');
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
      const listed = await request(oxy.url).get('/v1/models').set('origin', 'https://chat.example');
      expect(listed.headers['access-control-allow-origin']).toBe('https://chat.example');
      // A cache must key the answer on Origin, beside what the upstream varies on.
      expect(listed.headers.vary).toBe('Accept-Encoding, Origin');
      expect(upstream.seen).toHaveLength(2);
    } finally {
      await oxy.close();
    }
  });

  it.each(['/v1/models', '/v1/chat/completions?stream'])(
    'puts oxy’s CORS headers on %s and exposes the headers clients read',
    async (path) => {
      const oxy = await startOxy({ OXY_TARGET: upstream.url });
      try {
        const res = await request(oxy.url).get(path).set('origin', 'https://chat.example');
        expect(res.status).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBe('*');
        const exposed = String(res.headers['access-control-expose-headers']).split(/,\s*/);
        expect(exposed).toEqual(
          expect.arrayContaining([
            'x-request-id',
            'openai-processing-ms',
            'x-ratelimit-remaining-requests',
            'retry-after',
          ]),
        );
        expect(exposed).not.toContain('x-internal');
      } finally {
        await oxy.close();
      }
    },
  );

  it('lets a browser app read a 401 from the proxy', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_PROXY_KEYS: 'pk-cors-key' });
    try {
      const res = await request(oxy.url)
        .post('/v1/chat/completions')
        .set('origin', 'https://chat.example')
        .send({});
      expect(res.status).toBe(401);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    } finally {
      await oxy.close();
    }
  });

  it('adds nothing for a server-side client that sends no Origin', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const res = await request(oxy.url).get('/v1/models');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toBeUndefined();
    } finally {
      await oxy.close();
    }
  });
});
