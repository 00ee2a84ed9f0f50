import { withoutDoubleEncoding } from '../uri-decode';
import { OxyError, sendError } from '../errors';
import type { Step } from '../step';

/** Refuses request targets the upstream must never see, with 400 in OpenAI's shape. */
export const requestTarget: Step = (req, res) => {
  const refusal = requestTargetRefusal(req.url ?? '');
  if (refusal) sendError(res, refusal);
  return refusal !== undefined;
};

/**
 * Checks the request target before anything is forwarded. The upstream path is the target's base path
 * followed by the client's path and query exactly as sent (upstream/proxy.ts), so this is the one place
 * that keeps that path under the base path, whatever the upstream (or a gateway in front of it) does to
 * dot-segments, percent-encoded dots and slashes, or backslashes.
 */
export function requestTargetRefusal(url: string): OxyError | undefined {
  // Origin-form only (RFC 9112 §3.2.1): `*` and absolute-form name no resource of the upstream's.
  if (url.charCodeAt(0) !== 0x2f /* / */) {
    return refuse('invalid_request_target', 'The request target must be a path such as /v1/models.');
  }
  // A fragment is never part of a request target (RFC 9112 §3.2), and a `..#` segment is not `..` to the
  // check below while an upstream that ends the path at `#` resolves it as one.
  if (url.includes('#')) {
    return refuse('invalid_request_target', 'The request target must not hold a "#": encode it as %23.');
  }
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return escapesRoot(path) ? pathOutsideBase : undefined;
}

/** Characters without which no path can hold a dot-segment in any spelling: the common fast path. */
const MAY_CLIMB = /[.%\\]/;

/**
 * Would this path climb above `/` once an upstream resolves it? Read the way the most lenient upstream
 * would: `%2e` as `.`, `%2f` and `%5c` and `\` as `/`, `%25` decoded first (a double-decoding gateway),
 * `..;x` as `..` (servlet path parameters). Empty segments do not count as depth: a gateway that merges
 * slashes would not count them either.
 */
export function escapesRoot(path: string): boolean {
  if (!MAY_CLIMB.test(path)) return false;
  const decoded = withoutDoubleEncoding(path)
    .replace(/%2e/gi, '.')
    .replace(/%2f|%5c|\\/gi, '/');
  let depth = 0;
  for (const raw of decoded.split('/')) {
    const segment = raw.split(';', 1)[0];
    if (segment === '..') {
      if (--depth < 0) return true;
    } else if (segment !== '.' && segment !== '') depth++;
  }
  return false;
}

function refuse(code: string, message: string): OxyError {
  return new OxyError(code, message, 400, 'invalid_request_error');
}

export const pathOutsideBase = refuse(
  'path_outside_base',
  'The request path must not climb above its root with "..".',
);
