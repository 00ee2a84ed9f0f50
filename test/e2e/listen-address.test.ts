import http from 'node:http';
import { type Netns, HTTP_GET, createNetns, netnsUnavailable } from '../helpers/netns';
import { type Upstream, startUpstream } from '../helpers/upstream';
import { VERSION } from './dist';
import { type StartedZip, startZip, zipsHere } from './zip-runtimes';

// The platforms route to 0.0.0.0, never to 127.0.0.1: the client sits in a network namespace of its own,
// joined by a veth pair, and reaches the zip at a non-loopback address of this machine. Where no namespace
// can be made (not root), 127.0.0.2 stands in: a listener on 127.0.0.1 refuses it too.
const unavailable = netnsUnavailable();
const via = unavailable ? `127.0.0.2 (no network namespace: ${unavailable})` : 'its own network namespace';

describe.each(zipsHere())('the $platform zip', (rt) => {
  let upstream: Upstream;
  let oxy: StartedZip;
  let ns: Netns | undefined;
  beforeAll(async () => {
    upstream = await startUpstream();
    if (!unavailable) ns = createNetns();
    oxy = await startZip(rt, { OXY_TARGET: upstream.url });
  });
  afterAll(async () => {
    ns?.remove();
    await oxy?.close();
    await upstream?.close();
  });

  it(`answers a client on ${via}, its /healthz naming the version`, async () => {
    let answer: { status?: number; body: string };
    if (ns) {
      const run = await ns.node(HTTP_GET, [`http://${ns.hostAddress}:${oxy.port}/healthz?probe=1`]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      answer = JSON.parse(run.stdout);
    } else {
      answer = await new Promise((resolve, reject) =>
        http
          .get(`http://127.0.0.2:${oxy.port}/healthz?probe=1`, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode, body }));
          })
          .on('error', reject),
      );
    }
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok', version: VERSION, platform: rt.platform });
  });
});
