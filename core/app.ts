import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { clientIpOf } from './access/client-ip';
import { cors } from './access/cors';
import { ipAccess } from './access/ip-access';
import { poolKeys } from './access/pool-keys';
import { proxyKeys } from './access/proxy-keys';
import { type Config, moderationServices } from './config';
import { healthCheck } from './edge/health';
import { trackAnswer } from './edge/in-flight';
import { rememberRequest } from './edge/request-id';
import { platformCalls } from './edge/platform-calls';
import { requestTarget } from './edge/request-target';
import { OxyError, sendError } from './errors';
import { type Logger, leveled } from './logger';
import { logRequest } from './logs/request-log';
import type { Platform } from './platform';
import { upgradeListener } from './realtime/upgrade';
import { subprotocolKey, websocketOrigin } from './realtime/websocket-access';
import { websocketUpstreams } from './realtime/websocket-upstream';
import { kindOfHost } from './routing/provider-kind';
import type { Route } from './routing/route';
import { routeSelect } from './routing/route-select';
import type { RouteConfig } from './routing/route-table';
import type { Exchange, Step } from './step';
import { KeyPool } from './upstream/key-pool';
import { hangUp } from './upstream/hang-up';
import { upstreams } from './upstream/proxy';
import { nowMs, requestUuid } from './clock';

export interface App {
  request: RequestListener;
  upgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => void;
}

/**
 * The request and upgrade listeners. Each request runs these steps in this order, and the route's upstream
 * gets what none of them answered: platform calls → health → request target → CORS → IP lists → proxy keys
 * → route → pool key → prompt moderation (when the route moderates: it waits for the check) → upstream. A WebSocket upgrade runs the same steps, with its Origin checked in place
 * of CORS and the browser's subprotocol key understood. A step that is not configured is not in the list.
 * Plain node:http: a web framework would add parsers and per-request setup a pure proxy never uses.
 */
export function createApp(config: Config, platform: Platform, logAll: Logger): App {
  const log = leveled(logAll, config.logLevel);
  const upstream = upstreams(config, platform, log);
  const websocket = websocketUpstreams(config, platform, log);
  const defaultPool =
    config.upstreamKeys.length > 0 ? new KeyPool(config.upstreamKeys, config.keyRestMs) : undefined;
  const moderation = moderationFor(config, platform, defaultPool, log);
  const route = (r: RouteConfig, pool?: KeyPool): Route => {
    const basePath = r.target.pathname === '/' ? '' : r.target.pathname;
    const moderated = moderation?.(r);
    return {
      prefix: r.prefix,
      basePath,
      kind: r.kind,
      pool,
      upstream: upstream(r, pool, moderated?.answer),
      websocket: websocket(r),
      moderation: moderated,
    };
  };
  const fallback = route(
    {
      prefix: '',
      target: config.target,
      kind: config.targetKind ?? kindOfHost(config.target.hostname),
      upstreamKeys: config.upstreamKeys,
      moderation: config.moderation,
    },
    defaultPool,
  );
  const routes = config.routes.map((r) =>
    route(r, r.upstreamKeys.length > 0 ? new KeyPool(r.upstreamKeys, config.keyRestMs) : undefined),
  );
  const { ipAllow: allow, ipDeny: deny, clientIpHeader } = config;
  const locked = config.proxyKeys.length > 0;
  const access = (origin: Step, keys: Step[]): Step[] => [
    platformCalls(platform),
    healthCheck(platform),
    requestTarget,
    origin,
    ...(allow || deny ? [ipAccess({ allow, deny, clientIpHeader, log })] : []),
    ...(locked ? [...keys, proxyKeys(config.proxyKeys)] : []),
    routeSelect(routes, fallback),
    ...(fallback.pool || routes.some((r) => r.pool) ? [poolKeys] : []),
  ];
  const steps = access(cors(config.corsOrigins), []);
  const upgradeSteps = access(websocketOrigin(config.corsOrigins), [subprotocolKey(config.proxyKeys)]);
  // Node adds a Date header to every response; some platforms refuse it (FC).
  const sendDate = !platform.forbiddenResponseHeaders?.names?.includes('date');

  const { requestIdHeader } = platform;
  const exchange = (req: IncomingMessage): Exchange => {
    const platformId = requestIdHeader ? req.headers[requestIdHeader] : undefined;
    return {
      id: typeof platformId === 'string' && platformId !== '' ? platformId : requestUuid(),
      start: nowMs(),
      // The client's address is read before the platform's headers are stripped on the way upstream.
      clientIp: clientIpOf(req, clientIpHeader),
      route: undefined,
      path: undefined,
      proxyKey: undefined,
      poolKey: undefined,
      bytesIn: undefined,
      upstream: undefined,
      upstreamRequest: undefined,
    };
  };

  const fail = (req: IncomingMessage, res: ServerResponse, ex: Exchange, err: unknown): void => {
    log('error', 'internal_error', {
      id: ex.id,
      method: req.method,
      message: String((err as Error)?.message),
    });
    sendError(res, new OxyError('internal_error', 'The proxy failed to handle the request.', 500));
  };

  const request: RequestListener = (req, res) => {
    res.sendDate = sendDate;
    const ex = exchange(req);
    rememberRequest(res, ex.id, ex.start);
    trackAnswer(req, res, () => {
      hangUp(ex, res);
      logRequest(log, req, res, ex);
    });
    try {
      for (const step of steps) if (step(req, res, ex)) return;
      const { moderation: gate } = ex.route!;
      if (gate) return gate.prompt(req, res, ex, (body) => forward(req, res, ex, body));
      forward(req, res, ex);
    } catch (err) {
      // A throw here would otherwise be an uncaught exception and take every stream in flight down with it.
      fail(req, res, ex, err);
    }
  };
  // Also called once a moderated prompt has passed, outside the listener's try: so it has its own.
  const forward = (req: IncomingMessage, res: ServerResponse, ex: Exchange, body?: Buffer): void => {
    try {
      ex.route!.upstream(req, res, ex, (err) => fail(req, res, ex, err), body);
    } catch (err) {
      fail(req, res, ex, err);
    }
  };
  return { request, upgrade: upgradeListener({ steps: upgradeSteps, request, exchange, sendDate, log }) };
}

/**
 * Each route's moderation, or undefined when no route moderates: then the moderation modules are never
 * loaded. The zips ship them as moderation.js beside index.js, which this `require` names there
 * (scripts/lazy-files.ts), so an instance without moderation does not even parse them at start.
 */
function moderationFor(config: Config, platform: Platform, defaultPool: KeyPool | undefined, log: Logger) {
  const services = moderationServices(config);
  if (!services.has('tencent') && !services.has('openai')) return undefined;
  const { routeModeration } = require('./moderation/moderation') as typeof import('./moderation/moderation');
  const bodyLimit = platform.requestBodyLimit ?? 32 * 1024 * 1024;
  return routeModeration({ config, bodyLimit, defaultPool, log });
}
