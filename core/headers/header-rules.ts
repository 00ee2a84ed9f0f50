import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers keyed by lower-case name, as Node gives them. */
export type Headers = IncomingHttpHeaders | OutgoingHttpHeaders;

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus `Trailer` and the `Proxy-*` pair from RFC 7230/2616):
 * they describe one connection, so a proxy must not pass them on in either direction.
 * `Transfer-Encoding` is handled apart: see upstream/framing.ts.
 */
export const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
];

/** Headers that tell the upstream who the caller is or where they are. */
export const CLIENT_IDENTITY = ['forwarded', 'x-real-ip'];
export const CLIENT_IDENTITY_PREFIXES = ['x-forwarded-'];

/** A set of header names and name prefixes, all lower case. */
export interface HeaderRule {
  names?: readonly string[];
  prefixes?: readonly string[];
}

/** Turns rules into one predicate on a lower-case header name. */
export function headerMatcher(...rules: HeaderRule[]): (name: string) => boolean {
  const names = new Set(rules.flatMap((r) => r.names ?? []).map((n) => n.toLowerCase()));
  const prefixes = rules.flatMap((r) => r.prefixes ?? []).map((p) => p.toLowerCase());
  return (name) => {
    if (names.has(name)) return true;
    for (const p of prefixes) if (name.startsWith(p)) return true;
    return false;
  };
}

const NONE: readonly string[] = [];
const CONNECTION_OPTION = /^\s*(keep-alive|close)\s*$/i;

/**
 * The headers that `Connection` names as hop-by-hop for this connection (RFC 9110 §7.6.1), lower case.
 * Naming a framing header or Host changes nothing: those are never copied but rebuilt
 * (upstream/framing.ts, upstream/proxy.ts) and, in answers, framed by Node itself.
 */
export function connectionListed(connection: Headers['connection']): readonly string[] {
  // Nearly every request and response says just keep-alive or close: skip the split on the hot path.
  if (connection === undefined || CONNECTION_OPTION.test(String(connection))) return NONE;
  return String(connection)
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'keep-alive' && name !== 'close');
}

/**
 * A copy of `headers` without those `drop` matches or `Connection` lists, nor those a step has set to
 * undefined (removed a key from). Copying beats deleting in place: `delete` turns V8 objects into slow
 * dictionaries on the hot path.
 */
export function copyHeaders<T extends Headers>(headers: T, drop: (name: string) => boolean): T {
  const listed = connectionListed(headers.connection);
  const copy = {} as Record<string, unknown>;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !drop(name) && (listed.length === 0 || !listed.includes(name)))
      copy[name] = value;
  }
  return copy as T;
}
