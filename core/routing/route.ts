import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteModeration } from '../moderation/moderation';
import type { WebSocketUpstream } from '../realtime/websocket-upstream';
import type { Exchange } from '../step';
import type { KeyPool } from '../upstream/key-pool';
import type { ProviderKind } from './provider-kind';

/** Sends a request on to an upstream and streams its answer back (upstream/proxy.ts). */
export type Upstream = (
  req: IncomingMessage,
  res: ServerResponse,
  ex: Exchange,
  /** Called with an error http-proxy-middleware threw instead of sending the request. */
  fail: (err: unknown) => void,
  /** The request body, when a step has read it already (moderation/prompt-gate.ts). */
  body?: Buffer,
) => void;

/** An upstream as the request path uses it: where it is, how keys travel to it, its pool. */
export interface Route {
  /** Whole path segments stripped before forwarding; '' for the default target. */
  prefix: string;
  /** The target's path, prefixed to every forwarded path ('' for `/`). */
  basePath: string;
  kind: ProviderKind;
  pool?: KeyPool;
  upstream: Upstream;
  /** The same upstream for WebSocket upgrades (realtime/websocket-upstream.ts). */
  websocket: WebSocketUpstream;
  /** Text moderation of prompts and streamed answers, when configured (moderation/moderation.ts). */
  moderation?: RouteModeration;
}
