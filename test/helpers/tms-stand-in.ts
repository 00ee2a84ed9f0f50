import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback stand-in for Tencent Cloud TMS (TextModeration), with its own TC3-HMAC-SHA256 verifier. The
 * verifier shares no code with oxy's signer: it recomputes the signature from the request as received (method,
 * path, query, the headers Authorization names, the body's bytes), as the real service does, and is itself
 * checked against the signing doc's worked examples (tms-stand-in.test.ts).
 * Signing: https://cloud.tencent.com/document/api/213/30654. Common error codes:
 * https://www.tencentcloud.com/document/api/1036/38589. TMS's own codes (section 6):
 * https://cloud.tencent.com/document/api/1124/51860.
 */

/** What the verifier reads of a request: exactly what came over the wire. */
export interface ReceivedRequest {
  method: string;
  /** The request target: path and query, undecoded. */
  target: string;
  /** Node's `rawHeaders`: name, value, name, value… in arrival order. */
  rawHeaders: string[];
  body: Buffer;
}

export type Tc3Verdict =
  | { ok: true; secretId: string }
  | {
      ok: false;
      code:
        | 'AuthFailure.InvalidAuthorization'
        | 'AuthFailure.SecretIdNotFound'
        | 'AuthFailure.SignatureExpire'
        | 'AuthFailure.SignatureFailure';
      why: string;
    };

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
/** "如果相差超过五分钟则必定失败": the doc's limit on clock skew. */
const MAX_SKEW_S = 300;

/** The values a header arrived with (any case of its name), in order. */
function headerValues(raw: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === name) values.push(raw[i + 1] ?? '');
  return values;
}

/**
 * Verifies the TC3 signature of `req` for `service` at `nowS` (Unix seconds), with `keyOf` giving the secret
 * key of a SecretId. Answers the error code the real service uses for each way to fail.
 */
