/**
 * Parsers for single settings, shared by the environment and the config file. Each throws a ValueError
 * saying what is expected; the caller names the variable or file key (config.ts), so a message never
 * has to repeat a secret's value.
 */
export class ValueError extends Error {
  /** Where inside the value the problem is, for nested file settings (`[0].target`). */
  constructor(
    expected: string,
    readonly at = '',
  ) {
    super(expected);
  }
}

// RFC 9110 §5.6.2 token characters: what a header name (and so a prefix of one) may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** An absolute http(s) URL without credentials, query or fragment; trailing slashes dropped from its path. */
export function parseUrl(value: string): URL {
  const expected =
    'an absolute http(s) URL such as https://api.openai.com, without credentials, query or fragment';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ValueError(expected);
  }
  const ok = (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  if (!ok || url.search || url.hash) throw new ValueError(expected);
  // The request path is appended to the target's; a trailing slash would double it.
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

/** A decimal integer in [min, max]: `0x10` and `1e3` are refused, as a typo would be. */
export function parseInteger(value: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new ValueError(`an integer from ${min} to ${max}`);
  return n;
}

/** Header-name prefixes, lower-cased. */
export function parsePrefixes(items: readonly string[]): string[] {
  if (!items.every((p) => TOKEN.test(p))) {
    throw new ValueError('comma-separated header-name prefixes such as X-SCF or X-FC');
  }
  return items.map((p) => p.toLowerCase());
}

/** One header name, lower-cased. */
export function parseHeaderName(value: string): string {
  const name = value.trim();
  if (!TOKEN.test(name)) throw new ValueError('a header name such as x-real-ip');
  return name.toLowerCase();
}

/** Keys as they travel in a header: visible ASCII, no commas, no spaces. Never echoed in a message. */
export function parseKeys(items: readonly string[]): string[] {
  if (!items.every((k) => /^[\x21-\x2b\x2d-\x7e]+$/.test(k))) {
    throw new ValueError('keys of visible ASCII characters without spaces or commas');
  }
  return [...new Set(items)];
}

/** Splits a comma-separated environment value into trimmed, non-empty items. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** `true` or `false` (any case): nothing else, so a typo does not silently mean false. */
export function parseBoolean(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v !== 'true' && v !== 'false') throw new ValueError('true or false');
  return v === 'true';
}
