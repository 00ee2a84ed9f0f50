import net from 'node:net';
import {
  type TmsCredentials,
  type TmsOptions,
  checkAll,
  tencentTextModeration,
} from '../../../core/moderation/tencent/tms-client';
import { ModerationFailure } from '../../../core/moderation/verdict';
import {
  STAND_IN_SECRET_ID,
  STAND_IN_SECRET_KEY,
  type TmsStandIn,
  startTmsStandIn,
} from '../../helpers/tms-stand-in';

const CREDENTIALS: TmsCredentials = { secretId: STAND_IN_SECRET_ID, secretKey: STAND_IN_SECRET_KEY };
const TEXT = '这是一段待检测的文本 with an emoji \u{1F600}';

let standIn: TmsStandIn;
beforeEach(async () => {
  standIn = await startTmsStandIn();
});
afterEach(() => standIn.close());

function client(overrides: Partial<TmsOptions> = {}) {
  return tencentTextModeration({
    endpoint: new URL(standIn.url),
    region: 'ap-guangzhou',
    credentials: () => CREDENTIALS,
    timeoutMs: 2_000,
    ...overrides,
  });
}

/** The failure a check rejects with; fails the test if it resolves or rejects with anything else. */
async function failureOf(check: Promise<unknown>): Promise<ModerationFailure> {
  const err = await check.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModerationFailure);
  const failure = err as ModerationFailure;
  // No failure repeats the checked text, a credential, or the service's own message.
  for (const secret of [TEXT, 'BLOCKME', STAND_IN_SECRET_ID, STAND_IN_SECRET_KEY, 'Stand-in error'])
    expect(`${failure.message} ${JSON.stringify(failure)}`).not.toContain(secret);
  return failure;
}

describe('tencentTextModeration against the stand-in', () => {
  it.each([
    [TEXT, 'pass'],
    [`${TEXT} REVIEWME`, 'review'],
    [`${TEXT} BLOCKME`, 'block'],
    [`REVIEWME BLOCKME`, 'block'],
  ])('%j → %s', async (text, verdict) => {
    await expect(client()(text)).resolves.toBe(verdict);
  });

  it('sends a correctly signed TextModeration 2020-12-29 call, its Content the Base64 of the UTF-8 text', async () => {
    await client()(TEXT);
    expect(standIn.calls).toHaveLength(1);
    expect(standIn.calls[0]).toMatchObject({
      action: 'TextModeration',
      version: '2020-12-29',
      region: 'ap-guangzhou',
      contentType: 'application/json; charset=utf-8',
      text: TEXT,
      signatureValid: true,
    });
    expect(standIn.calls[0]?.bizType).toBeUndefined();
  });

  it('sends BizType when given', async () => {
    await client({ bizType: 'oxy_chat' })('hello');
    expect(standIn.calls[0]?.bizType).toBe('oxy_chat');
  });

  it('sends X-TC-Token only when the credentials have a token', async () => {
    await client()('one');
    await client({ credentials: () => ({ ...CREDENTIALS, token: 'session-token-1' }) })('two');
    expect(standIn.calls.map((c) => c.token)).toEqual([undefined, 'session-token-1']);
    expect(standIn.calls.every((c) => c.signatureValid)).toBe(true);
  });

  it('reads the credentials for every call, so rotated ones are used', async () => {
    let n = 0;
    const check = client({ credentials: () => ({ ...CREDENTIALS, token: `token-${++n}` }) });
    await check('one');
    await check('two');
    expect(standIn.calls.map((c) => c.token)).toEqual(['token-1', 'token-2']);
  });

  it('keeps the connection alive between calls', async () => {
    const check = client();
    await check('one');
    await check('two');
    expect(standIn.calls[0]?.remotePort).toBe(standIn.calls[1]?.remotePort);
  });

  it('fails with moderation_unavailable, making no call, when the credentials cannot be read', async () => {
    const failure = await failureOf(
      client({
        credentials: () => {
          throw new Error(`no ${STAND_IN_SECRET_KEY}`);
        },
      })(TEXT),
    );
    expect(failure.code).toBe('moderation_unavailable');
    expect(standIn.calls).toHaveLength(0);
  });
});

