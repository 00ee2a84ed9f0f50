import { createHash, createHmac } from 'node:crypto';

/**
 * TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature ("签名方法 v3"), step by step as published:
 * https://cloud.tencent.com/document/api/213/30654 (the same page is under every product, e.g.
 * https://cloud.tencent.com/document/api/362/4208; TMS's own summary of it and of the X-TC-* headers:
 * https://cloud.tencent.com/document/product/1124/100982; English: https://www.tencentcloud.com/document/product/1084/39391).
 * Both worked examples (the current one and the older English one) are reproduced in
 * test/unit/moderation/tc3-sign.test.ts.
 */

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** The product, the first label of its host: `tms` for tms.tencentcloudapi.com. */
  service: string;
  /** The Host header exactly as sent (with `:port` when the port is not the scheme's default). */
  host: string;
  /** The X-TC-Action header, e.g. `TextModeration`. */
  action: string;
  /** The X-TC-Timestamp header: Unix time in seconds. */
  timestamp: number;
  /** The request body, byte for byte as sent. */
  payload: string | Buffer;
  /** The Content-Type header exactly as sent: a charset the client library adds unasked breaks the signature. */
  contentType: string;
  /** POST for API 3.0 JSON calls. */
  method?: string;
  /** The path, `/` for API 3.0. */
  path?: string;
  /**
   * Also sign X-TC-Action (the default), as the current doc's example does. false signs only content-type and
   * host, the required minimum, as the older English example (and the Node SDK) does.
   */
  signAction?: boolean;
}

/** The Authorization header and every intermediate value the doc shows, so a test can compare each. */
export interface Tc3Signature {
  authorization: string;
  /** The UTC date of the timestamp, `YYYY-MM-DD`. */
  date: string;
  credentialScope: string;
  signedHeaders: string;
  canonicalRequest: string;
  hashedCanonicalRequest: string;
  stringToSign: string;
  signature: string;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/**
 * The UTC date of a Unix timestamp. The doc warns that a local date (UTC+8 on SCF) makes every call between
 * 00:00 and 08:00 Beijing time fail.
 */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function tc3Authorization(input: Tc3Input): Tc3Signature {
  // Step 1: header names and values lower-cased and trimmed, sorted by name (content-type < host < x-tc-action).
  const headers: [string, string][] = [
    ['content-type', input.contentType],
    ['host', input.host],
  ];
  if (input.signAction !== false) headers.push(['x-tc-action', input.action]);
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value.trim().toLowerCase()}\n`).join('');
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method ?? 'POST',
    input.path ?? '/',
    '', // CanonicalQueryString: always empty for POST
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');

  // Step 2.
  const date = utcDate(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const hashedCanonicalRequest = sha256Hex(canonicalRequest);
  const stringToSign = [TC3_ALGORITHM, String(input.timestamp), credentialScope, hashedCanonicalRequest].join(
    '\n',
  );

  // Step 3: the derived key chain, then the signature.
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign).digest('hex');

  // Step 4.
  const authorization =
    `${TC3_ALGORITHM} Credential=${input.secretId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return {
    authorization,
    date,
    credentialScope,
    signedHeaders,
    canonicalRequest,
    hashedCanonicalRequest,
    stringToSign,
    signature,
  };
}
