import type { IpList } from './access/ip-list';
import type { CorsOrigins } from './access/cors';
import { configError } from './config/config-error';
import { type FileSettings, readConfigFile } from './config/config-file';
import { refuseOpenRelay, refuseUnusableModeration } from './config/refusals';
import { type ConfigVar, FILE_KEY, FILE_KEYS, SETTINGS, type Setting, type Values } from './config/settings';
import { ValueError } from './config/values';
import type { LogLevel } from './logger';
import { defaultTmsRegion } from './moderation/tencent/credentials';
import type { ModerationLevel, ModerationService } from './moderation/settings';
import type { ProviderKind } from './routing/provider-kind';
import type { RouteConfig } from './routing/route-table';

export type { ConfigVar } from './config/settings';
export { fileKey } from './config/settings';
export { moderationServices } from './config/refusals';

/**
 * Validated configuration, read once at start from the environment and, where present, a JSON config file
 * (`oxy.json` beside index.js, or `OXY_CONFIG_FILE`). A variable that is set wins over the file.
 */
export interface Config {
  /**
   * Upstream base URL; its path is prefixed to every request path (`https://host/base` + `/v1/models`
   * → `/base/v1/models`). Env `OXY_TARGET`. Default `https://api.openai.com`.
   */
  target: URL;
  /** The target's API family. Env `OXY_TARGET_KIND`. Default: from its host (`openai` for unknown hosts). */
  targetKind?: ProviderKind;
  /** Listen port on 0.0.0.0. Env `OXY_PORT`. Default 9000 (or the platform's fallback variable). */
  port: number;
  /**
   * Lower-cased header-name prefixes stripped from requests before they go upstream. Env
   * `OXY_HOP_HEADER_PREFIX`, comma-separated, case-insensitive. Default: the platform's (`X-SCF` in the
   * SCF build, `X-FC` in the FC build, none locally).
   */
  hopHeaderPrefixes: string[];
  /**
   * Shorthand for headersTimeoutMs and idleTimeoutMs together; each of those, when set, wins over it.
   * Env `OXY_UPSTREAM_TIMEOUT_MS`. Default 600000.
   */
  upstreamTimeoutMs: number;
  /** TCP and TLS connect to the upstream. Env `OXY_CONNECT_TIMEOUT_MS`. Default 10000. */
  connectTimeoutMs: number;
  /**
   * From the request sent until the upstream's response headers; a timeout is a 504. Env
   * `OXY_HEADERS_TIMEOUT_MS`. Default 600000 (10 minutes: reasoning models think for minutes first).
   */
  headersTimeoutMs: number;
  /**
   * Silence while the request body is sent or between two chunks of the answer; no cap on a stream's
   * total length. Env `OXY_IDLE_TIMEOUT_MS`. Default 600000.
   */
  idleTimeoutMs: number;
  /** A WebSocket session silent this long both ways is closed (1001). Env `OXY_WS_IDLE_TIMEOUT_MS`. Default 600000. */
  wsIdleTimeoutMs: number;
  /** After SIGTERM, how long requests and streams in flight may finish. Env `OXY_SHUTDOWN_GRACE_MS`. Default 10000. */
  shutdownGraceMs: number;
  /** `error`, `info` (one line per request) or `debug`. Env `OXY_LOG_LEVEL`. Default `info`. */
  logLevel: LogLevel;
  /**
   * Also log each exchange's model, messages and reply (they are the users' words: opt in knowingly).
   * Env `OXY_LOG_CHAT`, `true` or `false`. Default `false`.
   */
  logChat: boolean;
  /** Keys clients must present; none means the proxy is open. Env `OXY_PROXY_KEYS`. Default none. */
  proxyKeys: string[];
  /** The default target's key pool, used for requests that bring no key. Env `OXY_UPSTREAM_KEYS`. Default none. */
  upstreamKeys: string[];
  /** How long a key answered 429 without Retry-After rests. Env `OXY_KEY_REST_MS`. Default 60000. */
  keyRestMs: number;
  /** Path prefixes routed to other upstreams. Env `OXY_ROUTES` (`/claude=https://…,…`). Default none. */
  routes: RouteConfig[];
  /** Only these addresses may call. Env `OXY_IP_ALLOW` (IPs and CIDR ranges). Default: everyone. */
  ipAllow?: IpList;
  /** These addresses may not call. Env `OXY_IP_DENY`. Default: none denied. */
  ipDeny?: IpList;
  /**
   * Trusted request header carrying the caller's address. Env `OXY_CLIENT_IP_HEADER`. Default: the
   * platform's (`x-scf-remote-addr` on SCF, `x-fc-client-ip` on FC), else the socket address.
   */
  clientIpHeader?: string;
  /** Browser origins allowed by CORS. Env `OXY_CORS_ORIGINS`, `*` or a list. Default `*`. */
  corsOrigins: CorsOrigins;
  /**
   * Text moderation of prompts and streamed answers: `off`, `tencent` (Tencent Cloud TMS) or `openai` (the
   * default target's `/v1/moderations`, with a pool key). A route of the config file may set its own. Env
   * `OXY_MODERATION`. Default `off`.
   */
  moderation: ModerationService;
  /** `block` (what the service calls Block) or `review` (Review too). Env `OXY_MODERATION_LEVEL`. Default `block`. */
  moderationLevel: ModerationLevel;
  /** TMS region. Env `OXY_MODERATION_REGION`. Default: `TENCENTCLOUD_REGION` (SCF sets it), else `TENCENT_CLOUD_AP`. */
  moderationRegion?: string;
  /** TMS endpoint. Env `OXY_MODERATION_ENDPOINT`. Default `https://tms.tencentcloudapi.com`. */
  moderationEndpoint: URL;
  /** One check's time limit. Env `OXY_MODERATION_TIMEOUT_MS`. Default 5000. */
  moderationTimeoutMs: number;
  /** Let text through unchecked when the service fails (else refuse it). Env `OXY_MODERATION_FAIL_OPEN`. Default `false`. */
  moderationFailOpen: boolean;
  /**
   * The environment the configuration was read from, where Tencent credentials are read again at each check
   * (temporary role credentials expire; moderation/tencent/credentials.ts).
   */
  credentialEnv: Env;
}