export function verifyTc3(
  req: ReceivedRequest,
  service: string,
  keyOf: (secretId: string) => string | undefined,
  nowS: number,
): Tc3Verdict {
  const fail = (code: Exclude<Tc3Verdict, { ok: true }>['code'], why: string): Tc3Verdict => ({
    ok: false,
    code,
    why,
  });
  const authorizations = headerValues(req.rawHeaders, 'authorization');
  const parsed = authorizations.length === 1 ? AUTHORIZATION.exec(authorizations[0] ?? '') : null;
  if (!parsed) return fail('AuthFailure.InvalidAuthorization', 'no single well-formed TC3 Authorization');
  const [, secretId = '', date, scopeService, signedList = '', signature = ''] = parsed;
  const secretKey = keyOf(secretId);
  if (secretKey === undefined) return fail('AuthFailure.SecretIdNotFound', 'unknown SecretId');

  const timestamps = headerValues(req.rawHeaders, 'x-tc-timestamp');
  const timestamp =
    timestamps.length === 1 && /^\d{1,12}$/.test(timestamps[0] ?? '') ? Number(timestamps[0]) : NaN;
  if (Number.isNaN(timestamp)) return fail('AuthFailure.InvalidAuthorization', 'no single X-TC-Timestamp');
  if (Math.abs(nowS - timestamp) > MAX_SKEW_S) return fail('AuthFailure.SignatureExpire', 'timestamp skew');
  const utc = new Date(timestamp * 1000);
  const expectedDate = `${utc.getUTCFullYear()}-${String(utc.getUTCMonth() + 1).padStart(2, '0')}-${String(utc.getUTCDate()).padStart(2, '0')}`;
  if (date !== expectedDate)
    return fail('AuthFailure.SignatureFailure', 'credential date is not the UTC date');
  if (scopeService !== service)
    return fail('AuthFailure.SignatureFailure', 'credential scope names another service');

  const signed = signedList.split(';');
  const sortedUnique = signed.every((name, i) => i === 0 || (signed[i - 1] ?? '') < name);
  if (!sortedUnique || !signed.includes('content-type') || !signed.includes('host'))
    return fail('AuthFailure.SignatureFailure', 'SignedHeaders unsorted or without content-type and host');
  let canonicalHeaders = '';
  for (const name of signed) {
    const values = headerValues(req.rawHeaders, name);
    if (values.length !== 1)
      return fail('AuthFailure.SignatureFailure', `signed header ${name} not sent once`);
    canonicalHeaders += `${name}:${(values[0] ?? '').trim().toLowerCase()}\n`;
  }
  const queryAt = req.target.indexOf('?');
  const path = queryAt < 0 ? req.target : req.target.slice(0, queryAt);
  const query = queryAt < 0 ? '' : req.target.slice(queryAt + 1);
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const canonical = `${req.method}\n${path}\n${query}\n${canonicalHeaders}\n${signedList}\n${bodyHash}`;
  const scope = `${expectedDate}/${service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  let key: Buffer = Buffer.from(`TC3${secretKey}`, 'utf8');
  for (const part of [expectedDate, service, 'tc3_request'])
    key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(toSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return fail('AuthFailure.SignatureFailure', 'signature mismatch');
  return { ok: true, secretId };
}

/** How the stand-in answers the next requests. */
export type TmsBehaviour =
  /** By keyword in the decoded Content: BLOCKME → Block, REVIEWME → Review, else Pass. */
  | 'answer'
  /** Reads the request, never answers. */
  | 'silent'
  /** Destroys the connection as soon as the request has arrived. */
  | 'close'
  /** 200 with a body that is not JSON. */
  | 'malformed'
  /** 200 with Response.Error of this code; its Message quotes the checked text, as real messages may. */
  | { error: string }
  /** This HTTP status with a plain-text body. */
  | { status: number };

/** What the stand-in saw of one call. */
export interface TmsCall {
  action?: string;
  version?: string;
  region?: string;
  /** X-TC-Token, undefined when the header was not sent. */
  token?: string;
  contentType?: string;
  /** The decoded Content; undefined when missing or not Base64. */
  text?: string;
  bizType?: string;
  signatureValid: boolean;
  /** The error code the signature check gave, when it failed. */
  authFailure?: string;
  remotePort: number;
  /** Resolves when the call's connection or answer closes, true if before an answer was complete. */
  closedEarly: Promise<boolean>;
}

export interface TmsStandInOptions {
  secretId?: string;
  secretKey?: string;
  /** The product the signature's scope must name: `tms` unless a test replays another product's request. */
  service?: string;
  /** When set, calls must carry this X-TC-Token. */
  token?: string;
  /** The stand-in's clock in ms, for the 5-minute skew check. */
  now?: () => number;
}

export interface TmsStandIn {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  calls: TmsCall[];
  behaviour: TmsBehaviour;
  close(): Promise<void>;
}

export const STAND_IN_SECRET_ID = 'AKIDstandInExample0123456789';
export const STAND_IN_SECRET_KEY = 'standInSecretKeyExample0123456';
/** The doc's example message for a bad signature. */
const SIGNATURE_FAILURE =
  'The provided credentials could not be validated. Please check your signature is correct.';

export async function startTmsStandIn(options: TmsStandInOptions = {}): Promise<TmsStandIn> {
  const secretId = options.secretId ?? STAND_IN_SECRET_ID;
  const secretKey = options.secretKey ?? STAND_IN_SECRET_KEY;
  const now = options.now ?? Date.now;
  const service = options.service ?? 'tms';
  const sockets = new Set<Socket>();
  let requests = 0;
  const standIn: TmsStandIn = { url: '', calls: [], behaviour: 'answer', close: async () => undefined };

  const server = http.createServer((req, res) => {
    const closedEarly = new Promise<boolean>((resolve) =>
      res.once('close', () => resolve(!res.writableFinished)),
    );
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const check = verifyTc3(
        { method: req.method ?? '', target: req.url ?? '', rawHeaders: req.rawHeaders, body },
        service,
        (id) => (id === secretId ? secretKey : undefined),
        Math.floor(now() / 1000),
      );
      const call = record(req, body, check, closedEarly);
      standIn.calls.push(call);
      const behaviour = standIn.behaviour;
      if (behaviour === 'silent') return;
      if (behaviour === 'close') return req.socket.destroy();
      if (typeof behaviour === 'object' && 'status' in behaviour) {
        res.writeHead(behaviour.status, { 'content-type': 'text/plain' });
        return res.end('stand-in status');
      }
      if (behaviour === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"Response": {"Suggestion": "Pa');
      }
      const requestId = `00000000-0000-4000-8000-${String(++requests).padStart(12, '0')}`;
      const answer = (fields: object): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Response: { ...fields, RequestId: requestId } }));
      };
      const error = (code: string, message: string): void =>
        answer({ Error: { Code: code, Message: message } });
      if (!check.ok) return error(check.code, SIGNATURE_FAILURE);
      if (options.token !== undefined && call.token !== options.token)
        return error('AuthFailure.TokenFailure', 'Token error.');
      if (call.action !== 'TextModeration') return error('InvalidAction', 'The action does not exist.');
      if (call.version !== '2020-12-29') return error('NoSuchVersion', 'The API version does not exist.');
      if (call.text === undefined)
        return error('InvalidParameter.ErrTextContentType', 'Content must be Base64.');
      if ([...call.text].length > 10_000)
        return error('InvalidParameter.ErrTextContentLen', 'The text is too long.');
      if (typeof behaviour === 'object') return error(behaviour.error, `Stand-in error for: ${call.text}`);
      const suggestion = call.text.includes('BLOCKME')
        ? 'Block'
        : call.text.includes('REVIEWME')
          ? 'Review'
          : 'Pass';
      answer({ Suggestion: suggestion, Label: suggestion === 'Pass' ? 'Normal' : 'Abuse', Score: 99 });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return standIn;
}

function record(
  req: http.IncomingMessage,
  body: Buffer,
  check: Tc3Verdict,
  closedEarly: Promise<boolean>,
): TmsCall {
  const one = (name: string): string | undefined => headerValues(req.rawHeaders, name)[0];
  let text: string | undefined;
  let bizType: string | undefined;
  try {
    const params = JSON.parse(body.toString('utf8')) as { Content?: unknown; BizType?: unknown };
    if (typeof params.Content === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(params.Content))
      text = Buffer.from(params.Content, 'base64').toString('utf8');
    if (typeof params.BizType === 'string') bizType = params.BizType;
  } catch {
    // Not JSON: no text.
  }
  return {
    action: one('x-tc-action'),
    version: one('x-tc-version'),
    region: one('x-tc-region'),
    token: one('x-tc-token'),
    contentType: one('content-type'),
    text,
    bizType,
    signatureValid: check.ok,
    authFailure: check.ok ? undefined : check.code,
    remotePort: req.socket.remotePort ?? 0,
    closedEarly,
  };
}
