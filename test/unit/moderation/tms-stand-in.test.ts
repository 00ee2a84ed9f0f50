import http from 'node:http';
import {
  type ReceivedRequest,
  type TmsStandIn,
  startTmsStandIn,
  verifyTc3,
} from '../../helpers/tms-stand-in';

/**
 * The stand-in's verifier, checked against Tencent's published requests alone (no oxy code): the final request
 * of each worked example of https://cloud.tencent.com/document/api/213/30654, as it would arrive.
 */
const PAYLOAD = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
const CURRENT_ID = `AKID${'*'.repeat(32)}`;
const CURRENT_KEY = '*'.repeat(32);
const OLDER_ID = 'AKID**********************0123456789EXAMPLE';
const OLDER_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const AT = 1551113065;

function published(authorization: string, overrides: Partial<ReceivedRequest> = {}): ReceivedRequest {
  return {
    method: 'POST',
    target: '/',
    rawHeaders: [
      ['Authorization', authorization],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Host', 'cvm.tencentcloudapi.com'],
      ['X-TC-Action', 'DescribeInstances'],
      ['X-TC-Version', '2017-03-12'],
      ['X-TC-Timestamp', String(AT)],
      ['X-TC-Region', 'ap-guangzhou'],
    ].flat(),
    body: Buffer.from(PAYLOAD),
    ...overrides,
  };
}
const CURRENT = published(
  `TC3-HMAC-SHA256 Credential=${CURRENT_ID}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, ` +
    'Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f',
);
const OLDER = published(
  `TC3-HMAC-SHA256 Credential=${OLDER_ID}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, ` +
    'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
);
const keys = (id: string): string | undefined => ({ [CURRENT_ID]: CURRENT_KEY, [OLDER_ID]: OLDER_KEY })[id];
const header = (req: ReceivedRequest, name: string, value: string): ReceivedRequest => ({
  ...req,
  rawHeaders: req.rawHeaders.map((v, i) => (i % 2 === 1 && req.rawHeaders[i - 1] === name ? value : v)),
});

describe('verifyTc3 against the worked examples', () => {
  it.each([
    ['current', CURRENT, CURRENT_ID],
    ['older', OLDER, OLDER_ID],
  ])('accepts the %s published request', (_name, req, id) => {
    expect(verifyTc3(req, 'cvm', keys, AT)).toEqual({ ok: true, secretId: id });
  });

  it('accepts it up to five minutes either way, refuses it past that', () => {
    expect(verifyTc3(CURRENT, 'cvm', keys, AT + 300).ok).toBe(true);
    expect(verifyTc3(CURRENT, 'cvm', keys, AT - 300).ok).toBe(true);
    expect(verifyTc3(CURRENT, 'cvm', keys, AT + 301)).toMatchObject({ code: 'AuthFailure.SignatureExpire' });
    expect(verifyTc3(CURRENT, 'cvm', keys, AT - 301)).toMatchObject({ code: 'AuthFailure.SignatureExpire' });
  });

  it.each<[string, ReceivedRequest, string]>([
    [
      'a changed body',
      { ...CURRENT, body: Buffer.from(PAYLOAD.replace('1', '2')) },
      'AuthFailure.SignatureFailure',
    ],
    [
      'a changed signed header',
      header(CURRENT, 'X-TC-Action', 'RunInstances'),
      'AuthFailure.SignatureFailure',
    ],
    ['a changed Host', header(OLDER, 'Host', 'tms.tencentcloudapi.com'), 'AuthFailure.SignatureFailure'],
    [
      'a changed Content-Type',
      header(CURRENT, 'Content-Type', 'application/json'),
      'AuthFailure.SignatureFailure',
    ],
    ['another path', { ...CURRENT, target: '/x' }, 'AuthFailure.SignatureFailure'],
    ['a query', { ...CURRENT, target: '/?a=1' }, 'AuthFailure.SignatureFailure'],
    ['another method', { ...CURRENT, method: 'PUT' }, 'AuthFailure.SignatureFailure'],
    ['another timestamp', header(CURRENT, 'X-TC-Timestamp', String(AT + 1)), 'AuthFailure.SignatureFailure'],
    [
      'a date of UTC+8',
      header(CURRENT, 'Authorization', currentAuth().replace('2019-02-25', '2019-02-26')),
      'AuthFailure.SignatureFailure',
    ],
    [
      'an unknown SecretId',
      header(CURRENT, 'Authorization', currentAuth().replace('AKID', 'AKIE')),
      'AuthFailure.SecretIdNotFound',
    ],
    [
      'no Authorization',
      { ...CURRENT, rawHeaders: CURRENT.rawHeaders.slice(2) },
      'AuthFailure.InvalidAuthorization',
    ],
    [
      'another algorithm',
      header(CURRENT, 'Authorization', currentAuth().replace('TC3-HMAC-SHA256', 'TC3-HMAC-SHA1')),
      'AuthFailure.InvalidAuthorization',
    ],
  ])('refuses %s', (_name, req, code) => {
    expect(verifyTc3(req, 'cvm', keys, AT)).toMatchObject({ ok: false, code });
  });

  it('refuses it for another service, and with another key', () => {
    expect(verifyTc3(CURRENT, 'tms', keys, AT)).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    expect(verifyTc3(CURRENT, 'cvm', () => OLDER_KEY, AT)).toMatchObject({
      code: 'AuthFailure.SignatureFailure',
    });
  });

  it('refuses a signed header that is missing or sent twice', () => {
    const without = {
      ...CURRENT,
      rawHeaders: CURRENT.rawHeaders.filter((_v, i, all) => all[i - (i % 2)] !== 'X-TC-Action'),
    };
    expect(verifyTc3(without, 'cvm', keys, AT)).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    const twice = { ...CURRENT, rawHeaders: [...CURRENT.rawHeaders, 'x-tc-action', 'DescribeInstances'] };
    expect(verifyTc3(twice, 'cvm', keys, AT)).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });

  it('reads header names in any case, as HTTP does', () => {
    const lower = {
      ...CURRENT,
      rawHeaders: CURRENT.rawHeaders.map((v, i) => (i % 2 === 0 ? v.toLowerCase() : v)),
    };
    expect(verifyTc3(lower, 'cvm', keys, AT).ok).toBe(true);
  });
});

