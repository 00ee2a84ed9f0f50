import { type IpList, parseIpList } from '../access/ip-list';
import { parseCorsOrigins } from '../access/cors';
import { parseLogLevel } from '../logger';
import { TMS_ENDPOINT, parseModerationLevel, parseModerationService } from '../moderation/settings';
import type { ProviderKind } from '../routing/provider-kind';
import { parseEnvRoutes, parseFileRoutes, parseKind } from '../routing/route-table';
import { redactedUrl } from './redact';
import {
  ValueError,
  parseHeaderName,
  parseInteger,
  parseBoolean,
  parseKeys,
  parsePrefixes,
  parseUrl,
  splitList,
} from './values';

/** Every environment variable oxy reads (the file's keys are the same names in camelCase: fileKey). */
export type ConfigVar =
  | 'OXY_TARGET'
  | 'OXY_TARGET_KIND'
  | 'OXY_PORT'
  | 'OXY_HOP_HEADER_PREFIX'
  | 'OXY_UPSTREAM_TIMEOUT_MS'
  | 'OXY_CONNECT_TIMEOUT_MS'
  | 'OXY_HEADERS_TIMEOUT_MS'
  | 'OXY_IDLE_TIMEOUT_MS'
  | 'OXY_SHUTDOWN_GRACE_MS'
  | 'OXY_WS_IDLE_TIMEOUT_MS'
  | 'OXY_LOG_LEVEL'
  | 'OXY_LOG_CHAT'
  | 'OXY_PROXY_KEYS'
  | 'OXY_UPSTREAM_KEYS'
  | 'OXY_KEY_REST_MS'
  | 'OXY_ROUTES'
  | 'OXY_IP_ALLOW'
  | 'OXY_IP_DENY'
  | 'OXY_CLIENT_IP_HEADER'
  | 'OXY_CORS_ORIGINS'
  | 'OXY_MODERATION'
  | 'OXY_MODERATION_LEVEL'
  | 'OXY_MODERATION_REGION'
  | 'OXY_MODERATION_ENDPOINT'
  | 'OXY_MODERATION_TIMEOUT_MS'
  | 'OXY_MODERATION_FAIL_OPEN';

/** How one setting is read: from its variable's text, or from the file's JSON value. */
export interface Setting<T> {
  fallback: string;
  /** How the value appears in an error; default quoted. Keys are hidden, URL credentials masked. */
  show?: (value: string) => string;
  env: (value: string) => T;
  file: (value: unknown) => T;
}

const text = (v: unknown): string => {
  if (typeof v !== 'string') throw new ValueError('a string');
  return v;
};
const integer = (v: unknown): string => {
  if (typeof v !== 'number' && typeof v !== 'string') throw new ValueError('a number');
  return String(v);
};
const list = (v: unknown): string[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new ValueError('an array of strings');
  return v.map((x: string) => x.trim()).filter((x) => x !== '');
};
const hidden = (): string => '(hidden)';
const scalar = <T>(fallback: string, parse: (v: string) => T, show?: (v: string) => string): Setting<T> => ({
  fallback,
  show,
  env: parse,
  file: (v) => parse(typeof v === 'number' ? integer(v) : text(v)),
});
const items = <T>(fallback: string, parse: (v: string[]) => T, show?: (v: string) => string): Setting<T> => ({
  fallback,
  show,
  env: (v) => parse(splitList(v)),
  file: (v) => parse(list(v)),
});
/** A switch: `true`/`false` in the environment; in the file a JSON boolean, or the same words as text. */
const flag = (fallback: string): Setting<boolean> => ({
  ...scalar(fallback, parseBoolean),
  file: (v) => {
    if (typeof v !== 'boolean' && typeof v !== 'string') throw new ValueError('true or false');
    return parseBoolean(String(v));
  },
});
const ms = (fallback: string): Setting<number> =>
  scalar(fallback, (v) => parseInteger(v, 1, 24 * 3600 * 1000));