/** What an entrypoint may change about how config is read. */
export interface ConfigDefaults {
  /** Values used when a variable is unset. */
  values?: Partial<Record<ConfigVar, string>>;
  /** Another environment variable read when one of ours is unset (FC: OXY_PORT ← FC_CUSTOM_LISTEN_PORT). */
  fallbacks?: Partial<Record<ConfigVar, string>>;
  /** The config file read when OXY_CONFIG_FILE is unset, if it exists (`oxy.json` beside index.js). */
  configFile?: string;
}

export type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws an OxyError naming the variable or file on bad input. */
export function loadConfig(env: Env, defaults: ConfigDefaults = {}): Config {
  refuseUnknownVariables(env);
  const file = readFile(env, defaults);
  const read = <K extends ConfigVar>(name: K): Values[K] => {
    const setting: Setting<Values[K]> = SETTINGS[name] as Setting<Values[K]>;
    const fallback = defaults.fallbacks?.[name];
    const fromEnv =
      env[name] !== undefined
        ? name
        : fallback !== undefined && env[fallback] !== undefined
          ? fallback
          : undefined;
    const key = FILE_KEY[name];
    if (fromEnv === undefined && file && file.settings[key] !== undefined) {
      return parse(
        () => `${printablePath(file.path)}: ${key}`,
        () => setting.file(file.settings[key]),
      );
    }
    const value =
      fromEnv !== undefined ? (env[fromEnv] as string) : (defaults.values?.[name] ?? setting.fallback);
    return parse(
      () => `${fromEnv ?? name}=${setting.show ? setting.show(value) : JSON.stringify(value)}`,
      () => setting.env(value),
    );
  };
  const given = (name: ConfigVar): boolean =>
    env[name] !== undefined || file?.settings[FILE_KEY[name]] !== undefined;
  const upstreamTimeoutMs = read('OXY_UPSTREAM_TIMEOUT_MS');
  const config: Config = {
    target: read('OXY_TARGET'),
    targetKind: read('OXY_TARGET_KIND'),
    port: read('OXY_PORT'),
    hopHeaderPrefixes: read('OXY_HOP_HEADER_PREFIX'),
    upstreamTimeoutMs,
    connectTimeoutMs: read('OXY_CONNECT_TIMEOUT_MS'),
    headersTimeoutMs: given('OXY_HEADERS_TIMEOUT_MS') ? read('OXY_HEADERS_TIMEOUT_MS') : upstreamTimeoutMs,
    idleTimeoutMs: given('OXY_IDLE_TIMEOUT_MS') ? read('OXY_IDLE_TIMEOUT_MS') : upstreamTimeoutMs,
    wsIdleTimeoutMs: read('OXY_WS_IDLE_TIMEOUT_MS'),
    shutdownGraceMs: read('OXY_SHUTDOWN_GRACE_MS'),
    logLevel: read('OXY_LOG_LEVEL'),
    logChat: read('OXY_LOG_CHAT'),
    proxyKeys: read('OXY_PROXY_KEYS'),
    upstreamKeys: read('OXY_UPSTREAM_KEYS'),
    keyRestMs: read('OXY_KEY_REST_MS'),
    routes: read('OXY_ROUTES'),
    ipAllow: read('OXY_IP_ALLOW'),
    ipDeny: read('OXY_IP_DENY'),
    clientIpHeader: read('OXY_CLIENT_IP_HEADER'),
    corsOrigins: read('OXY_CORS_ORIGINS'),
    moderation: read('OXY_MODERATION'),
    moderationLevel: read('OXY_MODERATION_LEVEL'),
    moderationRegion: read('OXY_MODERATION_REGION') ?? defaultTmsRegion(env),
    moderationEndpoint: read('OXY_MODERATION_ENDPOINT'),
    moderationTimeoutMs: read('OXY_MODERATION_TIMEOUT_MS'),
    moderationFailOpen: read('OXY_MODERATION_FAIL_OPEN'),
    credentialEnv: env,
  };
  refuseOpenRelay(config);
  refuseUnusableModeration(config, env);
  return config;
}

