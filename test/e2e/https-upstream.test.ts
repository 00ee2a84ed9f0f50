import type tls from 'node:tls';
import { type TestPki, makeTestPki } from '../helpers/test-pki';
import { type Upstream, startUpstream } from '../helpers/upstream';
import { type StartedZip, startZip, zipRuntimes } from './zip-runtimes';

// The built zips against a real TLS upstream on localhost, its certificate trusted only through a CA made
// here and given to the function by NODE_EXTRA_CA_CERTS: verification stays on throughout.
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki?.remove());

describe.each(zipRuntimes())('the $platform zip on $label, to an https upstream', (rt) => {
  let upstream: Upstream;
  let oxy: StartedZip;
  beforeAll(async () => {
    // First served with a certificate for another name; the good one is put in place by the second test.
    // A failed handshake leaves nothing in the proxy's pool, so the order is all the state there is.
    upstream = await startUpstream(undefined, { tls: pki.wrongName });
    oxy = await startZip(rt, { OXY_TARGET: `${upstream.url}/base`, NODE_EXTRA_CA_CERTS: pki.caFile });
  });
  afterAll(async () => {
    await oxy?.close();
    await upstream?.close();
  });

  it('answers 502 upstream_tls_failure when the certificate names another host, and sends nothing', async () => {
    const res = await fetch(`${oxy.url}/v1/models`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      type: 'proxy_error',
      code: 'upstream_tls_failure',
    });
    expect(upstream.seen).toEqual([]);
    expect(oxy.output()).toContain('"code":"upstream_tls_failure"');
  });

  it('forwards over one TLS connection, with SNI and Host equal to the target host name', async () => {
    (upstream.server as unknown as tls.Server).setSecureContext(pki.localhost);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${oxy.url}/v1/chat/completions?i=${i}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-e2e' },
        body: `{"i":${i}}`,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ url: `/base/v1/chat/completions?i=${i}`, body: `{"i":${i}}` });
    }
    expect(upstream.seen.map((s) => [s.servername, s.headers.host])).toEqual(
      Array(3).fill(['localhost', `localhost:${upstream.port}`]),
    );
    expect(new Set(upstream.seen.map((s) => s.remotePort)).size).toBe(1);
    expect(upstream.connections()).toBe(1);
  });
});
