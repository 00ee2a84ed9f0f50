import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { bundle } from '../../scripts/bundle';
import { type RunningZip, freePort, functionEnv, startBootstrap } from '../helpers/bootstrap';
import { PLATFORM_MAJORS, runtimes } from '../helpers/node-runtimes';
import { type Upstream, startUpstream } from '../helpers/upstream';
import { chatAnswers } from '../helpers/openai-bodies';
import { unpackZip } from '../helpers/zip';
import { VERSION } from './dist';

// Issue 8 on the built zips: a zip built with `--config` carries oxy.json, and the official client works
// through a proxy key, streaming included, with a pool key put in its place and no key in any log.
const PROXY_KEY = 'pk-e2e-proxy-key-7f3a';
const POOL = ['sk-e2e-pool-key-1111', 'sk-e2e-pool-key-2222'];

let out: string;
beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'oxy-e2e-config-'));
  const config = path.join(out, 'settings.json');
  writeFileSync(config, JSON.stringify({ proxyKeys: [PROXY_KEY], upstreamKeys: POOL }));
  await bundle(path.join(out, 'dist'), config);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each([
  { platform: 'scf' as const, bootstrap: 'scf_bootstrap', majors: PLATFORM_MAJORS.scf },
  { platform: 'fc' as const, bootstrap: 'bootstrap', majors: PLATFORM_MAJORS.fc },
])('$platform zip built with --config', ({ platform, bootstrap, majors }) => {
  describe.each(runtimes(majors))('on $label', ({ binDir }) => {
    let upstream: Upstream;
    let oxy: RunningZip;
    let dir: string;
    beforeAll(async () => {
      upstream = await startUpstream(chatAnswers('pong', ['po', 'ng']));
      dir = await unpackZip(path.join(out, 'dist', `oxy-${platform}-v${VERSION}.zip`));
      const port = await freePort();
      const env = { OXY_TARGET: upstream.url, OXY_PORT: String(port), FC_CUSTOM_LISTEN_PORT: String(port) };
      oxy = await startBootstrap(path.join(dir, bootstrap), port, functionEnv(binDir, env));
    });
    afterAll(async () => {
      await oxy?.stop();
      await upstream?.close();
      rmSync(dir, { recursive: true, force: true });
      const logged = oxy?.output() ?? '';
      for (const key of [PROXY_KEY, ...POOL]) expect(logged).not.toContain(key);
    });

    const client = (apiKey: string): OpenAI =>
      new OpenAI({ baseURL: `${oxy.url}/v1`, apiKey, maxRetries: 0 });

    it('answers the official client through a proxy key, with pool keys in turn', async () => {
      for (let i = 0; i < 2; i++) {
        const answer = await client(PROXY_KEY).chat.completions.create({ model: 'm', messages: [] });
        expect(answer.choices[0]?.message.content).toBe('pong');
      }
      expect(upstream.seen.map((s) => s.headers.authorization)).toEqual(POOL.map((k) => `Bearer ${k}`));
    });

    it('streams through a proxy key', async () => {
      const stream = await client(PROXY_KEY).chat.completions.create({
        model: 'm',
        messages: [],
        stream: true,
      });
      const got: string[] = [];
      for await (const chunk of stream) got.push(chunk.choices[0]?.delta.content ?? '');
      expect(got.join('')).toBe('pong');
    });

    it('refuses a wrong key with an AuthenticationError and no upstream call', async () => {
      const before = upstream.seen.length;
      const err = await client('pk-wrong')
        .chat.completions.create({ model: 'm', messages: [] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_proxy_key');
      expect(upstream.seen.length).toBe(before);
    });
  });
});
