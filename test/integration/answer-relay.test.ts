import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnswerTap } from '../../core/logs/answer-tap';
import type { UpstreamAnswer } from '../../core/step';
import { relayAnswer } from '../../core/upstream/answer-relay';
import { startUpstream, type Upstream } from '../helpers/upstream';

// upstream/answer-relay.ts writes answers in place of `pipe`: these guard what pipe gave for free.
const MiB = 1024 * 1024;
const body = Buffer.alloc(8 * MiB, 'abcdefghijklmnopqrstuvwxyz');

describe('relayAnswer', () => {
  let upstream: Upstream;
  let proxy: http.Server;
  let proxyUrl: string;
  const answers: UpstreamAnswer[] = [];
  let paused = 0;

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(body);
    });
    proxy = http.createServer((req, res) => {
      http.get(upstream.url + (req.url ?? '/'), { agent: false }, (proxyRes) => {
        const answer: UpstreamAnswer = { status: 200, headersMs: 0, stream: false, bytesOut: 0 };
        answers.push(answer);
        proxyRes.on('pause', () => paused++);
        // What upstream/hang-up.ts does in oxy: a client gone stops the upstream answer.
        res.on('close', () => res.writableFinished || proxyRes.destroy());
        res.writeHead(proxyRes.statusCode ?? 502, proxyRes.headers);
        relayAnswer(proxyRes, res, new AnswerTap(proxyRes, answer, () => undefined));
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await upstream.close();
  });
  beforeEach(() => {
    answers.length = 0;
    paused = 0;
  });

  it('holds the upstream back while a slow client reads (backpressure), and delivers every byte in order', async () => {
    const received = await new Promise<Buffer>((resolve, reject) => {
      http
        .get(proxyUrl, { agent: false }, (res) => {
          // The client reads nothing for a while (a 'data' listener does not resume an explicit pause): the
          // proxy's socket fills up.
          res.pause();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
          setTimeout(() => res.resume(), 300);
        })
        .on('error', reject);
    });
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect([received.length, sha(received)]).toEqual([body.length, sha(body)]);
    expect(paused).toBeGreaterThan(0);
    expect(answers[0]!.bytesOut).toBe(body.length);
  });

  it('stops writing when the client leaves mid-body: no error, and the next client is served', async () => {
    const errors: unknown[] = [];
    const onError = (err: unknown): number => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      await new Promise<void>((resolve) => {
        const req = http.get(proxyUrl, { agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            setTimeout(resolve, 200);
          });
        });
        req.on('error', () => undefined);
      });
      const again = await new Promise<number>((resolve, reject) => {
        http
          .get(proxyUrl, { agent: false }, (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => (n += c.length)).on('end', () => resolve(n));
          })
          .on('error', reject);
      });
      expect(again).toBe(body.length);
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
