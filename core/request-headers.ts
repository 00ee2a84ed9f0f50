import type { IncomingHttpHeaders } from 'node:http';
import {
  CLIENT_IDENTITY,
  CLIENT_IDENTITY_PREFIXES,
  HOP_BY_HOP,
  dropConnectionListed,
  dropMatching,
  headerMatcher,
} from './header-rules';
import { keepChunkedFraming } from './body-framing';

/**
 * `Expect: 100-continue` was already answered by Node's server; passed on, it would also stop
 * http-proxy from emitting `proxyReq`, which carries our timeout and hang-up handling.
 */
const ANSWERED_HERE = ['expect'];

/** Builds the request-header filter: its steps run in this fixed order on `req.headers`, in place. */
export function requestHeaderFilter(prefixes: readonly string[]): (headers: IncomingHttpHeaders) => void {
  const drop = headerMatcher(
    { names: HOP_BY_HOP },
    { names: ANSWERED_HERE },
    { names: CLIENT_IDENTITY, prefixes: CLIENT_IDENTITY_PREFIXES },
    { prefixes },
  );
  return (headers) => {
    dropConnectionListed(headers);
    dropMatching(headers, drop);
    keepChunkedFraming(headers);
  };
}
