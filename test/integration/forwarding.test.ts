import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

describe('forwarding', () => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  beforeEach(async () => {
    upstream = await startUpstream();
    oxy = await startOxy({ OXY_TARGET: `${upstream.url}/base` });
  });
  afterEach(async () => {
    await oxy.close();
    await upstream.close();
  });

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
    'forwards %s with its path under the target path, and its query',
    async (method) => {
      const res = await request(oxy.url)[method.toLowerCase() as 'get']('/v1/files/f-1?limit=2&order=desc');
      expect(res.status).toBe(200);
      expect(upstream.seen).toHaveLength(1);
      expect(upstream.seen[0]).toMatchObject({ method, url: '/base/v1/files/f-1?limit=2&order=desc' });
    },
  );

  it('rewrites Host to the target', async () => {
    await request(oxy.url).get('/v1/models').set('Host', 'fn.example.com');
    expect(upstream.seen[0]?.headers.host).toBe(`127.0.0.1:${upstream.port}`);
  });

  it('passes a binary body through byte for byte, and the response body too', async () => {
    upstream.server.removeAllListeners('request');
    upstream.server.on('request', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
    });
    const body = randomBytes(3 * 1024 * 1024);
    const res = await request(oxy.url)
      .post('/v1/audio/transcriptions')
      .set('content-type', 'multipart/form-data; boundary=x')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .send(body);
    expect(res.status).toBe(200);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(sha(res.body as Buffer)).toBe(sha(body));
  });

  it('passes upstream error statuses and bodies through unchanged', async () => {
    for (const status of [400, 401, 404, 429, 500, 503]) {
      upstream.server.removeAllListeners('request');
      upstream.server.on('request', (_req, res) => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'retry-after': '7',
          'x-request-id': 'req_9',
        });
        res.end(JSON.stringify({ error: { message: `m${status}`, type: 't', code: `c${status}` } }));
      });
      const res = await request(oxy.url).post('/v1/chat/completions').send({});
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: { message: `m${status}`, type: 't', code: `c${status}` } });
      expect(res.headers['retry-after']).toBe('7');
      expect(res.headers['x-request-id']).toBe('req_9');
    }
  });

  it('reuses upstream connections (keep-alive agent)', async () => {
    for (let i = 0; i < 5; i++) await request(oxy.url).get('/v1/models');
    const ports = new Set(upstream.seen.map((s) => s.remotePort));
    expect(upstream.seen).toHaveLength(5);
    expect(ports.size).toBe(1);
  });

  it('drops hop-by-hop response headers', async () => {
    upstream.server.removeAllListeners('request');
    upstream.server.on('request', (_req, res) => {
      res.writeHead(200, { connection: 'x-hop', 'x-hop': 'secret', 'proxy-authenticate': 'Basic', a: '1' });
      res.end('ok');
    });
    const res = await request(oxy.url).get('/');
    expect(res.headers['x-hop']).toBeUndefined();
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers.a).toBe('1');
  });
});
