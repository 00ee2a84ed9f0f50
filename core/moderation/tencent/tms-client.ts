import type http from 'node:http';
import { upstreamAgent } from '../../upstream/agent';
import { aborted, postJson } from '../post-json';
import { checkParts, splitText } from '../text-parts';
import { ModerationFailure, type Check, type Verdict } from '../verdict';
import { tc3Authorization } from './tc3-sign';

/**
 * Tencent Cloud Text Moderation System (文本内容安全, TMS), action TextModeration, on plain node:http. The official
 * SDK (tencentcloud-sdk-nodejs-tms 4.1.293) bundles to 548 KB minified and adds ~45 ms to require(); this is 6 KB.
 * Action, version, Content and its limit: https://cloud.tencent.com/document/api/1124/51860 and
 * https://www.tencentcloud.com/document/api/1121/46072. Headers and the service name `tms`:
 * https://cloud.tencent.com/document/product/1124/100982. The answer's Response.Error and RequestId:
 * https://www.tencentcloud.com/document/api/599/33214.
 */
export const TMS_ACTION = 'TextModeration';
export const TMS_VERSION = '2020-12-29';
/** "文本长度限制:最长10,000个字符(以Unicode编码计量)": characters of the text itself, before Base64. */
export const TMS_MAX_CHARS = 10_000;
/** Signed as sent: the signing doc warns that a charset a library adds unasked breaks the signature. */
const CONTENT_TYPE = 'application/json; charset=utf-8';
const VERDICTS = new Map<unknown, Verdict>([
  ['Pass', 'pass'],
  ['Review', 'review'],
  ['Block', 'block'],
]);

export interface TmsCredentials {
  secretId: string;
  secretKey: string;
  /** The session token of temporary credentials (SCF's role), sent as X-TC-Token. */
  token?: string;
}

export interface TmsOptions {
  /** `https://tms.tencentcloudapi.com` in production; tests use a loopback `http://` stand-in. */
  endpoint: URL;
  region: string;
  /** Called for every check: SCF's role credentials come from the environment and rotate. */
  credentials: () => TmsCredentials;
  /** The whole call, from sending to the last byte of the answer. */
  timeoutMs: number;
  /** The moderation policy; the account's default when absent. */
  bizType?: string;
  /** The clock in ms, for X-TC-Timestamp. */
  now?: () => number;
}

/** A check that sends one text of at most TMS_MAX_CHARS to TMS (checkAll takes any length). */
export function tencentTextModeration(options: TmsOptions): Check {
  const { endpoint, timeoutMs, now = Date.now } = options;
  const { agent, dropStale } = upstreamAgent(endpoint);
  return async (text, signal) => {
    if (signal?.aborted) throw aborted();
    const body = JSON.stringify({
      Content: Buffer.from(text, 'utf8').toString('base64'),
      BizType: options.bizType || undefined,
    });
    let headers: http.OutgoingHttpHeaders;
    try {
      headers = signedHeaders(options, options.credentials(), body, Math.floor(now() / 1000));
    } catch {
      throw new ModerationFailure('moderation_unavailable', 'The TMS credentials could not be read.');
    }
    dropStale();
    const answer = await postJson({ url: endpoint, agent, headers, body, timeoutMs, signal, name: 'TMS' });
    return readVerdict(answer.toString('utf8'));
  };
}

/** The X-TC-* headers of https://cloud.tencent.com/document/product/1124/100982, signed. */
function signedHeaders(options: TmsOptions, credentials: TmsCredentials, body: string, timestamp: number) {
  const { endpoint } = options;
  const { secretId, secretKey, token } = credentials;
  const { authorization } = tc3Authorization({
    secretId,
    secretKey,
    service: 'tms',
    host: endpoint.host,
    action: TMS_ACTION,
    timestamp,
    payload: body,
    contentType: CONTENT_TYPE,
    path: endpoint.pathname,
  });
  const headers: http.OutgoingHttpHeaders = {
    Host: endpoint.host,
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    Authorization: authorization,
    'X-TC-Action': TMS_ACTION,
    'X-TC-Version': TMS_VERSION,
    'X-TC-Region': options.region,
    'X-TC-Timestamp': String(timestamp),
  };
  if (token) headers['X-TC-Token'] = token;
  return headers;
}

/** TMS's verdict from its answer body, or the failure the body shows. */
function readVerdict(body: string): Verdict {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw new ModerationFailure('moderation_malformed', 'The TMS answer is not JSON.');
  }
  const response = field(answer, 'Response');
  const requestId = safeId(field(response, 'RequestId'));
  const error = field(response, 'Error');
  if (error !== undefined) {
    // Only the code is kept: the service's Message may quote the request, and so the checked text.
    const serviceCode = safeId(field(error, 'Code'));
    const message = `TMS answered the error ${serviceCode ?? 'without a code'}.`;
    throw new ModerationFailure('moderation_error', message, { serviceCode, requestId });
  }
  const verdict = VERDICTS.get(field(response, 'Suggestion'));
  if (verdict) return verdict;
  throw new ModerationFailure('moderation_malformed', 'The TMS answer holds no known Suggestion.', {
    requestId,
  });
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** An error code or request id as TMS writes them; anything else is not repeated. */
function safeId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\w.-]{1,128}$/.test(value) ? value : undefined;
}

/** The parts of a text that TMS takes one per call. */
export function tmsTextParts(text: string): string[] {
  return splitText(text, TMS_MAX_CHARS);
}

/** Checks a text of any length with `check`, part by part (see checkParts): the worst verdict wins. */
export function checkAll(check: Check, text: string, signal?: AbortSignal): Promise<Verdict> {
  return checkParts(check, tmsTextParts(text), signal);
}
