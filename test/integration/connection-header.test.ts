import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { rawRequest } from '../helpers/raw-http';
import { startUpstream } from '../helpers/upstream';

// A header the client names in Connection is for this hop only (RFC 9110 §7.6.1) and must not reach the
// upstream, wherever it stands in the list: first, between keep-alive or close, or last.
describe('headers named in Connection', () => {
  it.each([
    'X-Secret, close',
    'close, X-Secret',
    'keep-alive, X-Secret',
    'X-Secret, keep-alive',
    'Keep-Alive , X-Secret , Close',
    'x-secret',
  ])('are not forwarded: Connection: %s', async (connection) => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const answer = await rawRequest(
        oxy.url,
        `GET /v1/models HTTP/1.1\r\nHost: oxy\r\nConnection: ${connection}\r\nX-Secret: hop-only\r\n` +
          'X-Kept: end-to-end\r\n\r\n',
        1000,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      const seen = upstream.seen[0]!.headers;
      expect(seen['x-secret']).toBeUndefined();
      expect(seen['x-kept']).toBe('end-to-end');
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it.each(['keep-alive', 'close', ' Keep-Alive '])(
    'leave other headers alone: Connection: %j',
    async (connection) => {
      const upstream = await startUpstream();
      const oxy = await startOxy({ OXY_TARGET: upstream.url });
      try {
        await request(oxy.url).get('/v1/models').set('Connection', connection).set('X-Kept', 'end-to-end');
        expect(upstream.seen[0]!.headers['x-kept']).toBe('end-to-end');
      } finally {
        await oxy.close();
        await upstream.close();
      }
    },
  );
});