/**
 * A Tencent Cloud region (`ap-guangzhou`, `na-siliconvalley`), or none. It goes into a request header of every
 * check: anything else (a CR LF, say) would fail each check, and with OXY_MODERATION_FAIL_OPEN pass them all.
 */
const parseRegion = (v: string): string | undefined => {
  const region = v.trim();
  if (region === '') return undefined;
  if (!/^[a-z]+(?:-[a-z0-9]+)+$/.test(region))
    throw new ValueError('a Tencent Cloud region such as ap-guangzhou');
  return region;
};

export const SETTINGS = {
  OXY_TARGET: scalar('https://api.openai.com', parseUrl, (v) => JSON.stringify(redactedUrl(v))),
  OXY_TARGET_KIND: scalar<ProviderKind | undefined>('', (v) =>
    v.trim() === '' ? undefined : parseKind(v.trim()),
  ),
  OXY_PORT: scalar('9000', (v) => parseInteger(v, 1, 65535)),
  OXY_HOP_HEADER_PREFIX: items('', parsePrefixes),
  OXY_UPSTREAM_TIMEOUT_MS: ms('600000'),
  OXY_CONNECT_TIMEOUT_MS: ms('10000'),
  OXY_HEADERS_TIMEOUT_MS: ms('600000'),
  OXY_IDLE_TIMEOUT_MS: ms('600000'),
  OXY_WS_IDLE_TIMEOUT_MS: ms('600000'),
  OXY_SHUTDOWN_GRACE_MS: scalar('10000', (v) => parseInteger(v, 0, 3600 * 1000)),
  OXY_LOG_LEVEL: scalar('info', parseLogLevel),
  OXY_LOG_CHAT: flag('false'),
  OXY_PROXY_KEYS: items('', parseKeys, hidden),
  OXY_UPSTREAM_KEYS: items('', parseKeys, hidden),
  OXY_KEY_REST_MS: ms('60000'),
  OXY_ROUTES: {
    ...items('', parseEnvRoutes),
    file: parseFileRoutes,
    show: (v: string) => (/[@?#\uFF20\uFE6B]/.test(v) ? '(hidden: may hold credentials)' : JSON.stringify(v)),
  },
  OXY_IP_ALLOW: items<IpList | undefined>('', (v) => (v.length ? parseIpList(v.join(',')) : undefined)),
  OXY_IP_DENY: items<IpList | undefined>('', (v) => (v.length ? parseIpList(v.join(',')) : undefined)),
  OXY_CLIENT_IP_HEADER: scalar<string | undefined>('', (v) =>
    v.trim() === '' ? undefined : parseHeaderName(v),
  ),
  OXY_CORS_ORIGINS: items(
    '*',
    (v) => parseCorsOrigins(v.join(',') || '*'),
    (v) => JSON.stringify(v.split(',').map(redactedUrl).join(',')),
  ),
  OXY_MODERATION: scalar('off', parseModerationService),
  OXY_MODERATION_LEVEL: scalar('block', parseModerationLevel),
  OXY_MODERATION_REGION: scalar<string | undefined>('', parseRegion),
  OXY_MODERATION_ENDPOINT: scalar(TMS_ENDPOINT, parseUrl, (v) => JSON.stringify(redactedUrl(v))),
  OXY_MODERATION_TIMEOUT_MS: ms('5000'),
  OXY_MODERATION_FAIL_OPEN: flag('false'),
} satisfies Record<ConfigVar, Setting<unknown>>;

export type Values = { [K in ConfigVar]: ReturnType<(typeof SETTINGS)[K]['env']> };

/** The file key of a variable: its name without `OXY_`, in camelCase (`OXY_PROXY_KEYS` → `proxyKeys`). */
export function fileKey(name: ConfigVar): string {
  return name
    .slice(4)
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Each variable's file key, made once. */
export const FILE_KEY = Object.fromEntries(
  (Object.keys(SETTINGS) as ConfigVar[]).map((name) => [name, fileKey(name)]),
) as Record<ConfigVar, string>;
export const FILE_KEYS = new Set(Object.values(FILE_KEY));
