import { Agent, type AgentOptions, type IncomingHttpHeaders } from 'node:http';
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
  agent: Agent;
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
 *
 * No `timeout` option: with one, Node adds and removes a 'timeout' listener on every request and re-arms
 * the socket's timer twice (the request's limit, then the pool's). A socket keeps the timer its last request
 * left (upstream/timeouts.ts), which Node's agent turns into closing it when it fires while pooled; pooled
 * sockets idle for IDLE_MS are closed by a sweep instead, and never reused after that (dropStale).
 */
export function upstreamAgent(
  target: URL,
  now: () => number = Date.now,
  /** How often idle pooled sockets are swept (tests shorten it). */
  sweepMs: number = IDLE_MS,
): UpstreamAgent {
  const options: AgentOptions = { keepAlive: true, scheduling: 'lifo' };
  const agent = target.protocol === 'https:' ? new (https().Agent)(options) : new Agent(options);
  let lastScan = -Infinity;
  let sweep: NodeJS.Timeout | undefined;
  const dropStale = (): void => {
    const time = now();
    if (time - lastScan < SCAN_EVERY_MS) return;
    lastScan = time;
    const oldest = time - IDLE_MS;
    for (const sockets of Object.values(agent.freeSockets)) {
      for (const socket of sockets ?? [])
        if (((socket as Pooled)[FREE_SINCE] ?? Infinity) <= oldest) socket.destroy();
    }
  };
  // Node's agent calls this, its documented hook, for every socket a finished request frees: the one place
  // where a socket enters the pool, so no 'free' listener of oxy's runs beside it.
  agent.keepSocketAlive = (socket: Pooled): boolean => {
    if (!keepSocketAlive(agent, socket)) return false;
    socket[FREE_SINCE] = now();
    // One timer for the pool, made when it first holds a socket; unref'd, it never keeps the process up.
    sweep ??= setInterval(dropStale, sweepMs).unref();
    return true;
  };
  return { agent, dropStale };
}

/**
 * Node's `keepSocketAlive`, without re-arming the socket's timer on every request: only a server's
 * `Keep-Alive: timeout=N` hint shortens it, a second early, so the socket is not reused just as the server
 * closes it (the race Node's own agent avoids the same way). False: the hint leaves no time to reuse it.
 */
function keepSocketAlive(agent: Agent, socket: Socket): boolean {
  socket.setKeepAlive(true, (agent as { keepAliveMsecs?: number }).keepAliveMsecs);
  socket.unref();
  const hint = (socket as Answered)._httpMessage?.res?.headers['keep-alive'];
  if (typeof hint !== 'string') return true;
  const seconds = /^timeout=(\d+)/.exec(hint)?.[1];
  if (seconds === undefined) return true;
  const ms = Number(seconds) * 1000 - 1000;
  if (ms <= 0) return false;
  if (!socket.timeout || ms < socket.timeout) socket.setTimeout(ms);
  return true;
}

type Answered = Socket & { _httpMessage?: { res?: { headers: IncomingHttpHeaders } } | null };
