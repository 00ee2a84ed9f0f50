import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, deferred, within } from '../helpers/upstream';
import { type StartedZip, startZip, zipRuntimes } from './zip-runtimes';

const PART = 4 * 1024 * 1024;

// The client sends part 2 only once the upstream has all of part 1: a build that buffered request bodies
// would deadlock here. Bodies are compared byte for byte.
describe.each(zipRuntimes())('the $platform zip on $label', (rt) => {
  let upstream: http.Server;
  let oxy: StartedZip;
  let partOneSeen = deferred();
  let received: Promise<Buffer>;
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      received = new Promise((resolve) => {
        req.on('data', (c: Buffer) => {
          chunks.push(c);
          bytes += c.length;
          if (bytes >= PART) partOneSeen.resolve();
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
      });
      void received.then((body) => res.end(String(body.length)));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    oxy = await startZip(rt, { OXY_TARGET: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await oxy?.close();
    await closeServer(upstream);
  });

  it('streams an upload to the upstream while the client is still sending it, byte for byte', async () => {
    partOneSeen = deferred();
    const parts = [randomBytes(PART), randomBytes(PART)];
    const answered = new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${oxy.url}/v1/files`,
        { method: 'POST', headers: { 'content-length': 2 * PART } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.write(parts[0]);
      within(partOneSeen.promise, 5000, 'the upstream to receive part 1 before part 2 is sent').then(
        () => req.end(parts[1]),
        (err: Error) => {
          req.destroy();
          reject(err);
        },
      );
    });
    expect(await within(answered, 10_000, 'the answer')).toBe(String(2 * PART));
    expect((await received).equals(Buffer.concat(parts))).toBe(true);
  });
});
