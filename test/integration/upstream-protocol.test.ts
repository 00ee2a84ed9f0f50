import type net from 'node:net';
import { startOxy } from '../helpers/oxy';
import { RawClient } from '../helpers/raw-client';
import { startRawUpstream } from '../helpers/raw-upstream';

// Issue 6 item 5: an upstream status below 200 that is not an informational answer Node consumes itself
// (100, 102, 103, …) is a broken upstream. The client gets a 502 in OpenAI's shape at once, long before
// the configured timeout (one minute here), instead of waiting forever or receiving a "final" 101.
describe('upstream answers below 200', () => {
  const send = (bytes: string) => (socket: net.Socket) => void socket.write(bytes);

  it.each([
    [
      'a 101 with Upgrade that nobody asked for',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    ],
    [
      'a 101 with Upgrade and bytes after it',
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n\x00\x01junk',
    ],
    ['a 101 without Upgrade', 'HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n'],
  ])('%s → 502 upstream_bad_response', async (_name, bytes) => {
    const upstream = await startRawUpstream(send(bytes));
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_UPSTREAM_TIMEOUT_MS: '60000' });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('GET /v1/models HTTP/1.1\r\nHost: oxy\r\n\r\n');
      const answer = await client.answer(3000);
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          message: 'The upstream API answered with status 101, which is not a final answer.',
          type: 'proxy_error',
          code: 'upstream_bad_response',
        },
      });
      expect(oxy.logs.join('\n')).toContain('"code":"upstream_bad_response"');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  it.each(['100 Continue', '102 Processing', '103 Early Hints\r\nLink: </x>; rel=preload', '199 Odd'])(
    'passes the final answer after an informational %s',
    async (informational) => {
      const upstream = await startRawUpstream(
        send(`HTTP/1.1 ${informational}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`),
      );
      const oxy = await startOxy({ OXY_TARGET: upstream.url });
      const client = await RawClient.connect(oxy.url);
      try {
        client.write('GET /v1/models HTTP/1.1\r\nHost: oxy\r\n\r\n');
        const answer = await client.answer(3000);
        expect([answer.status, answer.body]).toEqual([200, 'ok']);
      } finally {
        client.destroy();
        await oxy.close();
        await upstream.close();
      }
    },
  );

  it('answers 502 when the upstream closes the connection without any answer', async () => {
    const upstream = await startRawUpstream((socket) => socket.end());
    const oxy = await startOxy({ OXY_TARGET: upstream.url, OXY_UPSTREAM_TIMEOUT_MS: '60000' });
    const client = await RawClient.connect(oxy.url);
    try {
      client.write('GET /v1/models HTTP/1.1\r\nHost: oxy\r\n\r\n');
      const answer = await client.answer(3000);
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.body).error.code).toBe('upstream_reset');
    } finally {
      client.destroy();
      await oxy.close();
      await upstream.close();
    }
  });
});
