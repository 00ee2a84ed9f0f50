import type { IncomingHttpHeaders } from 'node:http';
import {
  CLIENT_IDENTITY,
  CLIENT_IDENTITY_PREFIXES,
  HOP_BY_HOP,
  copyHeaders,
  headerMatcher,
} from './header-rules';

/**
 * `Expect: 100-continue` was already answered by Node's server; passed on, it would also stop
 * http-proxy from emitting `proxyReq`, which carries our framing, timeout and hang-up handling.
 */
const ANSWERED_HERE = ['expect'];

/**
 * Decide where and how the request goes: never taken from the client, always rebuilt for the upstream
 * (framing by upstream/framing.ts, Host from the target by upstream/proxy.ts).
 */
const REBUILT = ['content-length', 'transfer-encoding', 'host'];

/** Builds the request-header filter: the headers to send upstream, from the client's. */
export function requestHeaderFilter(
  prefixes: readonly string[],
): (headers: IncomingHttpHeaders) => IncomingHttpHeaders {
  const drop = headerMatcher(
    { names: HOP_BY_HOP },
    { names: ANSWERED_HERE },
    { names: REBUILT },
    { names: CLIENT_IDENTITY, prefixes: CLIENT_IDENTITY_PREFIXES },
    { prefixes },
  );
  return (headers) => copyHeaders(headers, drop);
}
