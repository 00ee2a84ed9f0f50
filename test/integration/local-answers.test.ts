import request from 'supertest';
import { fcPlatform } from '../../functions/fc/platform';
import { startOxy } from '../helpers/oxy';
import { rawRequest } from '../helpers/raw-http';
import { type Upstream, startUpstream } from '../helpers/upstream';

describe('answers the proxy gives itself', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(() => upstream.close());

  it('answers GET /healthz without forwarding it', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const res = await request(oxy.url).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', platform: 'test' });
      expect(upstream.seen).toEqual([]);
    } finally {
      await oxy.close();
    }
  });

  it('answers a request Node cannot parse with 400 in OpenAI error shape', async () => {
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const answer = await rawRequest(oxy.url, 'NOT HTTP AT ALL\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body).toEqual({
        error: {
          message: 'The request is not valid HTTP/1.1.',
          type: 'invalid_request_error',
          code: 'malformed_request',
        },
      });
    } finally {
      await oxy.close();
    }
  });

  describe('on FC', () => {
    it.each(['/initialize', '/pre-freeze', '/pre-stop'])(
      'answers the %s lifecycle call locally with 200',
      async (path) => {
        const oxy = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
        try {
          const res = await request(oxy.url).post(path).set('x-fc-control-path', path);
          expect(res.status).toBe(200);
          expect(upstream.seen).toEqual([]);
        } finally {
          await oxy.close();
        }
      },
    );

    it('proxies /http-invoke traffic whatever its URL path, /initialize included', async () => {
      const oxy = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
      try {
        const res = await request(oxy.url)
          .post('/initialize')
          .set('x-fc-control-path', '/http-invoke')
          .send({});
        expect(res.status).toBe(200);
        expect(upstream.seen.map((s) => s.url)).toEqual(['/initialize']);
      } finally {
        await oxy.close();
      }
    });

    it('refuses event invocations with 400', async () => {
      const oxy = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
      try {
        const res = await request(oxy.url).post('/invoke').set('x-fc-control-path', '/invoke');
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('unsupported_invocation');
        expect(upstream.seen).toEqual([]);
      } finally {
        await oxy.close();
      }
    });

    it('drops the response headers FC forbids, Node’s own Date included', async () => {
      upstream.server.removeAllListeners('request');
      upstream.server.on('request', (_req, res) => {
        res.writeHead(200, { server: 'cloudflare', 'x-fc-request-id': 'spoof', 'x-request-id': 'req_1' });
        res.end('{}');
      });
      const oxy = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
      try {
        const res = await request(oxy.url).get('/v1/models');
        expect(res.headers.date).toBeUndefined();
        expect(res.headers.server).toBeUndefined();
        expect(res.headers['x-fc-request-id']).toBeUndefined();
        expect(res.headers['x-request-id']).toBe('req_1');
      } finally {
        await oxy.close();
      }
    });
  });
});
