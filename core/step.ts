import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PoolKey } from './upstream/key-pool';
import type { Route } from './routing/route';

/** What the steps learn about one request and hand on to the ones after them. */
export interface Exchange {
  /** The upstream this request goes to (routing/route-select.ts). */
  route?: Route;
  /** Its path on that upstream: the route's base path, then the request target after the route prefix. */
  path?: string;
  /** Fingerprint of the proxy key the client presented, for logs (access/proxy-keys.ts). */
  proxyKey?: string;
  /** The pool key this request was given, if it brought no key of its own (access/pool-keys.ts). */
  poolKey?: PoolKey;
}

/**
 * One step of a request's path through oxy (core/app.ts runs them in order): true when it has answered
 * the request, which then goes no further.
 */
export type Step = (req: IncomingMessage, res: ServerResponse, ex: Exchange) => boolean;
