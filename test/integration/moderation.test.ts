import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { loadConfig } from '../../core/config';
import type { Platform } from '../../core/platform';
import { type RunningOxy, startOxy } from '../helpers/oxy';
import {
  STAND_IN_SECRET_ID,
  STAND_IN_SECRET_KEY,
  type TmsStandIn,
  startTmsStandIn,
} from '../helpers/tms-stand-in';
import { type Upstream, type UpstreamHandler, startUpstream, within } from '../helpers/upstream';

// Issue 12: prompts and streamed answers checked by Tencent Cloud TMS (a loopback stand-in that verifies
// the TC3 signature) or by the upstream's /v1/moderations, against a real upstream on port 0.

const TOKEN = 'stand-in-session-token';
/** What the streaming upstream says, one delta per piece (tokens lead with their space), a few ms apart. */
const PIECES = [
  'Hello',
  ' there.',
  ' This',
  ' is',
  ' fine.',
  ' Now',
  ' BLOCK',
  'ME',
  ' here.',
  ' Never',
  ' sent.',
];

const upstreamHandler: UpstreamHandler = async (req, res, seen) => {
  if (seen.url.endsWith('/moderations')) {
    const { input } = JSON.parse(seen.body.toString()) as { input: string };
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ id: 'modr-1', results: [{ flagged: input.includes('BLOCKME') }] }));
  }
  const body = JSON.parse(seen.body.toString() || '{}') as { stream?: boolean };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      }),
    );
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const piece of PIECES) {
    if (res.destroyed) return;
    const chunk = { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model: 'm' };
    res.write(
      `data: ${JSON.stringify({ ...chunk, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
    );
    await new Promise((r) => setTimeout(r, 15));
  }
  res.end('data: [DONE]\n\n');
};

const chat = (content: string, stream = false): string =>
  JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content }] });

async function post(oxy: RunningOxy, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${oxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('moderation with Tencent Cloud TMS', () => {
  let upstream: Upstream;
  let tms: TmsStandIn;
  const oxies: RunningOxy[] = [];
  /** oxy moderating with the stand-in; `extra` adds settings, or removes one with undefined. */
  const start = async (
    extra: Record<string, string | undefined> = {},
    platform?: Platform,
  ): Promise<RunningOxy> => {
    const env: Record<string, string | undefined> = {
      OXY_TARGET: upstream.url,
      OXY_MODERATION: 'tencent',
      OXY_MODERATION_ENDPOINT: tms.url,
      OXY_MODERATION_REGION: 'ap-guangzhou',
      TENCENTCLOUD_SECRETID: STAND_IN_SECRET_ID,
      TENCENTCLOUD_SECRETKEY: STAND_IN_SECRET_KEY,
      TENCENTCLOUD_SESSIONTOKEN: TOKEN,
      ...extra,
    };
    const oxy = await startOxy(
      Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
      platform,
    );
    oxies.push(oxy);
    return oxy;
  };

  beforeAll(async () => {
    upstream = await startUpstream(upstreamHandler);
    tms = await startTmsStandIn({ token: TOKEN });
  });
  beforeEach(() => {
    tms.behaviour = 'answer';
    tms.calls.length = 0;
    upstream.seen.length = 0;
  });
  afterAll(async () => {
    await Promise.all(oxies.map((o) => o.close()));
    await tms.close();
    await upstream.close();
  });

  it('forwards a clean prompt byte for byte once TMS passed it, signed with the role token', async () => {
    const oxy = await start();
    const body = chat('What is a reverse proxy?');
    const { status } = await post(oxy, '/v1/chat/completions', body);
    expect(status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.body.toString()).toBe(body);
    expect(tms.calls).toHaveLength(1);
    expect(tms.calls[0]).toMatchObject({
      action: 'TextModeration',
      region: 'ap-guangzhou',
      token: TOKEN,
      text: 'What is a reverse proxy?',
      signatureValid: true,
    });
  });

  // Found in review: the prompt gate reads the body before it goes upstream, and the chat log then never saw
  // it, so a moderated function with OXY_LOG_CHAT=true wrote no chat line at all.
  it('writes the chat log line of a moderated exchange (OXY_LOG_CHAT)', async () => {
    const oxy = await start({ OXY_LOG_CHAT: 'true' });
    const { status } = await post(oxy, '/v1/chat/completions', chat('What is a reverse proxy?'));
    expect(status).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    const chats = oxy.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'chat');
    expect(chats).toEqual([
      expect.objectContaining({
        model: 'm',
        messages: [{ role: 'user', content: 'What is a reverse proxy?' }],
        reply: 'ok',
      }),
    ]);
  });

  it('refuses a blocked prompt with 400 content_filter and sends nothing upstream', async () => {
    const oxy = await start();
    const { status, json } = await post(oxy, '/v1/chat/completions', chat('please BLOCKME now'));
    expect(status).toBe(400);
    expect(json).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', code: 'content_filter' },
    });
    expect(upstream.seen).toHaveLength(0);
    expect(oxy.logs.some((l) => l.includes('"moderation_blocked"') && l.includes('"prompt"'))).toBe(true);
    // The log says that it was blocked, never what.
    expect(oxy.logs.join('\n')).not.toContain('BLOCKME');
  });

  it.each([
    ['block', 200],
    ['review', 400],
  ])('with OXY_MODERATION_LEVEL=%s a Review verdict gives %i', async (level, expected) => {
    const oxy = await start({ OXY_MODERATION_LEVEL: level });
    const { status } = await post(oxy, '/v1/chat/completions', chat('hmm REVIEWME'));
    expect(status).toBe(expected);
  });

  it.each([
    '/v1/completions',
    '/v1/responses',
    '/v1/messages',
    '/v1//chat/completions',
    '/v1/chat/completions/',
    '/v1/Chat/Completions',
    '/v1/chat%2Fcompletions',
  ])('checks the prompt of POST %s', async (path) => {
    const oxy = await start();
    const body =
      path === '/v1/completions'
        ? JSON.stringify({ model: 'm', prompt: 'BLOCKME' })
        : path === '/v1/responses'
          ? JSON.stringify({ model: 'm', input: 'BLOCKME' })
          : chat('BLOCKME');
    const { status, json } = await post(oxy, path, body);
    expect(status).toBe(400);
    expect((json.error as { code: string }).code).toBe('content_filter');
    expect(upstream.seen).toHaveLength(0);
  });

  it('checks a prompt over 10,000 characters in parts, every one signed', async () => {
    const oxy = await start();
    const long = `${'a calm sentence. '.repeat(1200)}BLOCKME`;
    const { status } = await post(oxy, '/v1/chat/completions', chat(long));
    expect(status).toBe(400);
    expect(tms.calls.length).toBeGreaterThanOrEqual(3);
    expect(tms.calls.every((c) => c.signatureValid && (c.text?.length ?? 0) <= 10_000)).toBe(true);
  });

  // Found in review: the gate parsed any body up to the platform's limit, and JSON.parse of 6 MB of `{},` took
  // 213 MB of heap; one such request ended a 128 MB function with every stream on it. Commas inside the text
  // are not values and do not count.
  it('refuses a body of more JSON values than any prompt holds before parsing it, and checks a long text', async () => {
    const oxy = await start();
    const filler = Array.from({ length: 150_000 }, () => '{}').join(',');
    const packed = `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":[${filler}]}`;
    const refused = await post(oxy, '/v1/chat/completions', packed);
    expect(refused.status).toBe(400);
    expect((refused.json as { error: { code: string } }).error.code).toBe('request_too_complex');
    expect(upstream.seen).toEqual([]);
    expect(tms.calls).toEqual([]);
    const long = await post(oxy, '/v1/chat/completions', chat('one, two, three. '.repeat(60_000)));
    expect(long.status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(tms.calls.length).toBeGreaterThan(0);
  });

  it('refuses a prompt body over the platform limit with 413, unchecked, and closes the connection', async () => {
    const oxy = await start({}, { name: 'test', requestBodyLimit: 1000 });
    const res = await fetch(`${oxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chat('x'.repeat(5000)),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    expect(upstream.seen).toHaveLength(0);
    expect(tms.calls).toHaveLength(0);
  });

  it('leaves other requests alone: no check, body streamed', async () => {
    const oxy = await start();
    const { status } = await post(oxy, '/v1/embeddings', JSON.stringify({ model: 'e', input: 'BLOCKME' }));
    expect(status).toBe(200);
    const models = await fetch(`${oxy.url}/v1/models`);
    expect(models.status).toBe(200);
    expect(tms.calls).toHaveLength(0);
  });

  it('refuses a compressed prompt body it cannot read (415) and a body that is not JSON (400)', async () => {
    const oxy = await start();
    const gz = await post(oxy, '/v1/chat/completions', chat('x'), { 'content-encoding': 'gzip' });
    expect([gz.status, (gz.json.error as { code: string }).code]).toEqual([415, 'unsupported_encoding']);
    const bad = await post(oxy, '/v1/chat/completions', '{"messages": [');
    expect([bad.status, (bad.json.error as { code: string }).code]).toEqual([400, 'invalid_json']);
    expect(upstream.seen).toHaveLength(0);
  });

  it('ends a stream at the blocked sentence with finish_reason content_filter and aborts the upstream', async () => {
    const oxy = await start();
    const client = new OpenAI({ baseURL: `${oxy.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'm',
      stream: true,
      messages: [{ role: 'user', content: 'tell me' }],
    });
    let text = '';
    const reasons: (string | null)[] = [];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      reasons.push(chunk.choices[0]?.finish_reason ?? null);
    }
    expect(text).toBe('Hello there. This is fine.');
    expect(reasons.at(-1)).toBe('content_filter');
    // The upstream's request was closed before it had sent everything: no more tokens generated.
    expect(await within(upstream.seen.at(-1)!.closedEarly, 2000, 'the upstream request to close')).toBe(true);
    const checked = tms.calls.map((c) => c.text);
    expect(checked).toContain(' Now BLOCKME here.');
    expect(checked.join('')).not.toContain('Never');
  });

  it('fails closed by default: a silent TMS gives 503 within the timeout, nothing forwarded, text not logged', async () => {
    const oxy = await start({ OXY_MODERATION_TIMEOUT_MS: '300' });
    tms.behaviour = 'silent';
    const t0 = Date.now();
    const { status, json } = await post(oxy, '/v1/chat/completions', chat('a secret question'));
    expect(status).toBe(503);
    expect((json.error as { code: string }).code).toBe('moderation_unavailable');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(upstream.seen).toHaveLength(0);
    const failure = oxy.logs.find((l) => l.includes('"moderation_failed"'));
    expect(failure).toContain('"moderation_timeout"');
    expect(oxy.logs.join('\n')).not.toContain('secret question');
  });

  it('fails open with OXY_MODERATION_FAIL_OPEN=true: a TMS error lets the prompt through, logged', async () => {
    const oxy = await start({ OXY_MODERATION_FAIL_OPEN: 'true' });
    tms.behaviour = { error: 'InternalError' };
    const { status } = await post(oxy, '/v1/chat/completions', chat('BLOCKME would be blocked'));
    expect(status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(oxy.logs.find((l) => l.includes('"moderation_failed"'))).toContain('"InternalError"');
  });

  it('lets a route of the config file set its own moderation', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oxy-moderation-'));
    const file = path.join(dir, 'oxy.json');
    writeFileSync(
      file,
      JSON.stringify({
        moderation: 'off',
        routes: [{ prefix: '/checked', target: upstream.url, moderation: 'tencent' }],
      }),
    );
    try {
      const oxy = await start({ OXY_MODERATION: undefined, OXY_CONFIG_FILE: file });
      const open = await post(oxy, '/v1/chat/completions', chat('BLOCKME'));
      expect(open.status).toBe(200);
      const checked = await post(oxy, '/checked/v1/chat/completions', chat('BLOCKME'));
      expect(checked.status).toBe(400);
      expect(tms.calls).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails closed on a stream: a check that fails ends it as filtered', async () => {
    const oxy = await start({ OXY_MODERATION_TIMEOUT_MS: '200' });
    const res = await fetch(`${oxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chat('tell me', true),
    });
    // The prompt passed; now every check of the answer fails.
    tms.behaviour = { status: 500 };
    const text = await res.text();
    expect(text).toContain('"finish_reason":"content_filter"');
    expect(text).not.toContain('Hello');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});

describe('moderation with the upstream’s /v1/moderations', () => {
  let upstream: Upstream;
  let oxy: RunningOxy;
  beforeAll(async () => {
    upstream = await startUpstream(upstreamHandler);
    oxy = await startOxy({
      OXY_TARGET: upstream.url,
      OXY_MODERATION: 'openai',
      OXY_PROXY_KEYS: 'pk-client-key',
      OXY_UPSTREAM_KEYS: 'sk-pool-key-one',
    });
  });
  afterAll(async () => {
    await oxy.close();
    await upstream.close();
  });

  it('checks with a pool key and blocks what OpenAI flags', async () => {
    const auth = { authorization: 'Bearer pk-client-key' };
    const blocked = await post(oxy, '/v1/chat/completions', chat('BLOCKME'), auth);
    expect(blocked.status).toBe(400);
    const passed = await post(oxy, '/v1/chat/completions', chat('hello'), auth);
    expect(passed.status).toBe(200);
    const moderations = upstream.seen.filter((s) => s.url === '/v1/moderations');
    expect(moderations).toHaveLength(2);
    expect(moderations.every((s) => s.headers.authorization === 'Bearer sk-pool-key-one')).toBe(true);
    expect(upstream.seen.filter((s) => s.url === '/v1/chat/completions')).toHaveLength(1);
  });
});

/**
 * oxy moderating with OpenAI's endpoint and a one-key pool, in front of an upstream whose /v1/moderations
 * answers `status` (every other path 200); `run` gets both, which are closed after.
 */
async function withModerationAnswering(
  status: number,
  run: (oxy: RunningOxy, upstream: Upstream, auth: Record<string, string>) => Promise<void>,
): Promise<void> {
  const upstream = await startUpstream((_req, res, seen) => {
    const moderation = seen.url === '/v1/moderations';
    res.writeHead(moderation ? status : 200, { 'content-type': 'application/json', 'retry-after': '60' });
    res.end(moderation ? JSON.stringify({ error: { message: 'refused', code: `status_${status}` } }) : '{}');
  });
  const oxy = await startOxy({
    OXY_TARGET: upstream.url,
    OXY_MODERATION: 'openai',
    OXY_PROXY_KEYS: 'pk-client-key',
    OXY_UPSTREAM_KEYS: 'sk-only-key',
  });
  try {
    await run(oxy, upstream, { authorization: 'Bearer pk-client-key' });
  } finally {
    await oxy.close();
    await upstream.close();
  }
}

// Issue 8: when every pool key is out, the client gets 503 in OpenAI's shape at once, without an upstream call.
// Moderation's own calls carry nothing of the client's but the text, so their 401 takes a key out even when
// it is the last one; that is how a pool empties (a proxied request's refusal never removes the last key).
describe('a pool emptied by moderation', () => {
  it('answers 503 pool_keys_unavailable at once, with no upstream call', () =>
    withModerationAnswering(401, async (oxy, upstream, auth) => {
      const first = await post(oxy, '/v1/chat/completions', chat('hello'), auth);
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/moderations']);
      const second = await post(oxy, '/v1/chat/completions', chat('hello'), auth);
      expect(second.status).toBe(503);
      expect(second.json).toEqual({
        error: {
          message: 'No upstream key of this proxy is accepted by the upstream API.',
          type: 'proxy_error',
          code: 'pool_keys_unavailable',
        },
      });
      expect(upstream.seen).toHaveLength(1);
      expect(oxy.logs.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
        expect.objectContaining({ event: 'pool_key_removed', key: '...-key', status: 401 }),
      );
    }));
});

// Found in review: a 429 from /v1/moderations rested the pool key for every request, so a client sending long
// prompts (many checks) could rest every key and have everyone refused with 429. OpenAI limits each model apart.
describe('a rate-limited moderation endpoint', () => {
  it('fails the check but leaves the pool key to chat traffic', () =>
    withModerationAnswering(429, async (oxy, upstream, auth) => {
      expect((await post(oxy, '/v1/chat/completions', chat('hello'), auth)).status).toBe(503);
      // An unmoderated request on the same pool still gets the key.
      const models = await fetch(`${oxy.url}/v1/models`, { headers: auth });
      expect(models.status).toBe(200);
      expect(upstream.seen.at(-1)).toMatchObject({ url: '/v1/models' });
      expect(upstream.seen.at(-1)!.headers.authorization).toBe('Bearer sk-only-key');
      expect(oxy.logs.join('\n')).not.toContain('pool_key_resting');
    }));
});

describe('moderation settings at start', () => {
  const base = { OXY_MODERATION: 'tencent', OXY_MODERATION_REGION: 'ap-guangzhou' };
  it.each([
    [{ ...base }, /needs Tencent Cloud credentials/],
    [{ OXY_MODERATION: 'tencent', TENCENT_CLOUD_SID: 'AKIDx', TENCENT_CLOUD_SKEY: 'k' }, /needs a region/],
    [{ OXY_MODERATION: 'openai' }, /OXY_UPSTREAM_KEYS/],
    [{ OXY_MODERATION: 'azure' }, /OXY_MODERATION="azure": expected off, tencent or openai/],
    [
      { ...base, TENCENT_CLOUD_SID: 'AKIDx', TENCENT_CLOUD_SKEY: 'k', OXY_MODERATION_LEVEL: 'high' },
      /OXY_MODERATION_LEVEL="high": expected block or review/,
    ],
    // Found in review: the region goes into a header of every check, and a CR LF in it failed them all (with
    // OXY_MODERATION_FAIL_OPEN, passed them all unchecked).
    [
      {
        ...base,
        TENCENT_CLOUD_SID: 'AKIDx',
        TENCENT_CLOUD_SKEY: 'k',
        OXY_MODERATION_REGION: 'ap-gz\r\nX-Evil: 1',
      },
      /OXY_MODERATION_REGION="ap-gz\\r\\nX-Evil: 1": expected a Tencent Cloud region such as ap-guangzhou/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes easychen’s TENCENT_CLOUD_SID / SKEY / AP', () => {
    const config = loadConfig({
      OXY_MODERATION: 'tencent',
      TENCENT_CLOUD_SID: 'AKIDx',
      TENCENT_CLOUD_SKEY: 'k',
      TENCENT_CLOUD_AP: 'ap-singapore',
    });
    expect(config.moderationRegion).toBe('ap-singapore');
  });

  it('never shows a credential in a refusal', () => {
    expect(() =>
      loadConfig({
        OXY_MODERATION: 'tencent',
        TENCENT_CLOUD_SID: 'AKIDsecretid',
        TENCENT_CLOUD_SKEY: 'topsecretkey',
        OXY_MODERATION_TIMEOUT_MS: 'x',
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringMatching(/AKIDsecretid|topsecretkey/) }));
  });
});
