import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { OxyError, sendError } from '../errors';
import { stampOwnAnswer } from '../edge/request-id';
import { redactedUrl } from '../config/redact';
import type { Step } from '../step';

/** `OXY_CORS_ORIGINS`: every origin, or these (lower-case `scheme://host[:port]`). */
export type CorsOrigins = '*' | ReadonlySet<string>;

const EXPECTED_ORIGIN =
  'is not an origin such as https://app.example.com or http://localhost:3000 ' +
  '(scheme://host[:port], without path, query or credentials)';

/** `scheme://authority` with an optional trailing slash, and nothing in the authority but a host and port. */
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s\\]+\/?$/i;

/**
 * Parses `*` or comma-separated origins. Each is validated by the WHATWG URL parser and stored as browsers
 * send it in `Origin`: lower-case, default port dropped, IDN hosts in punycode. Throws, naming the entry,
 * for anything else, including `null` (any page can send `Origin: null` from a sandboxed frame, so
 * allowing it would allow every site) and wildcards such as `https://*.example.com` (the URL parser
 * accepts `*` in a host, browsers never send it).
 */
export function parseCorsOrigins(value: string): CorsOrigins {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 1 && entries[0] === '*') return '*';
  if (entries.length === 0)
    throw new Error('no origin given: expected * or origins such as https://app.example.com');
  return new Set(entries.map(parseOrigin));
}

function parseOrigin(entry: string): string {
  // An origin has no user or password; one typed there must not reach the logs.
  const quoted = JSON.stringify(redactedUrl(entry));
  if (entry === '*')
    throw new Error(`"*" allows every origin, so it must be the whole value, not one of a list`);
  if (entry.toLowerCase() === 'null') {
    throw new Error(`"null" is not allowed: any site can send it from a sandboxed frame`);
  }
  if (entry.includes('*')) throw new Error(`${quoted} ${EXPECTED_ORIGIN}; wildcards are not supported`);
  if (!ORIGIN_SHAPE.test(entry)) throw new Error(`${quoted} ${EXPECTED_ORIGIN}`);
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error(`${quoted} ${EXPECTED_ORIGIN}`);
  }
  // file: pages send `Origin: null`; an empty host is no origin at all.
  if (url.host === '' || url.protocol === 'file:') throw new Error(`${quoted} ${EXPECTED_ORIGIN}`);
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** Methods a preflight may ask for: every one an OpenAI-style API uses. */
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD';

/** How long a browser may reuse a preflight answer, in seconds (Chromium caps it at 7200, Firefox at 86400). */
const MAX_AGE = '600';

/** Response headers browser clients read (SDKs read request ids, rate limits and retry hints). */
export const EXPOSED_HEADER_PATTERN =
  /^(?:x-request-id|request-id|retry-after|retry-after-ms|server-timing|(?:openai|x-ratelimit|anthropic|x-oxy)-[!#$%&'*+.^_`|~0-9a-z-]+)$/i;

/**
 * Exposed on every answer to an allowed origin, oxy's own errors included: the names of the pattern that
 * OpenAI and oxy send. Kept short: SCF allows 4 KB of response headers in all.
 */
export const EXPOSED_HEADERS: readonly string[] = [
  'x-request-id',
  'request-id',
  'openai-organization',
  'openai-project',
  'openai-processing-ms',
  'openai-version',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'retry-after',
  'retry-after-ms',
  'server-timing',
];
const EXPOSED_SET: ReadonlySet<string> = new Set(EXPOSED_HEADERS);
const EXPOSED_VALUE = EXPOSED_HEADERS.join(', ');

/**
 * The `Access-Control-Expose-Headers` value for an answer carrying headers `names`: the static names plus
 * every name that matches EXPOSED_HEADER_PATTERN (e.g. Anthropic's `anthropic-ratelimit-*`), lower-case,
 * each once. Never `*`: browsers ignore it on credentialed requests, and the names are known.
 */
export function exposeHeaders(names: Iterable<string>): string {
  let extra: string[] | undefined;
  for (const name of names) {
    if (!EXPOSED_HEADER_PATTERN.test(name)) continue;
    const lower = name.toLowerCase();
    if (EXPOSED_SET.has(lower) || extra?.includes(lower)) continue;
    (extra ??= []).push(lower);
  }
  return extra ? `${EXPOSED_VALUE}, ${extra.join(', ')}` : EXPOSED_VALUE;
}

/** `Access-Control-*` response headers: an upstream's own are dropped so that oxy's settings decide. */
export function isCorsResponseHeader(name: string): boolean {
  return /^access-control-/i.test(name);
}

const ORIGIN_REFUSAL = new OxyError(
  'origin_not_allowed',
  'Requests from this origin are not allowed.',
  403,
  'permission_error',
);

/** A comma-separated list of header names (RFC 9110 tokens), as `Access-Control-Request-Headers` holds. */
const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9a-z-]+(?:[\t ]*,[\t ]*[!#$%&'*+.^_`|~0-9a-z-]+)*$/i;

/**
 * CORS for browser apps. Requests without `Origin` (server SDKs, curl) pass untouched after one header
 * lookup. A preflight is answered here (204, or 403 for an origin not allowed) and never forwarded or
 * checked for a key: browsers send no credentials with it. Any other request from an allowed origin gets
 * its CORS headers set now, so they ride on whatever answers it (upstream's or oxy's own error, which
 * `writeHead` merges with these), and continues. One from an origin not allowed continues without them:
 * the browser then hides the answer, and the request still has to pass every later check.
 */
export function cors(origins: CorsOrigins): Step {
  const listed = origins === '*' ? undefined : origins;
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    // Browsers compare Allow-Origin with the Origin they sent byte for byte, so a listed origin is echoed
    // as sent (it matched a validated entry, so it holds nothing but URL characters).
    let allowOrigin: string | undefined = '*';
    if (listed) allowOrigin = listed.has(origin.toLowerCase()) ? origin : undefined;

    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (allowOrigin === undefined) sendError(res, ORIGIN_REFUSAL);
      else answerPreflight(req, res, allowOrigin, listed !== undefined);
      return true;
    }

    if (allowOrigin !== undefined) {
      res.setHeader('access-control-allow-origin', allowOrigin);
      if (listed) res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', EXPOSED_VALUE);
    }
    return false;
  };
}

function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  allowOrigin: string,
  echoed: boolean,
): void {
  const headers: OutgoingHttpHeaders = {
    'access-control-allow-origin': allowOrigin,
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-max-age': MAX_AGE,
    // RFC 9110 has no body length on a 204, but Safari has been seen waiting for one without it
    // (expressjs/cors sends it for the same reason).
    'content-length': 0,
  };
  // An echoed origin makes the answer differ by Origin, which caches must know.
  if (echoed) headers.vary = 'Origin';
  // Echoing the names the browser asks for allows `authorization`, which a `*` would not cover.
  const names = req.headers['access-control-request-headers']?.trim();
  if (names && TOKEN_LIST.test(names)) headers['access-control-allow-headers'] = names;
  stampOwnAnswer(res);
  res.writeHead(204, headers).end();
}
