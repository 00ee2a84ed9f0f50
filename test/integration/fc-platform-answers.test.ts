import { rawRequest } from '../helpers/raw-http';
import { startOxy } from '../helpers/oxy';
import { startUpstream } from '../helpers/upstream';
import { fcPlatform } from '../../functions/fc/platform';

// FC's own calls are answered on the spot, in full: an empty 200 with a length (not chunked), or a refusal
// in OpenAI's error shape.
describe('FC platform calls', () => {
  it('get an empty 200 with Content-Length: 0 for a lifecycle hook', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
    try {
      const answer = await rawRequest(
        oxy.url,
        'POST /initialize HTTP/1.1\r\nHost: fc\r\nx-fc-control-path: /initialize\r\nContent-Length: 0\r\n\r\n',
        500,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(answer.toLowerCase()).toContain('\r\ncontent-length: 0\r\n');
      expect(answer.toLowerCase()).not.toContain('transfer-encoding');
      expect(upstream.seen).toEqual([]);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('get 400 unsupported_invocation with its message for an event invocation', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url }, fcPlatform);
    try {
      const res = await fetch(`${oxy.url}/invoke`, {
        method: 'POST',
        headers: { 'x-fc-control-path': '/invoke' },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          message: 'oxy answers HTTP trigger requests only.',
          type: 'invalid_request_error',
          code: 'unsupported_invocation',
        },
      });
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});