describe('tencentTextModeration failures', () => {
  it('a wrong secret: the stand-in says AuthFailure.SignatureFailure → moderation_error', async () => {
    const failure = await failureOf(
      client({ credentials: () => ({ ...CREDENTIALS, secretKey: 'wrong' }) })(TEXT),
    );
    expect(standIn.calls[0]?.signatureValid).toBe(false);
    expect(failure).toMatchObject({ code: 'moderation_error', serviceCode: 'AuthFailure.SignatureFailure' });
    expect(failure.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failure.message).toBe('TMS answered the error AuthFailure.SignatureFailure.');
  });

  // 310 s, not 301: the timestamp is in whole seconds and the stand-in checks it a moment later, so a skew
  // within a second of the limit passed whenever the check fell in the next second (a flaky CI run).
  it.each([
    [-310_000, 'AuthFailure.SignatureExpire'],
    [310_000, 'AuthFailure.SignatureExpire'],
  ])('a clock %i ms off → %s', async (skew, serviceCode) => {
    const failure = await failureOf(client({ now: () => Date.now() + skew })(TEXT));
    expect(failure).toMatchObject({ code: 'moderation_error', serviceCode });
  });

  it('a clock four minutes off still passes', async () => {
    await expect(client({ now: () => Date.now() - 240_000 })(TEXT)).resolves.toBe('pass');
  });

  it('Response.Error → moderation_error with its code, never its message (which quotes the text)', async () => {
    standIn.behaviour = { error: 'InternalError.ErrTextTimeOut' };
    const failure = await failureOf(client()(TEXT));
    expect(failure).toMatchObject({ code: 'moderation_error', serviceCode: 'InternalError.ErrTextTimeOut' });
  });

  it('HTTP 500 → moderation_bad_status', async () => {
    standIn.behaviour = { status: 500 };
    expect(await failureOf(client()(TEXT))).toMatchObject({ code: 'moderation_bad_status', httpStatus: 500 });
  });

  it('a body that is not JSON → moderation_malformed', async () => {
    standIn.behaviour = 'malformed';
    expect((await failureOf(client()(TEXT))).code).toBe('moderation_malformed');
  });

  it('a closed connection → moderation_unavailable', async () => {
    standIn.behaviour = 'close';
    expect((await failureOf(client()(TEXT))).code).toBe('moderation_unavailable');
  });

  it('a refused connection → moderation_unavailable naming the Node code', async () => {
    const port = await freePort();
    const failure = await failureOf(client({ endpoint: new URL(`http://127.0.0.1:${port}`) })(TEXT));
    expect(failure).toMatchObject({ code: 'moderation_unavailable' });
    expect(failure.message).toBe('TMS could not be reached (ECONNREFUSED).');
    expect(failure.message).not.toContain(String(port));
  });

  it('silence → moderation_timeout once timeoutMs has passed, not before, and the request is cut', async () => {
    standIn.behaviour = 'silent';
    const started = Date.now();
    const failure = await failureOf(client({ timeoutMs: 300 })(TEXT));
    const elapsed = Date.now() - started;
    expect(failure.code).toBe('moderation_timeout');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    await expect(standIn.calls[0]?.closedEarly).resolves.toBe(true);
  });

  it("the caller's signal → moderation_aborted at once, and the request is cut", async () => {
    standIn.behaviour = 'silent';
    const caller = new AbortController();
    const check = client({ timeoutMs: 10_000 })(TEXT, caller.signal);
    await waitFor(() => standIn.calls.length === 1);
    const started = Date.now();
    caller.abort();
    expect((await failureOf(check)).code).toBe('moderation_aborted');
    expect(Date.now() - started).toBeLessThan(500);
    await expect(standIn.calls[0]?.closedEarly).resolves.toBe(true);
  });

  it('a signal already aborted → moderation_aborted without a call', async () => {
    const caller = new AbortController();
    caller.abort();
    expect((await failureOf(client()(TEXT, caller.signal))).code).toBe('moderation_aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(standIn.calls).toHaveLength(0);
  });
});

describe('checkAll against the stand-in', () => {
  it('sends a 25,000-character text as three calls the service accepts and gives the worst verdict', async () => {
    const text = `${'天'.repeat(12_000)}REVIEWME${'地'.repeat(12_992)}`;
    await expect(checkAll(client(), text)).resolves.toBe('review');
    expect(standIn.calls.map((c) => c.text?.length)).toEqual([10_000, 10_000, 5_000]);
    expect(standIn.calls.map((c) => c.text).join('')).toBe(text);
  });

  it('a text over 10,000 characters sent whole is refused by the stand-in, as by TMS', async () => {
    const failure = await failureOf(client()('a'.repeat(10_001)));
    expect(failure.serviceCode).toBe('InvalidParameter.ErrTextContentLen');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
