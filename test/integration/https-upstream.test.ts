import { startOxy } from '../helpers/oxy';
import { type OxyProcess, startOxyProcess } from '../helpers/oxy-process';
import { type TestPki, makeTestPki } from '../helpers/test-pki';
import { type Upstream, startUpstream } from '../helpers/upstream';

// The default target is https. These talk to a real TLS upstream on localhost with a certificate made here,
// trusted only through its CA: verification stays on throughout. This process trusts no test CA, so the
// core runs in a child started with NODE_EXTRA_CA_CERTS, which Node reads only at start.
const TLS_FAILURE = {
  error: {
    message: 'The TLS handshake with the upstream API failed.',
    type: 'proxy_error',
    code: 'upstream_tls_failure',
  },
};

describe('an https upstream', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki?.remove());

  describe('with a certificate trusted through its CA', () => {
    let upstream: Upstream;
    let oxy: OxyProcess;
    beforeAll(async () => {
      upstream = await startUpstream(undefined, { tls: pki.localhost });
      oxy = await startOxyProcess({ OXY_TARGET: `${upstream.url}/base`, NODE_EXTRA_CA_CERTS: pki.caFile });
    });
    afterAll(async () => {
      await oxy?.close();
      await upstream?.close();
    });
    beforeEach(() => (upstream.seen.length = 0));

    it('forwards the method, path, query and body, and passes the answer back', async () => {
      const res = await fetch(`${oxy.url}/v1/chat/completions?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-tls' },
        body: '{"model":"m"}',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        method: 'POST',
        url: '/base/v1/chat/completions?x=1',
        body: '{"model":"m"}',
        headers: { authorization: 'Bearer sk-tls' },
      });
    });

    it('sends SNI and Host equal to the target host name', async () => {
      await fetch(`${oxy.url}/v1/models`, { headers: { host: 'fn.example.com' } });
      expect(upstream.seen[0]).toMatchObject({
        servername: 'localhost',
        headers: { host: `localhost:${upstream.port}` },
      });
    });

    it('sends several requests over one TLS connection (keep-alive agent)', async () => {
      const before = upstream.connections();
      for (let i = 0; i < 4; i++) expect((await fetch(`${oxy.url}/v1/models`)).status).toBe(200);
      expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(1);
      // One new handshake at most: the connection of an earlier test may still be the one in the pool.
      expect(upstream.connections() - before).toBeLessThanOrEqual(1);
    });
  });

  it('answers 502 upstream_tls_failure when the certificate is for another name, and sends nothing', async () => {
    const upstream = await startUpstream(undefined, { tls: pki.wrongName });
    const oxy = await startOxyProcess({ OXY_TARGET: upstream.url, NODE_EXTRA_CA_CERTS: pki.caFile });
    try {
      const res = await fetch(`${oxy.url}/v1/models`);
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual(TLS_FAILURE);
      expect(upstream.seen).toEqual([]);
      expect(upstream.connections()).toBe(0);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });

  it('answers 502 upstream_tls_failure when the certificate is from an untrusted CA, after a hello naming the target host', async () => {
    const upstream = await startUpstream(undefined, { tls: pki.untrusted });
    const oxy = await startOxy({ OXY_TARGET: upstream.url });
    try {
      const res = await fetch(`${oxy.url}/v1/models`);
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual(TLS_FAILURE);
      expect(upstream.seen).toEqual([]);
      // SNI is the target's host name (not the client's Host, nor none): seen here although the handshake fails.
      expect(upstream.serverNames()).toEqual(['localhost']);
      expect(oxy.logs.map((l) => JSON.parse(l))).toMatchObject([
        { event: 'upstream_failed', code: 'upstream_tls_failure' },
      ]);
    } finally {
      await oxy.close();
      await upstream.close();
    }
  });
});
