import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers keyed by lower-case name, as Node gives them. */
export type Headers = IncomingHttpHeaders | OutgoingHttpHeaders;

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1, plus `Trailer` and the `Proxy-*` pair from RFC 7230/2616):
 * they describe one connection, so a proxy must not pass them on in either direction.
 * `Transfer-Encoding` is handled apart: see `keepChunkedFraming`.
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
  return (name) => names.has(name) || prefixes.some((p) => name.startsWith(p));
}

/** Deletes every header the predicate matches. */
export function dropMatching(headers: Headers, match: (name: string) => boolean): void {
  for (const name of Object.keys(headers)) if (match(name)) delete headers[name];
}

/** Deletes the headers that `Connection` names as hop-by-hop for this connection (RFC 9110 §7.6.1). */
export function dropConnectionListed(headers: Headers): void {
  const listed = headers.connection;
  if (listed === undefined) return;
  for (const token of String(listed).split(',')) {
    const name = token.trim().toLowerCase();
    // Framing is rebuilt by Node, never dropped on a client's say-so: see keepChunkedFraming.
    if (name !== '' && name !== 'transfer-encoding') delete headers[name];
  }
}
