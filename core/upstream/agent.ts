import http from 'node:http';
import type { Socket } from 'node:net';
import { https } from '../lazy-modules';

/** How long an upstream socket may sit unused and still be reused. */
const IDLE_MS = 30_000;

/** The pool is scanned at most this often: against a 30 s limit, a second's slack costs nothing. */
const SCAN_EVERY_MS = 1_000;

/** When a pooled socket was last freed: a field of its own, not a WeakMap entry made on every request. */
const FREE_SINCE = Symbol('oxy.freeSince');

type Pooled = Socket & { [FREE_SINCE]?: number };

export interface UpstreamAgent {
  agent: http.Agent;
  /**
   * Destroys pooled sockets idle for IDLE_MS or more. Run before each request: the agent's own idle timer
   * cannot fire while the platform freezes the instance between invocations, and after a thaw a request can
   * pick a socket whose NAT mapping or upstream connection is long gone (a 502 or a hang).
   */
  dropStale(): void;
}

/**
 * A keep-alive agent for the upstream: http-proxy otherwise sends `Connection: close` and pays a TCP and
 * TLS handshake per request. LIFO reuses the most recently used socket, the least likely to be stale.
 */
export function upstreamAgent(target: URL, now: () => number = Date.now): UpstreamAgent {
  const options: http.AgentOptions = { keepAlive: true, scheduling: 'lifo', timeout: IDLE_MS };
  const agent = target.protocol === 'https:' ? new (https().Agent)(options) : new http.Agent(options);
  agent.on('free', (socket: Pooled) => (socket[FREE_SINCE] = now()));
  let lastScan = -Infinity;
  return {
    agent,
    dropStale() {
      const time = now();
      if (time - lastScan < SCAN_EVERY_MS) return;
      lastScan = time;
      const oldest = time - IDLE_MS;
      for (const sockets of Object.values(agent.freeSockets)) {
        for (const socket of sockets ?? [])
          if (((socket as Pooled)[FREE_SINCE] ?? Infinity) <= oldest) socket.destroy();
      }
    },
  };
}
