import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { PoolKey } from './upstream/key-pool';
import type { Route } from './routing/route';
import type { JsonText } from './logs/json-text';

/**
 * What the steps learn about one request and hand on to the ones after them; the request log line is
 * made of it when the answer closes (logs/request-log.ts). Made with every field present (app.ts), so
 * each exchange has the same shape from the start and V8 never reshapes it on the way.
 */
export interface Exchange {
  /** The platform's request id, else one oxy made; returned as `x-oxy-request-id`. */
  id: string;
  /** nowMs() when the request arrived. */
  start: number;
  /** The caller's trusted address (access/client-ip.ts), read before the platform's headers are stripped. */
  clientIp?: string;
  /** The upstream this request goes to (routing/route-select.ts). */
  route?: Route;
  /** Its path on that upstream: the route's base path, then the request target after the route prefix. */
  path?: string;
  /** Fingerprint of the proxy key the client presented, for logs (access/proxy-keys.ts). */
  proxyKey?: string;
  /** Refused by the proxy-key step: the query may hold a key, so the log line leaves it out whole. */
  queryHidden?: boolean;
  /** The pool key this request was given, if it brought no key of its own (access/pool-keys.ts). */
  poolKey?: PoolKey;
  /** Bytes of request body sent upstream. */
  bytesIn?: number;
  /** What the upstream answered, for the log (upstream/proxy.ts, logs/answer-tap.ts). */
  upstream?: UpstreamAnswer;
  /** The request to the upstream in flight, aborted if the client leaves first (upstream/hang-up.ts). */
  upstreamRequest?: ClientRequest;
}

export interface UpstreamAnswer {
  status: number;
  /** ms from the request's arrival to the upstream's response headers. */
  headersMs: number;
  /** The upstream's own `x-request-id` (OpenAI's support asks for it). */
  requestId?: string;
  stream: boolean;
  bytesOut: number;
  /** Token usage the upstream reported (a JSON answer's `usage`, or the last SSE chunk's), as JSON text. */
  usage?: JsonText;
}

/**
 * One step of a request's path through oxy (core/app.ts runs them in order): true when it has answered
 * the request, which then goes no further.
 */
export type Step = (req: IncomingMessage, res: ServerResponse, ex: Exchange) => boolean;
