import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type RunningZip, freePort, functionEnv, runBootstrap, startBootstrap } from '../helpers/bootstrap';
import { PLATFORM_MAJORS, runtimes } from '../helpers/node-runtimes';
import { RawClient } from '../helpers/raw-client';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream';
import { type UpstreamHandler, echo } from '../helpers/upstream';
import { unpackZip } from '../helpers/zip';
import { ZIPS } from './dist';

// The flaws the attacker reviews found in issue 8's, 9's, 10's and 12's paths, each sent as raw bytes to the built SCF zip
// on every Node version its bootstrap can pick (16 to 24): the parser and socket behaviour they hinge on is
// the runtime's. test/integration/{key-pool,proxy-keys,request-target,upgrade-edge}.test.ts cover each in depth.
const PROXY_KEY = 'pk-e2e-regress-5d1c';
const POOL = ['sk-e2e-regress-pool-1111', 'sk-e2e-regress-pool-2222', 'sk-e2e-regress-pool-3333'];
const SECRET = 'AIza-e2e-query-secret';
const UPGRADE =
  'GET /v1/realtime HTTP/1.1\r\nHost: oxy\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** Like OpenAI: 401 for a request without a pool key, or naming an organization the keys are not in. */
const upstreamAnswers: UpstreamHandler = (req, res, seen) => {
  const key = String(seen.headers.authorization ?? '').replace(/^Bearer /, '');
  if (!POOL.includes(key) || seen.headers['openai-organization'] === 'org-not-yours') {
    res.writeHead(401, { 'content-type': 'application/json' });
    return void res.end(
      '{"error":{"message":"refused","type":"invalid_request_error","code":"invalid_api_key"}}',
    );
  }
  return echo(req, res, seen);
};

