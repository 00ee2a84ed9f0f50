import type { IncomingHttpHeaders } from 'node:http';
import { keepChunkedFraming } from '../upstream/framing';
import {
  CLIENT_IDENTITY,
  CLIENT_IDENTITY_PREFIXES,
  HOP_BY_HOP,
  copyHeaders,
  headerMatcher,
} from './header-rules';

/**
 * `Expect: 100-continue` was already answered by Node's server; passed on, it would also stop
 * http-proxy from emitting `proxyReq`, which carries our timeout and hang-up handling.
 */
const ANSWERED_HERE = ['expect'];

/** Builds the request-header filter: the headers to send upstream, from the client's. */
export function requestHeaderFilter(
  prefixes: readonly string[],
): (headers: IncomingHttpHeaders) => IncomingHttpHeaders {
  const drop = headerMatcher(
    { names: HOP_BY_HOP },
    { names: ANSWERED_HERE },
    { names: CLIENT_IDENTITY, prefixes: CLIENT_IDENTITY_PREFIXES },
    { prefixes },
  );
  return (headers) => {
    const upstream = copyHeaders(headers, drop);
    keepChunkedFraming(upstream);
    return upstream;
  };
}
