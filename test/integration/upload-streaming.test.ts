import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import { closeServer, deferred, within } from '../helpers/upstream';

const PART = 4 * 1024 * 1024;

/**
 * Guards against a proxy that buffers request bodies: the client sends part 2 only once the upstream has
 * received all of part 1, so a proxy that waits for the whole body deadlocks and the test times out. The
 * bodies are compared byte for byte, not by a digest.
 */
describe('request bodies', () => {
  let upstream: http.Server;
  let oxy: RunningOxy;
  let partOneSeen = deferred();
  let received: Promise<Buffer>;
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      received = new Promise((resolve, reject) => {
        req.on('data', (c: Buffer) => {
          chunks.push(c);
          bytes += c.length;
          if (bytes >= PART) partOneSeen.resolve();
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      });
      void received.then((body) =>
        res.end(
          JSON.stringify({ bytes: body.length, framing: req.headers['transfer-encoding'] ?? 'length' }),
        ),
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    oxy = await startOxy({ OXY_TARGET: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });
  afterAll(async () => {
    await oxy?.close();
    await closeServer(upstream);
  });
  beforeEach(() => (partOneSeen = deferred()));

  it.each([
    ['with a Content-Length', 'length'],
    ['chunked', 'chunked'],
  ])('stream to the upstream while the client is still sending (%s), byte for byte', async (_, framing) => {
    const parts = [randomBytes(PART), randomBytes(PART)];
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
    if (framing === 'length') headers['content-length'] = 2 * PART;
    const answered = new Promise<string>((resolve, reject) => {
      const req = http.request(`${oxy.url}/v1/files`, { method: 'POST', headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
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
    expect(JSON.parse(await within(answered, 10_000, 'the answer'))).toEqual({ bytes: 2 * PART, framing });
    expect((await received).equals(Buffer.concat(parts))).toBe(true);
  });
});
