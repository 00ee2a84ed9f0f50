import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream/promises';
import request from 'supertest';
import { freePort } from '../helpers/bootstrap';
import { startOxy } from '../helpers/oxy';
import { deferred, startUpstream, within } from '../helpers/upstream';

function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
}

describe('upstream failures', () => {
  it('answers 502 in OpenAI error shape when the upstream refuses the connection', async () => {
    const oxy = await startOxy({ OXY_TARGET: `http://127.0.0.1:${await freePort()}` });
    try {
      const res = await request(oxy.url).post('/v1/chat/completions').send({});
      expect(res.status).toBe(502);
      expect(res.body).toEqual({
        error: {
          message: 'The upstream API refused the connection.',
          type: 'proxy_error',
          code: 'upstream_unreachable',
        },
      });
    } finally {
      await oxy.close();
    }
  });

  it('answers 502 when the upstream resets the connection before its headers', async () => {
    const upstream = await startUpstream((req) => void req.socket.destroy());
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const res = await request(oxy.url).get('/v1/models');
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('upstream_reset');
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('answers 504 when the upstream stays silent past OXY_UPSTREAM_TIMEOUT_MS, and closes its socket', async () => {
    const upstream = await startUpstream(() => {});
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_UPSTREAM_TIMEOUT_MS: '300' });
    try {
      const res = await request(oxy.url).post('/v1/chat/completions').send({});
      expect(res.status).toBe(504);
      expect(res.body.error).toEqual({
        message: 'The upstream API sent no answer within 300 ms.',
        type: 'proxy_error',
        code: 'upstream_timeout',
      });
      expect(await within(upstream.seen[0]!.closedEarly, 2000, 'the upstream socket to close')).toBe(true);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('resets the client, not a clean end, when the upstream dies mid-body', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"partial":true}\n\n', () => setTimeout(() => res.socket?.destroy(), 50));
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const res = await get(`${oxy.url}/v1/chat/completions`);
      res.resume();
      await expect(finished(res)).rejects.toThrow();
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('resets the client when the upstream goes silent mid-stream past the timeout', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"partial":true}\n\n');
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_UPSTREAM_TIMEOUT_MS: '300' });
    try {
      const res = await get(`${oxy.url}/v1/chat/completions`);
      res.resume();
      await expect(finished(res)).rejects.toThrow();
      expect(await within(upstream.seen[0]!.closedEarly, 2000, 'the upstream socket to close')).toBe(true);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});

describe('client hang-up', () => {
  it('aborts the upstream request when the client leaves before the upstream answers', async () => {
    const arrived = deferred();
    const upstream = await startUpstream(() => arrived.resolve());
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const req = http.request(`${oxy.url}/v1/chat/completions`, { method: 'POST' });
      req.on('error', () => {});
      req.end('{"model":"m"}');
      await within(arrived.promise, 2000, 'the request to reach the upstream');
      req.destroy();
      expect(await within(upstream.seen[0]!.closedEarly, 2000, 'the upstream request to be aborted')).toBe(
        true,
      );
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  // Issue 9: a client that disconnects mid-upload has its upstream request closed within 500 ms, whether
  // the body was announced by Content-Length or sent chunked.
  it.each([
    ['Content-Length', { 'content-length': String(8 * 1024 * 1024) }],
    ['chunked', {}],
  ])(
    'closes the upstream request within 500 ms when the client leaves mid-upload (%s)',
    async (_f, headers) => {
      const arrived = deferred<http.IncomingMessage>();
      const upstream = http.createServer((req) => arrived.resolve(req));
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const oxy = await startOxy({
        OXY_TARGET: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      });
      try {
        const req = http.request(`${oxy.url}/v1/files`, { method: 'POST', headers });
        req.on('error', () => {});
        req.write(Buffer.alloc(64 * 1024, 'a'));
        const upstreamReq = await within(arrived.promise, 2000, 'the upload to reach the upstream');
        const first = new Promise((resolve) => upstreamReq.once('data', resolve));
        await within(first, 2000, 'the first body bytes to reach the upstream');
        // Not events.once: the upstream's parser also reports the cut body as an error on that socket.
        const closed = new Promise((resolve) => upstreamReq.socket.once('close', resolve));
        const left = performance.now();
        req.destroy();
        await within(closed, 2000, 'the upstream request to be closed');
        expect(performance.now() - left).toBeLessThan(500);
        expect(upstreamReq.complete).toBe(false);
        // The log line says the client got no answer: no status (Node's default 200 would claim one).
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(oxy.requests).toEqual([expect.objectContaining({ path: '/v1/files', complete: false })]);
        expect(oxy.requests[0]!.status).toBeUndefined();
      } finally {
        await oxy.close();
        upstream.closeAllConnections();
        await new Promise((resolve) => upstream.close(resolve));
      }
    },
  );

  it('aborts the upstream stream when the client leaves mid-stream', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"i":0}\n\n');
    });
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const res = await get(`${oxy.url}/v1/chat/completions`);
      await new Promise((resolve) => res.once('data', resolve));
      res.destroy();
      expect(await within(upstream.seen[0]!.closedEarly, 2000, 'the upstream stream to be aborted')).toBe(
        true,
      );
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});
