import http from 'node:http';
import https from 'node:https';

/**
 * A keep-alive agent for the upstream: http-proxy otherwise sends `Connection: close` and pays a TCP and
 * TLS handshake per request. LIFO reuses the most recently used (least likely stale) socket; idle sockets
 * are closed after 30 s, before typical upstream idle limits, so a reused socket is rarely a dead one.
 */
export function upstreamAgent(target: URL): http.Agent {
  const options: http.AgentOptions = { keepAlive: true, scheduling: 'lifo', timeout: 30_000 };
  return target.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}
