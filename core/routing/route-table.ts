import { ValueError, parseKeys, parseUrl } from '../config/values';
import { type ModerationService, parseModerationService } from '../moderation/settings';
import { PROVIDER_KINDS, type ProviderKind, kindOfHost } from './provider-kind';

/** One upstream the proxy can reach: the default target (prefix '') or a route of OXY_ROUTES. */
export interface RouteConfig {
  /** Whole path segments (`/claude`), stripped before forwarding; '' for the default target. */
  prefix: string;
  target: URL;
  kind: ProviderKind;
  /** This upstream's own key pool; empty when clients bring their keys. */
  upstreamKeys: string[];
  /** This route's moderation service (config file only); OXY_MODERATION's when unset. */
  moderation?: ModerationService;
}

/** Stage prefixes pasted from retired API Gateway URLs; stripped, so never usable as route prefixes. */
export const STAGE_PREFIXES = ['/release', '/test', '/prepub'];

const PREFIX = /^(\/[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*)+$/;

/** A route prefix: one or more whole segments, no trailing slash, no dot-segments, not a stage prefix. */
export function parsePrefix(value: string): string {
  const prefix = value.trim();
  if (!PREFIX.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new ValueError('a route prefix of whole path segments such as /claude or /gemini/v1');
  }
  if (STAGE_PREFIXES.includes(prefix.toLowerCase())) {
    throw new ValueError(`a route prefix other than the stage prefixes ${STAGE_PREFIXES.join(', ')}`);
  }
  return prefix;
}

export function parseKind(value: string): ProviderKind {
  if (!(PROVIDER_KINDS as readonly string[]).includes(value)) {
    throw new ValueError(`one of ${PROVIDER_KINDS.join(', ')}`);
  }
  return value as ProviderKind;
}

/** `OXY_ROUTES` items: `PREFIX=URL`. */
export function parseEnvRoutes(items: readonly string[]): RouteConfig[] {
  return checkUnique(
    items.map((item) => {
      const eq = item.indexOf('=');
      if (eq === -1)
        throw new ValueError('comma-separated PREFIX=URL pairs such as /claude=https://api.anthropic.com');
      const target = parseUrl(item.slice(eq + 1));
      return {
        prefix: parsePrefix(item.slice(0, eq)),
        target,
        kind: kindOfHost(target.hostname),
        upstreamKeys: [],
      };
    }),
  );
}

const ROUTE_KEYS = new Set(['prefix', 'target', 'kind', 'upstreamKeys', 'moderation']);

/** The config file's `routes`: `[{ "prefix", "target", "kind"?, "upstreamKeys"?, "moderation"? }]`. */
export function parseFileRoutes(value: unknown): RouteConfig[] {
  const shape = 'an array of {"prefix", "target", "kind"?, "upstreamKeys"?, "moderation"?} objects';
  if (!Array.isArray(value)) throw new ValueError(shape);
  return checkUnique(
    value.map((r: unknown, i) => {
      const at = `[${i}]`;
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new ValueError(shape, at);
      const o = r as Record<string, unknown>;
      if (Object.keys(o).some((k) => !ROUTE_KEYS.has(k))) throw new ValueError(shape, at);
      const field = <T>(key: string, parse: (v: string) => T): T => {
        if (typeof o[key] !== 'string') throw new ValueError('a string', `${at}.${key}`);
        try {
          return parse(o[key]);
        } catch (err) {
          throw new ValueError((err as Error).message, `${at}.${key}`);
        }
      };
      const target = field('target', parseUrl);
      const keys = o.upstreamKeys ?? [];
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
        throw new ValueError('an array of strings', `${at}.upstreamKeys`);
      }
      return {
        prefix: field('prefix', parsePrefix),
        target,
        kind: o.kind === undefined ? kindOfHost(target.hostname) : field('kind', parseKind),
        upstreamKeys: parseKeys(keys as string[]),
        ...(o.moderation === undefined ? {} : { moderation: field('moderation', parseModerationService) }),
      };
    }),
  );
}

function checkUnique(routes: RouteConfig[]): RouteConfig[] {
  const seen = new Set<string>();
  for (const { prefix } of routes) {
    if (seen.has(prefix.toLowerCase()))
      throw new ValueError(`each route prefix once; ${prefix} is given twice`);
    seen.add(prefix.toLowerCase());
  }
  return routes;
}
