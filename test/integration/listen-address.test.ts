import http from 'node:http';
import { type Netns, HTTP_GET, createNetns, netnsUnavailable } from '../helpers/netns';
import { startWithHost } from '../helpers/started-oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Both platforms route to 0.0.0.0 and never to 127.0.0.1: a listener on loopback only would pass every test
// that connects through 127.0.0.1. So the client here is in a network namespace of its own, joined by a veth
// pair, and reaches the proxy at a non-loopback address. Where no namespace can be made (not root), it
// falls back to 127.0.0.2, which a 127.0.0.1 listener refuses too.
const unavailable = netnsUnavailable();
const via = unavailable ? `127.0.0.2 (no network namespace: ${unavailable})` : 'its own network namespace';

function getFrom127002(url: string): Promise<{ status?: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject);
  });
}

describe('the listening address', () => {
  let upstream: Upstream;
  let ns: Netns | undefined;
  beforeAll(async () => {
    upstream = await startUpstream();
    if (!unavailable) ns = createNetns();
  });
  afterAll(async () => {
    ns?.remove();
    await upstream?.close();
  });

  it(`is IPv4 0.0.0.0, and a client reaches it from ${via}`, async () => {
    const oxy = await startWithHost({ OXY_TARGET: upstream.url });
    const remotes: (string | undefined)[] = [];
    oxy.server.on('connection', (socket) => remotes.push(socket.remoteAddress));
    try {
      expect(oxy.server.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: oxy.port });
      let answer: { status?: number; body: string };
      if (ns) {
        const run = await ns.node(HTTP_GET, [`http://${ns.hostAddress}:${oxy.port}/v1/models?from=netns`]);
        expect(run).toMatchObject({ code: 0, stderr: '' });
        answer = JSON.parse(run.stdout);
        expect(remotes).toEqual([ns.peerAddress]);
      } else {
        answer = await getFrom127002(`http://127.0.0.2:${oxy.port}/v1/models?from=netns`);
      }
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', url: '/v1/models?from=netns' });
    } finally {
      await oxy.close();
    }
  });
});
