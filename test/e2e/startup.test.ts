import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import OpenAI from 'openai';
import { freePort, functionEnv, runBootstrap, startBootstrap } from '../helpers/bootstrap';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

const NODE_DIR = path.dirname(process.execPath);

describe.each(Object.entries(ZIPS))('the %s zip at start', (_name, { zip, bootstrap }) => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await unpackZip(zip);
    file = path.join(dir, bootstrap);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['OXY_TARGET', 'api.openai.com', 'an absolute http(s) URL'],
    ['OXY_PORT', '70000', 'an integer from 1 to 65535'],
    ['OXY_HOP_HEADER_PREFIX', 'X SCF', 'comma-separated header-name prefixes'],
  ])('exits 1 with one line naming %s=%j and what is expected', async (name, value, expected) => {
    const { code, stderr, stdout } = await runBootstrap(file, functionEnv(NODE_DIR, { [name]: value }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`oxy: invalid configuration: ${name}="${value}": expected ${expected}`);
  });

  // Issue 8: a key pool without proxy keys would relay the owner's keys to anyone who finds the URL.
  it('refuses to start with a key pool and no proxy keys, in one line that holds no key', async () => {
    const keys = 'sk-pool-secret-one,sk-pool-secret-two';
    const { code, stderr, stdout } = await runBootstrap(
      file,
      functionEnv(NODE_DIR, { OXY_UPSTREAM_KEYS: keys }),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('OXY_UPSTREAM_KEYS is set but OXY_PROXY_KEYS is not');
    expect(stderr).not.toContain('sk-pool-secret');
  });

  it('refuses to start on a mistyped setting that would leave the proxy open', async () => {
    const env = functionEnv(NODE_DIR, { OXY_PROXY_KEY: 'pk-typo-secret' });
    const { code, stderr, stdout } = await runBootstrap(file, env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'oxy: invalid configuration: OXY_PROXY_KEY is not a setting of oxy; did you mean OXY_PROXY_KEYS?\n',
    );
  });

  it('exits 1 with one line when the port is taken', async () => {
    const port = await freePort();
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(port, '0.0.0.0', resolve));
    try {
      const env = functionEnv(NODE_DIR, { OXY_PORT: String(port), FC_CUSTOM_LISTEN_PORT: String(port) });
      const { code, stderr } = await runBootstrap(file, env);
      expect(code).toBe(1);
      expect(stderr).toBe(`oxy: cannot listen on 0.0.0.0:${port}: EADDRINUSE\n`);
    } finally {
      taken.close();
    }
  });

  it('listens on 0.0.0.0, and its own failures reach the SDK as OpenAI errors', async () => {
    const port = await freePort();
    const env = {
      OXY_PORT: String(port),
      FC_CUSTOM_LISTEN_PORT: String(port),
      OXY_TARGET: `http://127.0.0.1:${await freePort()}`,
    };
    const oxy = await startBootstrap(file, port, functionEnv(NODE_DIR, env));
    try {
      expect(JSON.parse(oxy.output().split('\n')[0]!)).toMatchObject({ event: 'listening', port });
      const client = new OpenAI({ baseURL: `${oxy.url}/v1`, apiKey: 'sk-x', maxRetries: 0 });
      const err = await client.models.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_unreachable');
    } finally {
      await oxy.stop();
    }
  });

  // Guards scripts/lazy-files.ts: a start without moderation never requires moderation.js (so never parses it).
  it('starts and proxies without moderation.js when no route moderates', async () => {
    const bare = await unpackZip(zip);
    try {
      rmSync(path.join(bare, 'moderation.js'));
      const port = await freePort();
      const env = {
        OXY_PORT: String(port),
        FC_CUSTOM_LISTEN_PORT: String(port),
        OXY_TARGET: `http://127.0.0.1:${await freePort()}`,
      };
      const oxy = await startBootstrap(path.join(bare, bootstrap), port, functionEnv(NODE_DIR, env));
      try {
        const res = await fetch(`${oxy.url}/v1/models`);
        expect(res.status).toBe(502);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
      } finally {
        await oxy.stop();
      }
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
