import http from 'node:http';
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
