import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { type RunningZip, freePort, functionEnv, startBootstrap } from '../helpers/bootstrap';
import { runtimes } from '../helpers/node-runtimes';
import { type Upstream, deferred, startUpstream, within } from '../helpers/upstream';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

export interface PlatformCase {
  platform: keyof typeof ZIPS;
  /** Node majors this platform offers (PLATFORMS.md). */
  majors: number[];
  /** The environment the platform gives the function, for a given port. */
  env: (port: number) => Record<string, string>;
  /** Headers the platform adds to every request, its live credentials among them. */
  headers: Record<string, string>;
  /** Prefix of every platform header: none may reach the upstream. */
  prefix: string;
  /** The credential values among `env` and `headers`: none may reach the upstream or the logs. */
  secrets: string[];
}

export interface Context {
  upstream: Upstream;
  oxy: RunningZip;
  headers: Record<string, string>;
}

const CHUNKS = ['Hello', ', ', 'world', '!'];
let gate: ((i: number) => Promise<void>) | undefined;

/** A fake OpenAI: chat completions, streamed (each chunk held until `gate` lets it go) or not. */
async function openAiUpstream(): Promise<Upstream> {
  return startUpstream(async (_req, res, seen) => {
    if (seen.url === '/v1/files') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const sha256 = createHash('sha256').update(seen.body).digest('hex');
      return void res.end(JSON.stringify({ bytes: seen.body.length, sha256 }));
    }
    const body = JSON.parse(seen.body.toString() || '{}');
    if (body.model === 'rate-limited') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      return void res.end(
        JSON.stringify({ error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } }),
      );
    }
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const message = { role: 'assistant', content: 'pong' };
      return void res.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [{ index: 0, message, finish_reason: 'stop' }],
        }),
      );
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < CHUNKS.length; i++) {
      const delta = { content: CHUNKS[i] };
      res.write(
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`,
      );
      await gate?.(i);
    }
    res.end('data: [DONE]\n\n');
  });
}

/** The behaviour every platform build must show, run on each Node version the platform offers. */
export function describePlatformContract(c: PlatformCase, more?: (ctx: () => Context) => void): void {
  describe.each(runtimes(c.majors))(`${c.platform} zip on $label`, ({ binDir, major }) => {
    let ctx: Context;
    let dir: string;
    beforeAll(async () => {
      const upstream = await openAiUpstream();
      dir = await unpackZip(ZIPS[c.platform].zip);
      const port = await freePort();
      const env = functionEnv(binDir, { OXY_TARGET: upstream.url, ...c.env(port) });
      const oxy = await startBootstrap(path.join(dir, ZIPS[c.platform].bootstrap), port, env);
      ctx = { upstream, oxy, headers: c.headers };
    });
    afterAll(async () => {
      await ctx?.oxy.stop();
      await ctx?.upstream.close();
      rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => (ctx.upstream.seen.length = 0));

    const client = (): OpenAI =>
      new OpenAI({
        baseURL: `${ctx.oxy.url}/v1`,
        apiKey: 'sk-client-key',
        maxRetries: 0,
        defaultHeaders: c.headers,
      });

    it('forwards the request without any platform header or credential, with the client key', async () => {
      const answer = await client().chat.completions.create({
        model: 'gpt-x',
        messages: [{ role: 'user', content: 'ping' }],
      });
      expect(answer.choices[0]?.message.content).toBe('pong');
      const seen = ctx.upstream.seen[0]!;
      expect(seen.url).toBe('/v1/chat/completions');
      expect(seen.headers.authorization).toBe('Bearer sk-client-key');
      expect(Object.keys(seen.headers).filter((h) => h.startsWith(c.prefix))).toEqual([]);
      const sent = JSON.stringify(seen.headers) + seen.body.toString();
      const logged = ctx.oxy.output();
      for (const secret of c.secrets) {
        expect(sent).not.toContain(secret);
        expect(logged).not.toContain(secret);
      }
    });

    // Guards the bootstrap's --no-memory-reducer: without it, bursts of requests after idle spells ran at
    // about three quarters of the throughput, p99 up to twice as long (docs/design.md). The bootstrap execs
    // node, so its process is node's, and it is serving: this Node accepted the flag.
    it('runs node with V8 memory reducer off', () => {
      const cmdline = readFileSync(`/proc/${ctx.oxy.child.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline).toContain('--no-memory-reducer');
      expect(cmdline[cmdline.length - 2]).toMatch(/index\.js$/);
    });

    it('streams a chat completion to the official client chunk by chunk', async () => {
      const received = CHUNKS.map(() => deferred());
      gate = (i) =>
        within(received[i]!.promise, 3000, `chunk ${i} to reach the client before the next is sent`);
      try {
        const stream = await client().chat.completions.create({
          model: 'gpt-x',
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
        });
        const got: string[] = [];
        for await (const chunk of stream) {
          got.push(chunk.choices[0]?.delta.content ?? '');
          received[got.length - 1]?.resolve();
        }
        expect(got).toEqual(CHUNKS);
      } finally {
        gate = undefined;
      }
    });

    it('keeps the upstream status and error body, so the SDK raises the right error', async () => {
      const err = await client()
        .chat.completions.create({ model: 'rate-limited', messages: [] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    });

    it('streams a 24 MB upload through intact, chunked and with a length', async () => {
      const body = randomBytes(24 * 1024 * 1024);
      const sha256 = createHash('sha256').update(body).digest('hex');
      const sent = [body, new Blob([body]).stream()];
      for (const payload of sent) {
        const res = await fetch(`${ctx.oxy.url}/v1/files`, {
          method: 'POST',
          headers: { ...c.headers, 'content-type': 'application/octet-stream' },
          body: payload,
          duplex: 'half',
        } as RequestInit);
        expect(await res.json()).toEqual({ bytes: body.length, sha256 });
      }
    });

    it('answers /healthz itself', async () => {
      const res = await fetch(`${ctx.oxy.url}/healthz`, { headers: c.headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', platform: c.platform });
      expect(ctx.upstream.seen).toEqual([]);
    });

    more?.(() => ctx);

    // Last: it stops the process. Node 16 cannot close idle keep-alive sockets (closeIdleConnections is
    // 18.2+), so there the exit comes from the 10 s drain timer (core/start.ts).
    it('drains and exits 0 on SIGTERM', async () => {
      const exited = new Promise<number | null>((resolve) => ctx.oxy.child.once('exit', resolve));
      ctx.oxy.child.kill('SIGTERM');
      expect(await within(exited, major >= 18 ? 3000 : 12_000, 'the process to exit')).toBe(0);
    }, 15_000);
  });
}