describe.each(runtimes(PLATFORM_MAJORS.scf))('scf zip on $label', ({ binDir }) => {
  let upstream: RecordingUpstream;
  let oxy: RunningZip;
  let dir: string;
  beforeAll(async () => {
    upstream = await startRecordingUpstream(upstreamAnswers);
    dir = await unpackZip(ZIPS.scf.zip);
    const port = await freePort();
    const env = functionEnv(binDir, {
      OXY_TARGET: upstream.url,
      OXY_PORT: String(port),
      OXY_PROXY_KEYS: PROXY_KEY,
      OXY_UPSTREAM_KEYS: POOL.join(','),
    });
    oxy = await startBootstrap(path.join(dir, ZIPS.scf.bootstrap), port, env);
  });
  afterAll(async () => {
    await oxy?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
    // No proxy key, pool key or query secret in any line the process wrote.
    for (const secret of [PROXY_KEY, ...POOL, SECRET]) expect(oxy?.output() ?? '').not.toContain(secret);
  });
  beforeEach(() => (upstream.seen.length = 0));

  const exchange = async (bytes: string): Promise<{ status: number; body: string }> => {
    const client = await RawClient.connect(oxy.url);
    try {
      return await client.write(bytes).answer(3000);
    } finally {
      client.destroy();
    }
  };
  const post = (extra = ''): string =>
    `POST /v1/chat/completions HTTP/1.1\r\nHost: oxy\r\nAuthorization: Bearer ${PROXY_KEY}\r\n${extra}` +
    'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}';

  it('survives a WebSocket upgrade pipelined behind a request (the process used to exit)', async () => {
    const client = await RawClient.connect(oxy.url);
    client.write(`GET /healthz HTTP/1.1\r\nHost: oxy\r\n\r\n${UPGRADE}`);
    await client.answer(3000);
    client.destroy();
    expect((await exchange('GET /healthz HTTP/1.1\r\nHost: oxy\r\nConnection: close\r\n\r\n')).status).toBe(
      200,
    );
  });

  it('closes the socket of a refused upgrade, even from a client that keeps its side open', async () => {
    const { port } = new URL(oxy.url);
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    const reset = new Promise<string>((resolve) =>
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')),
    );
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    await new Promise<void>((resolve) => socket.once('end', resolve).write(UPGRADE));
    expect(data).toMatch(/^HTTP\/1\.1 401 /);
    const probe = setInterval(() => socket.write('x'), 100);
    const outcome = await Promise.race([reset, new Promise((r) => setTimeout(() => r('still open'), 2000))]);
    clearInterval(probe);
    socket.destroy();
    expect(outcome).toMatch(/^(ECONNRESET|EPIPE)$/);
  });

  it('writes the pool key after the client’s Connection-listed headers are dropped', async () => {
    expect(
      (await exchange(post().replace('Connection: close', 'Connection: close, authorization'))).status,
    ).toBe(200);
    expect(POOL).toContain(String(upstream.seen[0]!.headers.authorization).replace(/^Bearer /, ''));
  });

  it('keeps every pool key when the upstream refuses the request whatever the key', async () => {
    for (let i = 0; i < 3; i++)
      expect((await exchange(post('OpenAI-Organization: org-not-yours\r\n'))).status).toBe(401);
    upstream.seen.length = 0;
    for (let i = 0; i < 3; i++) expect((await exchange(post())).status).toBe(200);
    const used = upstream.seen.map((s) => String(s.headers.authorization).replace(/^Bearer /, ''));
    expect(new Set(used)).toEqual(new Set(POOL));
  });

  it('refuses a # in the request target and forwards nothing', async () => {
    const answer = await exchange(
      `GET /..# HTTP/1.1\r\nHost: oxy\r\nAuthorization: Bearer ${PROXY_KEY}\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('invalid_request_target');
    expect(upstream.seen).toEqual([]);
  });

  it('refuses a proxy key sent twice, one copy in the query, and forwards nothing', async () => {
    const answer = await exchange(
      `GET /v1/models?foo=${PROXY_KEY} HTTP/1.1\r\nHost: oxy\r\nAuthorization: Bearer ${PROXY_KEY}\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('proxy_key_repeated');
    expect(upstream.seen).toEqual([]);
  });

  it('keeps a secret under an encoded query name out of the log', async () => {
    await exchange(
      `GET /v1/models?k%65y=${SECRET} HTTP/1.1\r\nHost: oxy\r\nAuthorization: Bearer ${PROXY_KEY}\r\nConnection: close\r\n\r\n`,
    );
    expect(upstream.seen.map((s) => s.url)).toEqual([`/v1/models?k%65y=${SECRET}`]);
    // afterAll: the secret appears in no line the process wrote.
  });

  it('keeps a proxy key sent only under an unknown query name out of the 401’s log line', async () => {
    const answer = await exchange(
      `GET /v1/models?foo=${PROXY_KEY} HTTP/1.1\r\nHost: oxy\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(401);
    expect(upstream.seen).toEqual([]);
    // afterAll: the proxy key appears in no line the process wrote.
  });

  // Start-up refusals: a typo that would leave the proxy open, credentials typed with a full-width at sign,
  // and a moderation region that would put a CR LF into every check's headers.
  it.each<[string, Record<string, string>, string, string]>([
    ['a mistyped OXY_PROXY_KEY', { OXY_PROXY_KEY: PROXY_KEY }, 'did you mean OXY_PROXY_KEYS?', PROXY_KEY],
    [
      'a password before a full-width at sign',
      { OXY_TARGET: 'https://u:pw-e2e-secret＠[bad' },
      'OXY_TARGET',
      'pw-e2e-secret',
    ],
    [
      'a CR LF in the moderation region',
      {
        OXY_MODERATION: 'tencent',
        TENCENT_CLOUD_SID: 'AKIDx',
        TENCENT_CLOUD_SKEY: 'k',
        OXY_MODERATION_REGION: 'ap-gz\r\nX: 1',
      },
      'expected a Tencent Cloud region',
      '\r\nX: 1',
    ],
  ])('refuses to start on %s, in one line without the secret', async (_name, settings, says, secret) => {
    const { code, stdout, stderr } = await runBootstrap(
      path.join(dir, ZIPS.scf.bootstrap),
      functionEnv(binDir, settings),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(says);
    expect(stderr).not.toContain(secret);
  });

  describe('with moderation on', () => {
    let moderated: RunningZip;
    beforeAll(async () => {
      const port = await freePort();
      const env = functionEnv(binDir, {
        OXY_TARGET: upstream.url,
        OXY_PORT: String(port),
        OXY_PROXY_KEYS: PROXY_KEY,
        OXY_UPSTREAM_KEYS: POOL.join(','),
        OXY_MODERATION: 'openai',
      });
      moderated = await startBootstrap(path.join(dir, ZIPS.scf.bootstrap), port, env);
    });
    afterAll(async () => {
      await moderated?.stop();
      for (const secret of [PROXY_KEY, ...POOL]) expect(moderated?.output() ?? '').not.toContain(secret);
    });
    const send = async (target: string, body: string): Promise<{ status: number; body: string }> => {
      const client = await RawClient.connect(moderated.url);
      try {
        return await client
          .write(
            `POST ${target} HTTP/1.1\r\nHost: oxy\r\nAuthorization: Bearer ${PROXY_KEY}\r\nContent-Type: application/json\r\n` +
              `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          )
          .answer(10_000);
      } finally {
        client.destroy();
      }
    };

    it('refuses a body of more JSON values than any prompt before parsing it (one such request ended the process)', async () => {
      const body = `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":[${'{},'.repeat(150_000)}{}]}`;
      const answer = await send('/v1/chat/completions', body);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.code).toBe('request_too_complex');
      expect(upstream.seen).toEqual([]);
    });

    it('checks a chat prompt sent to a dot-segment spelling of its path before anything goes upstream', async () => {
      const chat = '{"model":"m","messages":[{"role":"user","content":"checked text"}]}';
      await send('/v1/chat/x/../completions', chat);
      // The stand-in answers /v1/moderations with no verdict, so the check fails closed: only it was called.
      expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/moderations']);
    });
  });
});
