import { OxyError } from './errors';

/** Validated configuration, read from the environment once at start. */
export interface Config {
  /**
   * Upstream base URL; its path is prefixed to every request path (`https://host/base` + `/v1/models`
   * → `/base/v1/models`). Env `OXY_TARGET`. Default `https://api.openai.com`.
   */
  target: URL;
  /** Listen port on 0.0.0.0. Env `OXY_PORT`. Default 9000 (or the platform's fallback variable). */
  port: number;
  /**
   * Lower-cased header-name prefixes stripped from requests before they go upstream. Env
   * `OXY_HOP_HEADER_PREFIX`, comma-separated, case-insensitive. Default: the platform's (`X-SCF` in the
   * SCF build, `X-FC` in the FC build, none locally).
   */
  hopHeaderPrefixes: string[];
  /**
   * Milliseconds the upstream may stay silent (before its headers or between two chunks) before the
   * request fails with 504. Env `OXY_UPSTREAM_TIMEOUT_MS`. Default 600000 (10 minutes: slow reasoning
   * models answer non-streamed requests after minutes of silence).
   */
  upstreamTimeoutMs: number;
}

export type ConfigVar = 'OXY_TARGET' | 'OXY_PORT' | 'OXY_HOP_HEADER_PREFIX' | 'OXY_UPSTREAM_TIMEOUT_MS';

/** What an entrypoint may change about how config is read. */
export interface ConfigDefaults {
  /** Values used when a variable is unset. */
  values?: Partial<Record<ConfigVar, string>>;
  /** Another environment variable read when one of ours is unset (FC: OXY_PORT ← FC_CUSTOM_LISTEN_PORT). */
  fallbacks?: Partial<Record<ConfigVar, string>>;
}

type Env = Record<string, string | undefined>;

const BUILT_IN: Record<ConfigVar, string> = {
  OXY_TARGET: 'https://api.openai.com',
  OXY_PORT: '9000',
  OXY_HOP_HEADER_PREFIX: '',
  OXY_UPSTREAM_TIMEOUT_MS: '600000',
};

// RFC 9110 §5.6.2 token characters: what a header name (and so a prefix of one) may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Reads and validates the configuration; throws an OxyError naming the variable on bad input. */
export function loadConfig(env: Env, defaults: ConfigDefaults = {}): Config {
  const read = (name: ConfigVar): Setting => {
    const fallback = defaults.fallbacks?.[name];
    if (env[name] !== undefined) return { name, value: env[name] };
    if (fallback !== undefined && env[fallback] !== undefined)
      return { name: fallback, value: env[fallback] };
    return { name, value: defaults.values?.[name] ?? BUILT_IN[name] };
  };
  return {
    target: parseTarget(read('OXY_TARGET')),
    port: parseInteger(read('OXY_PORT'), 1, 65535),
    hopHeaderPrefixes: parsePrefixes(read('OXY_HOP_HEADER_PREFIX')),
    upstreamTimeoutMs: parseInteger(read('OXY_UPSTREAM_TIMEOUT_MS'), 1, 24 * 3600 * 1000),
  };
}

interface Setting {
  name: string;
  value: string;
}

function invalid({ name, value }: Setting, expected: string): OxyError {
  return new OxyError(
    'invalid_config',
    `${name}=${JSON.stringify(value)}: expected ${expected}`,
    500,
    'config_error',
  );
}

function parseTarget(s: Setting): URL {
  const expected =
    'an absolute http(s) URL such as https://api.openai.com, without credentials, query or fragment';
  let url: URL;
  try {
    url = new URL(s.value.trim());
  } catch {
    throw invalid(s, expected);
  }
  const ok = (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  if (!ok || url.search || url.hash) throw invalid(s, expected);
  // http-proxy appends the request path to the target's; a trailing slash would double it.
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

function parseInteger(s: Setting, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(s.value) ? Number(s.value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(s, `an integer from ${min} to ${max}`);
  return n;
}

function parsePrefixes(s: Setting): string[] {
  const parts = s.value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (!parts.every((p) => TOKEN.test(p))) {
    throw invalid(s, 'comma-separated header-name prefixes such as X-SCF or X-FC');
  }
  return parts.map((p) => p.toLowerCase());
}
