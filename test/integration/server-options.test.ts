import http from 'node:http';
import { startOxy } from '../helpers/oxy';
import { startUpstream } from '../helpers/upstream';

// The timeouts a long-lived proxy of slow APIs needs (core/edge/server.ts), checked from the outside where
// the client can see them.
describe('the HTTP server', () => {
  it('tells clients it keeps idle connections for 15 minutes (Keep-Alive: timeout=900), as FC needs', async () => {
    const upstream = await startUpstream();
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    const agent = new http.Agent({ keepAlive: true });
    try {
      for (const path of ['/healthz', '/v1/models']) {
        const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) =>
          http
            .get(`${oxy.url}${path}`, { agent }, (res) => resolve(res.resume().headers))
            .on('error', reject),
        );
        expect(headers.connection).toBe('keep-alive');
        expect(headers['keep-alive']).toBe('timeout=900');
      }
    } finally {
      agent.destroy();
      await oxy.close();
      await upstream.close();
    }
  });

  // Node's default cuts any request still being received after 300 s: a slow upload. Waiting 300 s in a test
  // is not affordable, so the setting itself is read here.
  it('puts no time limit on receiving a request (requestTimeout 0, not Node’s 300 s)', async () => {
    const oxy = await startOxy({ OXY_TARGET: 'http://127.0.0.1:1' });
    try {
      expect(oxy.server.requestTimeout).toBe(0);
    } finally {
      await oxy.close();
    }
  });
});
