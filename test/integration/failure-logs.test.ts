import http from 'node:http';
import request from 'supertest';
import { freePort } from '../helpers/bootstrap';
import { startOxy } from '../helpers/oxy';
import { deferred, startUpstream, within } from '../helpers/upstream';

describe('upstream failure logs', () => {
  it("name the client's method and path, oxy's code and Node's cause", async () => {
    const oxy = await startOxy({ OXY_TARGET: `http://127.0.0.1:${await freePort()}` });
    try {
      await request(oxy.url).delete('/v1/files/f-1?purpose=x');
      expect(oxy.logs.map((l) => JSON.parse(l))).toMatchObject([
        {
          level: 'error',
          event: 'upstream_failed',
          method: 'DELETE',
          path: '/v1/files/f-1',
          code: 'upstream_unreachable',
          cause: 'ECONNREFUSED',
        },
      ]);
    } finally {
      await oxy.close();
    }
  });

  it('stay quiet when it is the client that left (no upstream failure to report)', async () => {
    const arrived = deferred();
    const upstream = await startUpstream(() => arrived.resolve());
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const req = http.request(`${oxy.url}/v1/chat/completions`, { method: 'POST' });
      req.on('error', () => {});
      req.end('{}');
      await within(arrived.promise, 2000, 'the request to reach the upstream');
      req.destroy();
      expect(await within(upstream.seen[0]!.closedEarly, 2000, 'the upstream request to be aborted')).toBe(
        true,
      );
      // The abort's error comes on the proxy's side right after; give it that moment to be (not) logged.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(oxy.logs).toEqual([]);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});
