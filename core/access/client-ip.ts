import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The caller's address: from `trustedHeader` (a lower-case name) when it holds an IP address, else the
 * socket's peer. Only ever the one header named: a client-sent X-Forwarded-For, X-Real-IP or Forwarded
 * decides nothing unless the operator named it, since any client can send them.
 *
 * The trusted header should be one the platform sets and clients cannot send (SCF `x-scf-remote-addr`,
 * FC `x-fc-client-ip`). If it holds several values (repeated lines, which Node joins with ", ", or a
 * list), the last is taken: a proxy that appends rather than replaces puts its own, trustworthy entry
 * last, and anything before it came from the client.
 */
export function clientIpOf(req: IncomingMessage, trustedHeader: string | undefined): string | undefined {
  const fromHeader = trustedHeader === undefined ? undefined : trustedAddress(req, trustedHeader);
  return fromHeader ?? (req.socket.remoteAddress || undefined);
}

/** The address in the trusted header (a lower-case name), or undefined when it holds none. */
export function trustedAddress(req: IncomingMessage, trustedHeader: string): string | undefined {
  return headerAddress(req.headers[trustedHeader]);
}

/** `1.2.3.4:5678`: an IPv4 address with a port, as some proxies write it. */
const IPV4_WITH_PORT = /^([0-9.]+):[0-9]{1,5}$/;

/** The last value of a header as an IP address, or undefined if it is not one. */
function headerAddress(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value[value.length - 1] : value;
  if (!joined) return undefined;
  const last = joined.slice(joined.lastIndexOf(',') + 1).trim();
  if (isIP(last) !== 0) return last;
  // A port says nothing about who called, so `[v6]:port`, `[v6]` and `v4:port` name the same caller.
  if (last.charCodeAt(0) === 0x5b /* [ */) {
    const close = last.indexOf(']');
    const rest = last.slice(close + 1);
    const inner = last.slice(1, close);
    if (close !== -1 && (rest === '' || /^:[0-9]{1,5}$/.test(rest)) && isIP(inner) === 6) return inner;
    return undefined;
  }
  const v4 = IPV4_WITH_PORT.exec(last)?.[1];
  return v4 !== undefined && isIP(v4) === 4 ? v4 : undefined;
}