function currentAuth(): string {
  return CURRENT.rawHeaders[1] ?? '';
}

describe('startTmsStandIn over HTTP', () => {
  let standIn: TmsStandIn;
  beforeEach(async () => {
    // Set up as the doc's account and product, so the published request itself can be sent over the wire.
    standIn = await startTmsStandIn({
      secretId: CURRENT_ID,
      secretKey: CURRENT_KEY,
      service: 'cvm',
      now: () => AT * 1000,
    });
  });
  afterEach(() => standIn.close());

  it('verifies the published request from the bytes it received, then refuses its action', async () => {
    const answer = await post(standIn.url, CURRENT);
    expect(standIn.calls[0]).toMatchObject({
      action: 'DescribeInstances',
      region: 'ap-guangzhou',
      signatureValid: true,
    });
    expect(answer.Response.Error?.Code).toBe('InvalidAction');
    expect(answer.Response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers AuthFailure.SignatureFailure, as the real service does, when one body byte differs', async () => {
    const answer = await post(standIn.url, {
      ...CURRENT,
      body: Buffer.from(PAYLOAD.replace('"Limit": 1', '"Limit": 2')),
    });
    expect(standIn.calls[0]).toMatchObject({
      signatureValid: false,
      authFailure: 'AuthFailure.SignatureFailure',
    });
    expect(answer.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
  });

  it('answers AuthFailure.SignatureExpire for a request six minutes old', async () => {
    const late = await startTmsStandIn({
      secretId: CURRENT_ID,
      secretKey: CURRENT_KEY,
      service: 'cvm',
      now: () => (AT + 360) * 1000,
    });
    try {
      expect((await post(late.url, CURRENT)).Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
    } finally {
      await late.close();
    }
  });
});

interface Answer {
  Response: { Error?: { Code: string }; RequestId?: string };
}

/** Sends `req` as received: its headers (Host included) and body bytes, to the stand-in. */
async function post(url: string, req: ReceivedRequest): Promise<Answer> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    headers[req.rawHeaders[i] ?? ''] = req.rawHeaders[i + 1] ?? '';
  return new Promise((resolve, reject) => {
    const r = http.request(`${url}${req.target}`, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as Answer));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
