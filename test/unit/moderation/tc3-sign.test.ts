import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { tc3Authorization } from '../../../core/moderation/tencent/tc3-sign';

/**
 * The worked example of Tencent's "签名方法 v3" (https://cloud.tencent.com/document/api/213/30654, also
 * https://cloud.tencent.com/document/api/362/4208): CVM DescribeInstances in ap-guangzhou at 1551113065, with
 * the doc's masked SecretId `AKID` + 32 `*` and SecretKey of 32 `*`. Every expected value below is printed in
 * the doc; none is computed here.
 */
const PAYLOAD = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
const EXAMPLE = {
  service: 'cvm',
  host: 'cvm.tencentcloudapi.com',
  action: 'DescribeInstances',
  timestamp: 1551113065,
  payload: PAYLOAD,
  contentType: 'application/json; charset=utf-8',
};
const CURRENT = { ...EXAMPLE, secretId: `AKID${'*'.repeat(32)}`, secretKey: '*'.repeat(32) };

describe('tc3Authorization: the current worked example (SignedHeaders content-type;host;x-tc-action)', () => {
  const signed = tc3Authorization(CURRENT);

  it('hashes the payload as the doc does (its escapes are six ASCII characters, not the decoded 未命名)', () => {
    expect(createHash('sha256').update(PAYLOAD).digest('hex')).toBe(
      '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
  });

  it('builds the published CanonicalRequest byte for byte', () => {
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        '',
        'content-type:application/json; charset=utf-8',
        'host:cvm.tencentcloudapi.com',
        'x-tc-action:describeinstances',
        '',
        'content-type;host;x-tc-action',
        '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
      ].join('\n'),
    );
    expect(signed.hashedCanonicalRequest).toBe(
      '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
    );
  });

  it('builds the published StringToSign', () => {
    expect(signed.date).toBe('2019-02-25');
    expect(signed.credentialScope).toBe('2019-02-25/cvm/tc3_request');
    expect(signed.stringToSign).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n' +
        '7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84',
    );
  });

  it('gives the published signature and Authorization', () => {
    expect(signed.signature).toBe('10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f');
    expect(signed.authorization).toBe(
      `TC3-HMAC-SHA256 Credential=AKID${'*'.repeat(32)}/2019-02-25/cvm/tc3_request, ` +
        'SignedHeaders=content-type;host;x-tc-action, ' +
        'Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f',
    );
  });

  it('signs the bytes, whether given as a string or a Buffer', () => {
    expect(tc3Authorization({ ...CURRENT, payload: Buffer.from(PAYLOAD) }).signature).toBe(signed.signature);
  });

  it('lower-cases and trims header values as step 1 says', () => {
    const loud = tc3Authorization({
      ...CURRENT,
      host: ' CVM.TencentCloudAPI.com ',
      action: 'DESCRIBEINSTANCES',
    });
    expect(loud.signature).toBe(signed.signature);
  });

  it('changes with every signed input', () => {
    const variants = [
      { secretKey: `${'*'.repeat(31)}x` },
      { payload: PAYLOAD.replace('1', '2') },
      { host: 'tms.tencentcloudapi.com' },
      { action: 'TextModeration' },
      { service: 'tms' },
      { timestamp: 1551113066 },
      { contentType: 'application/json' },
    ];
    for (const variant of variants)
      expect(tc3Authorization({ ...CURRENT, ...variant }).signature).not.toBe(signed.signature);
  });
});

/**
 * The older English edition of the same page (https://www.tencentcloud.com/document/product/1084/39391): it
 * signs only content-type;host and shows SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE.
 */
describe('tc3Authorization: the older worked example (SignedHeaders content-type;host)', () => {
  const secretId = 'AKID**********************0123456789EXAMPLE';
  const signed = tc3Authorization({
    ...EXAMPLE,
    secretId,
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    signAction: false,
  });

  it('gives the published CanonicalRequest hash, signature and Authorization', () => {
    expect(signed.signedHeaders).toBe('content-type;host');
    expect(signed.hashedCanonicalRequest).toBe(
      '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
    expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(signed.authorization).toBe(
      `TC3-HMAC-SHA256 Credential=${secretId}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, ` +
        'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });
});

describe('utcDate', () => {
  // The doc's warning: 1551113065 is 2019-02-26 00:44:25 in UTC+8, yet its date is 2019-02-25. Computed in a
  // child running in Shanghai's zone (SCF's), so an implementation that used the local date fails here.
  const cases: [number, string][] = [
    [1551113065, '2019-02-25'],
    [1551139199, '2019-02-25'], // 23:59:59 UTC
    [1551139200, '2019-02-26'], // 00:00:00 UTC
    [0, '1970-01-01'],
  ];
  const script =
    "const { utcDate } = require('./core/moderation/tencent/tc3-sign.ts');" +
    `const cases = ${JSON.stringify(cases.map(([t]) => t))};` +
    'process.stdout.write(JSON.stringify({ local: new Date(1551113065e3).getDate(), dates: cases.map(utcDate) }));';
  const run = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.join(__dirname, '../../..'),
      env: { ...process.env, TZ: 'Asia/Shanghai' },
    }).toString(),
  ) as { local: number; dates: string[] };

  it('runs where the local date of 1551113065 is the 26th', () => {
    expect(run.local).toBe(26);
  });

  it.each(cases.map(([t, d], i) => [t, d, i] as const))('%i → %s', (_t, date, i) => {
    expect(run.dates[i]).toBe(date);
  });
});
