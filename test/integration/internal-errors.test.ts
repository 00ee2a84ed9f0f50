import net, { type AddressInfo } from 'node:net';
import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { startUpstream } from '../helpers/upstream';

describe('failures inside the proxy', () => {
  it('answer 500 internal_error in OpenAI shape and log it when the request handler throws (no crash)', async () => {
    const upstream = await startUpstream();
    const platform = {
      name: 'test',
      localAnswer: () => {
        throw new Error('platform hook failed');
      },
    };
    const oxy = await startOxy({ OXY_TARGET: upstream.url }, platform);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await request(oxy.url).post('/v1/chat/completions').send({});
        expect(res.status).toBe(500);
        expect(res.body).toEqual({
          error: {
            message: 'The proxy failed to handle the request.',
            type: 'proxy_error',
            code: 'internal_error',
          },
        });
      }
      const logged = {
        level: 'error',
        event: 'internal_error',
        method: 'POST',
        message: 'platform hook failed',
      };
      expect(oxy.logs.map((l) => JSON.parse(l))).toMatchObject([logged, logged]);
      expect(upstream.seen).toEqual([]);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('answer 502 when the upstream sends a status Node refuses to write (099), and keep serving', async () => {
    // A raw upstream: Node's own server cannot be made to send such a status line.
    const upstream = net.createServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nok')),
    );
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const oxy = await startOxy({
      OXY_TARGET: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await request(oxy.url).get('/v1/models');
        expect(res.status).toBe(502);
        expect(res.body.error.type).toBe('proxy_error');
      }
    } finally {
      await oxy.close();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
