import { startOxy } from '../helpers/oxy';
import { rawRequest } from '../helpers/raw-http';
import { startUpstream } from '../helpers/upstream';

// Guards against request smuggling through the pooled upstream connection: a chunked body that hides a
// second request must reach the upstream as a body, never as a request of its own (which would be
// answered to whichever client next uses that pooled connection).
const HIDDEN = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
const chunked = (method: string, extraHeaders = ''): string =>
  `${method} /v1/models HTTP/1.1\r\nHost: oxy\r\nTransfer-Encoding: chunked\r\n${extraHeaders}\r\n` +
  `${HIDDEN.length.toString(16)}\r\n${HIDDEN}\r\n0\r\n\r\n`;

describe('request smuggling', () => {
  it.each([
    ['GET', ''],
    ['POST', ''],
    ['GET', 'Connection: transfer-encoding\r\n'],
  ])(
    '%s with a chunked body %j reaches the upstream as one request with that body',
    async (method, extra) => {
      const upstream = await startUpstream();
      const oxy = await startOxy({ OXY_TARGET: upstream.url });
      try {
        const answer = await rawRequest(oxy.url, chunked(method, extra), 1000);
        expect(answer).toMatch(/^HTTP\/1\.1 200/);
        // Give a smuggled request time to arrive, then check that none did.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/models']);
        expect(upstream.seen[0]!.body.toString()).toBe(HIDDEN);
      } finally {
        await oxy.close();
        await upstream.close();
      }
    },
  );

  it.each(['DELETE', 'OPTIONS'])(
    'refuses %s with a chunked body (http-proxy would send it unframed after Content-Length: 0)',
    async (method) => {
      const upstream = await startUpstream();
      const oxy = await startOxy({ OXY_TARGET: upstream.url });
      try {
        const answer = await rawRequest(oxy.url, chunked(method), 1000);
        expect(answer).toMatch(/^HTTP\/1\.1 400/);
        expect(answer).toContain('"code":"chunked_body_not_supported"');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(upstream.seen).toEqual([]);
      } finally {
        await oxy.close();
        await upstream.close();
      }
    },
  );
});
