import type { IncomingHttpHeaders } from 'node:http';
import { OxyError, sendError } from '../errors';
import type { Step } from '../step';
import { keyMatcher, proxyKeyFingerprint } from './key-match';
import { decodedOrAsIs } from '../uri-decode';

/** Headers the SDKs put their key in: Anthropic, Gemini, Azure OpenAI (Authorization is handled apart). */
export const KEY_HEADERS = ['x-api-key', 'x-goog-api-key', 'api-key'] as const;

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const refusal = new OxyError(
  'invalid_proxy_key',
  'This proxy needs a valid proxy key: send it as "Authorization: Bearer <key>" (or x-api-key, x-goog-api-key, api-key).',
  401,
  'authentication_error',
);

const repeated = new OxyError(
  'proxy_key_repeated',
  'The proxy key was sent more than once, or in a place this proxy does not read it from: send it once, as "Authorization: Bearer <key>" (or x-api-key, x-goog-api-key, api-key).',
  400,
  'invalid_request_error',
);

/**
 * Admits only requests that present one of `keys`, in whichever header the caller's SDK uses, or as
 * `Authorization: Bearer <upstream-key>:<proxy-key>` (easychen/openai-api-proxy's form). The proxy key is
 * removed before anything goes upstream; an upstream key sent beside it is kept.
 */
export function proxyKeys(keys: readonly string[]): Step {
  const match = keyMatcher(keys);
  const fingerprints = keys.map(proxyKeyFingerprint);
  return (req, res, ex) => {
    const index = takeProxyKey(req.headers, match);
    if (index === -1) {
      // What the client sent may be a proxy key (or a guess at one) under any query name, which the log's
      // redaction by name would miss: a refused request's line shows no query.
      ex.queryHidden = true;
      sendError(res, refusal);
      return true;
    }
    if (leftAnywhere(req.headers, req.url ?? '', keys[index]!)) {
      ex.queryHidden = true;
      sendError(res, repeated);
      return true;
    }
    ex.proxyKey = fingerprints[index];
    return false;
  };
}

/**
 * Finds a proxy key among the headers, removes every header holding one, and returns the key's index
 * (-1 for none). `match` gives the index of a candidate among the proxy keys, or -1.
 */
export function takeProxyKey(headers: IncomingHttpHeaders, match: (candidate: string) => number): number {
  let found = -1;
  for (const name of KEY_HEADERS) {
    const value = headers[name];
    const index = typeof value === 'string' ? match(value.trim()) : -1;
    if (index !== -1) {
      found = index;
      headers[name] = undefined;
    }
  }
  const token = BEARER.exec(headers.authorization ?? '')?.[1];
  if (token === undefined) return found;
  const whole = match(token);
  if (whole !== -1) {
    headers.authorization = undefined;
    return whole;
  }
  const colon = token.lastIndexOf(':');
  const part = colon > 0 ? match(token.slice(colon + 1)) : -1;
  if (part !== -1) headers.authorization = `Bearer ${token.slice(0, colon)}`;
  return part !== -1 ? part : found;
}

/** OpenAI's browser form of a key in the WebSocket subprotocol list: `openai-insecure-api-key.<key>`. */
export const SUBPROTOCOL_KEY_PREFIX = 'openai-insecure-api-key.';
/** What separates a key from its neighbours in a header or a query, quotes included: a key is a whole token. */
const TOKENS = /[\s,:;=&?/"']+/;

/**
 * Is `key` (the proxy key just taken, so no secret to this client) still in a header or the query, as a
 * whole token: a second copy (`api-key: k, k`), a malformed one (`x-goog-api-key: k x`), one in a header no
 * SDK uses, `?key=k`, or the WebSocket subprotocol form offered twice? Forwarded, it would reach the upstream.
 */
export function leftAnywhere(headers: IncomingHttpHeaders, url: string, key: string): boolean {
  for (const name in headers) if (holds(headers[name], key)) return true;
  const query = url.indexOf('?');
  return query !== -1 && holds(decodedOrAsIs(url.slice(query + 1)), key);
}

function holds(value: string | string[] | undefined, key: string): boolean {
  if (value === undefined) return false;
  const text = typeof value === 'string' ? value : value.join(', ');
  if (!text.includes(key)) return false;
  return text.trim() === key || text.split(TOKENS).some((t) => t === key || isSubprotocolKey(t, key));
}

/** `openai-insecure-api-key.<key>` with the prefix in any case: however the client spelled it, it carries the key. */
function isSubprotocolKey(token: string, key: string): boolean {
  return (
    token.length === SUBPROTOCOL_KEY_PREFIX.length + key.length &&
    token.endsWith(key) &&
    token.slice(0, SUBPROTOCOL_KEY_PREFIX.length).toLowerCase() === SUBPROTOCOL_KEY_PREFIX
  );
}
