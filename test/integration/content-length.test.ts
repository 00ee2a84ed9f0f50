import { startOxy } from '../helpers/oxy';
import { rawRequest } from '../helpers/raw-http';
import { startUpstream } from '../helpers/upstream';

// Node's parser takes a length with leading zeros; the upstream gets the canonical length it framed by, not
// the client's spelling (an upstream or gateway that reads `007` differently would frame another body).
describe('a Content-Length with leading zeros', () => {
  it.each([
    ['007', '7'],
    ['0000', '0'],
  ])('%j reaches the upstream as %j, with the same body', async (sent, canonical) => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const body = 'x'.repeat(Number(canonical));
      const answer = await rawRequest(
        oxy.url,
        `POST /v1/files HTTP/1.1\r\nHost: oxy\r\nContent-Length: ${sent}\r\nConnection: close\r\n\r\n${body}`,
        1000,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(upstream.seen.map((s) => [s.headers['content-length'], s.body.toString()])).toEqual([
        [canonical, body],
      ]);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});
