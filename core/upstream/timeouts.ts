import type { ClientRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { OxyError } from '../errors';

export interface TimeoutLimits {
  connectMs: number;
  headersMs: number;
  idleMs: number;
}

/**
 * Arms an upstream request's timeouts, by phase: connect (TCP and TLS, new sockets only), then silence
 * while the body is sent (idle), then the wait for the response headers (headers: reasoning models think
 * for minutes first), then silence between two chunks of the answer (idle). No cap on a stream's total
 * length. A timeout destroys the request with a 504 OxyError; before headers the client gets that 504,
 * after them the answer is broken off visibly (edge/broken-answer.ts).
 */
export function watchTimeouts(proxyReq: ClientRequest, limits: TimeoutLimits): void {
  // The phase is read when the timer fires: no listener per request for it (ClientRequest keeps its
  // response as `res` once the headers are in).
  const answered = (): boolean => (proxyReq as { res?: unknown }).res != null;
  proxyReq.setTimeout(limits.idleMs, () =>
    proxyReq.destroy(
      !answered() && proxyReq.writableFinished ? noAnswer(limits.headersMs) : silent(limits.idleMs),
    ),
  );
  // Equal limits (the default) need no switching; different ones switch when the request is sent, and back
  // when its answer starts.
  if (limits.headersMs !== limits.idleMs) {
    proxyReq.once('finish', () => answered() || proxyReq.setTimeout(limits.headersMs));
    proxyReq.once('response', () => proxyReq.setTimeout(limits.idleMs));
  }
  const socket = proxyReq.socket as TLSSocket | null;
  if (!socket?.connecting) return;
  const timer = setTimeout(() => proxyReq.destroy(noConnection(limits.connectMs)), limits.connectMs);
  // A TLS socket is usable after its handshake, a plain one once connected.
  socket.once(socket.encrypted ? 'secureConnect' : 'connect', () => clearTimeout(timer));
  proxyReq.once('close', () => clearTimeout(timer));
}

function noConnection(ms: number): OxyError {
  return new OxyError(
    'upstream_connect_timeout',
    `The upstream API did not accept a connection within ${ms} ms.`,
    504,
  );
}

function noAnswer(ms: number): OxyError {
  return new OxyError('upstream_timeout', `The upstream API sent no answer within ${ms} ms.`, 504);
}

function silent(ms: number): OxyError {
  return new OxyError('upstream_timeout', `The upstream API sent nothing for ${ms} ms.`, 504);
}
