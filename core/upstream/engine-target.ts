/** The target as http-proxy reads it (the fields of a legacy `url.parse` result it uses). */
export interface EngineTarget {
  protocol: string;
  host: string;
  hostname: string;
  port: string;
  path: string;
}

/**
 * The target parsed once, at start. Given a string, http-proxy runs the legacy `url.parse` (and its
 * punycode pass) on it again for every request. `hostname` loses an IPv6 address's brackets, as
 * `url.parse` drops them, so that http.request can connect to it.
 */
export function engineTarget(url: URL): EngineTarget {
  return {
    protocol: url.protocol,
    host: url.host,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port,
    path: url.pathname + url.search,
  };
}