/**
 * An `OXY_` variable oxy does not know is a typo until proven otherwise, and ignoring it can leave the proxy
 * open (`OXY_PROXY_KEY` for `OXY_PROXY_KEYS`): the start stops and names it (never its value). The config
 * file refuses unknown keys the same way.
 */
function refuseUnknownVariables(env: Env): void {
  for (const name of Object.keys(env)) {
    if (!name.startsWith('OXY_') || name === 'OXY_CONFIG_FILE' || Object.hasOwn(SETTINGS, name)) continue;
    if (env[name] === undefined) continue;
    const near = Object.keys(SETTINGS).filter((known) => known.startsWith(name) || name.startsWith(known));
    throw configError(
      near.length > 0
        ? `${name} is not a setting of oxy; did you mean ${near.join(' or ')}?`
        : `${name} is not a setting of oxy; settings are ${[...Object.keys(SETTINGS), 'OXY_CONFIG_FILE'].join(', ')}`,
    );
  }
}

/** A path with its control characters escaped: a newline in it must not split the one line that stops the start. */
function printablePath(path: string): string {
  return JSON.stringify(path).slice(1, -1);
}

function readFile(env: Env, defaults: ConfigDefaults): { path: string; settings: FileSettings } | undefined {
  const named = env.OXY_CONFIG_FILE;
  if (named !== undefined && !named.startsWith('/')) {
    throw configError(
      `OXY_CONFIG_FILE=${JSON.stringify(named)}: expected an absolute path such as /opt/oxy.json`,
    );
  }
  const path = named ?? defaults.configFile;
  if (path === undefined) return undefined;
  const settings = parse(
    () => printablePath(path),
    () => readConfigFile(path, named !== undefined, FILE_KEYS),
  );
  return settings && { path, settings };
}

/**
 * Runs a parser, turning its ValueError into the one-line OxyError that stops the start. `where` (the
 * variable and its shown value) is made only for that line: showing a value costs more than parsing it,
 * and every start reads all the variables.
 */
function parse<T>(where: () => string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    // Parsers throw a ValueError saying what is expected; the IP and CORS parsers a plain Error whose
    // message names the bad entry (never a key: those go through parseKeys).
    if (err instanceof ValueError) {
      const sep = /^(is|has|must|cannot) /.test(err.message) ? ' ' : ': expected ';
      throw configError(`${where()}${err.at}${sep}${err.message}`);
    }
    if (err instanceof Error && err.constructor === Error) throw configError(`${where()}: ${err.message}`);
    throw err;
  }
}
