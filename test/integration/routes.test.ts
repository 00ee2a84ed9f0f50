import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startOxy } from '../helpers/oxy';
import { type Upstream, startUpstream } from '../helpers/upstream';

// Issue 8, routes: one function reaches several providers by path prefix; the prefix (and a stage prefix
// pasted from an API Gateway URL) is the only rewrite, and each provider's native API passes untouched.
describe('routes to several providers', () => {
  let openai: Upstream;
  let claude: Upstream;
  let gemini: Upstream;
  let oxy: Awaited<ReturnType<typeof startOxy>>;
  beforeEach(async () => {
    [openai, claude, gemini] = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
    oxy = await startOxy({
      OXY_TARGET: openai.url,
      OXY_ROUTES: `/claude=${claude.url},/gemini=${gemini.url}/google/`,
    });
  });
  afterEach(async () => {
    await oxy.close();
    await Promise.all([openai.close(), claude.close(), gemini.close()]);
  });

  const urls = (u: Upstream): string[] => u.seen.map((s) => s.url);

  it.each([
    ['/v1/models', 'openai', '/v1/models'],
    ['/claude/v1/messages', 'claude', '/v1/messages'],
    ['/claude', 'claude', '/'],
    ['/claude?beta=true', 'claude', '/?beta=true'],
    ['/claude//v1', 'claude', '//v1'],
    ['/claudette/v1/messages', 'openai', '/claudette/v1/messages'],
    [
      '/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
      'gemini',
      '/google/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
    ],
    ['/release/v1/chat/completions', 'openai', '/v1/chat/completions'],
    ['/release/claude/v1/messages', 'claude', '/v1/messages'],
    ['/test/v1/models', 'openai', '/v1/models'],
    ['/prepub', 'openai', '/'],
    ['/released/v1', 'openai', '/released/v1'],
  ])('sends %s to %s as %s', async (target, name, forwarded) => {
    const res = await request(oxy.url).get(target);
    expect(res.status).toBe(200);
    const all = { openai, claude, gemini };
    for (const [n, u] of Object.entries(all)) expect(urls(u)).toEqual(n === name ? [forwarded] : []);
  });

  it.each(['/claude/../v1/models', '/claude/%2e%2e/x', '/release/../x', '/gemini/..%2fadmin'])(
    'refuses %s, which would leave its route’s base path, with 400',
    async (target) => {
      const res = await request(oxy.url).get(target);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('path_outside_base');
      expect([...urls(openai), ...urls(claude), ...urls(gemini)]).toEqual([]);
    },
  );

  it('passes the native Anthropic and Azure APIs through untouched', async () => {
    await request(oxy.url)
      .post('/claude/v1/messages')
      .set('x-api-key', 'sk-ant-client')
      .set('anthropic-version', '2023-06-01')
      .set('anthropic-beta', 'prompt-caching-2024-07-31')
      .send({ model: 'claude', max_tokens: 1, messages: [] });
    expect(claude.seen[0]!.headers).toMatchObject({
      'x-api-key': 'sk-ant-client',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
    });
    await request(oxy.url)
      .post('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21')
      .set('api-key', 'azure-client-key')
      .send({});
    expect(openai.seen[0]!.url).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(openai.seen[0]!.headers['api-key']).toBe('azure-client-key');
  });
});

describe('routes from the config file', () => {
  it('gives each route its provider kind and its own key pool', async () => {
    const [openai, claude, gemini, azure] = await Promise.all([
      startUpstream(),
      startUpstream(),
      startUpstream(),
      startUpstream(),
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'oxy-routes-'));
    const file = path.join(dir, 'oxy.json');
    writeFileSync(
      file,
      JSON.stringify({
        proxyKeys: ['pk-file-key'],
        routes: [
          { prefix: '/claude', target: claude.url, kind: 'anthropic', upstreamKeys: ['sk-ant-pool-1'] },
          { prefix: '/gemini', target: gemini.url, kind: 'gemini', upstreamKeys: ['gm-pool-1'] },
          { prefix: '/azure', target: azure.url, kind: 'azure', upstreamKeys: ['az-pool-1'] },
        ],
      }),
    );
    const oxy = await startOxy({ OXY_CONFIG_FILE: file, OXY_TARGET: openai.url });
    try {
      await request(oxy.url).post('/claude/v1/messages').set('x-api-key', 'pk-file-key').send({});
      await request(oxy.url)
        .post('/gemini/v1beta/models/g:generateContent')
        .set('x-goog-api-key', 'pk-file-key')
        .send({});
      await request(oxy.url)
        .post('/azure/openai/deployments/d/chat/completions?api-version=2024-10-21')
        .set('api-key', 'pk-file-key')
        .send({});
      expect(azure.seen[0]!.url).toBe('/openai/deployments/d/chat/completions?api-version=2024-10-21');
      expect(azure.seen[0]!.headers).toMatchObject({ 'api-key': 'az-pool-1' });
      expect(azure.seen[0]!.headers.authorization).toBeUndefined();
      expect(claude.seen[0]!.headers).toMatchObject({ 'x-api-key': 'sk-ant-pool-1' });
      expect(gemini.seen[0]!.headers).toMatchObject({ 'x-goog-api-key': 'gm-pool-1' });
      expect(claude.seen[0]!.headers.authorization).toBeUndefined();
      // Without a pool of its own, the default target gets no key: the proxy key is never forwarded.
      expect((await request(oxy.url).get('/v1/models').set('x-api-key', 'pk-file-key')).status).toBe(200);
      expect(openai.seen[0]!.headers['x-api-key']).toBeUndefined();
    } finally {
      await oxy.close();
      await Promise.all([openai.close(), claude.close(), gemini.close(), azure.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
