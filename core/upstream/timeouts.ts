import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { OxyError } from '../errors';

export interface TimeoutLimits {
  connectMs: number;
  headersMs: number;
  idleMs: number;
}

/** The limits of the request a socket carries now. */
const LIMITS = Symbol('oxy.timeoutLimits');
/** A pooled socket gets the timeout listener once, for every request it will carry. */
const WATCHED = Symbol('oxy.timeoutWatched');

type Limited = ClientRequest & { [LIMITS]?: TimeoutLimits };
type Watched = Socket & { [WATCHED]?: true; _httpMessage?: ClientRequest | null };

/**
 * Arms an upstream request's timeouts, by phase: connect (TCP and TLS, new sockets only), then silence
 * while the body is sent (idle), then the wait for the response headers (headers: reasoning models think
 * for minutes first), then silence between two chunks of the answer (idle). No cap on a stream's total
 * length. A timeout destroys the request with a 504 OxyError; before headers the client gets that 504,
 * after them the answer is broken off visibly (edge/broken-answer.ts).
 *
 * The timer is the socket's own, with one listener per pooled socket rather than the listeners that
 * ClientRequest.setTimeout adds and removes on every request. When the request is done, the agent sets the
 * socket's timeout back to its idle-pool limit (upstream/agent.ts), and a timeout of a free socket is the
 * agent's to handle.
 */
export function watchTimeouts(proxyReq: ClientRequest, limits: TimeoutLimits): void {
  const socket = proxyReq.socket as (Watched & TLSSocket) | null;
  if (!socket) return;
  (proxyReq as Limited)[LIMITS] = limits;
  if (!socket[WATCHED]) {
    socket[WATCHED] = true;
    socket.on('timeout', onSocketTimeout);
  }
  // A reused socket has this limit already (upstream/agent.ts): re-arming it would make a new timer. Its
  // countdown restarts with the request's first write, as with any activity.
  if (socket.timeout !== limits.idleMs) socket.setTimeout(limits.idleMs);
  // Equal limits (the default) need no switching; different ones switch when the request is sent, and back
  // when its answer starts.
  if (limits.headersMs !== limits.idleMs) {
    proxyReq.once('finish', () => answered(proxyReq) || socket.setTimeout(limits.headersMs));
    proxyReq.once('response', () => socket.setTimeout(limits.idleMs));
  }
  if (!socket.connecting) return;
  const timer = setTimeout(() => proxyReq.destroy(noConnection(limits.connectMs)), limits.connectMs);
  // A TLS socket is usable after its handshake, a plain one once connected.
  socket.once(socket.encrypted ? 'secureConnect' : 'connect', () => clearTimeout(timer));
  proxyReq.once('close', () => clearTimeout(timer));
}

/** ClientRequest keeps its response as `res` once the headers are in: the phase is read when the timer fires. */
function answered(proxyReq: ClientRequest): boolean {
  return (proxyReq as { res?: unknown }).res != null;
}

function onSocketTimeout(this: Watched): void {
  const proxyReq = this._httpMessage as Limited | null | undefined;
  const limits = proxyReq?.[LIMITS];
  if (!proxyReq || !limits || proxyReq.destroyed) return;
  proxyReq.destroy(whoseSilence(proxyReq, limits));
}

/**
 * Whose silence the socket's timer saw. The socket is quiet too when the client is the one stalling: a
 * client that stops reading pauses the answer (upstream/answer-relay.ts), and one that stops sending its
 * body leaves nothing to write. Those are the client's timeouts, not the upstream's (found in review: a
 * paused upload got 504 "the upstream API sent nothing").
 */
function whoseSilence(proxyReq: ClientRequest, limits: TimeoutLimits): OxyError {
  const answer = (proxyReq as { res?: IncomingMessage | null }).res;
  if (answer) return answer.isPaused() ? clientNotReading(limits.idleMs) : silent(limits.idleMs);
  if (proxyReq.writableFinished) return noAnswer(limits.headersMs);
  // The body is still being sent: either the upstream does not take it (writes wait for a drain) or the
  // client does not send it.
  return proxyReq.writableNeedDrain ? silent(limits.idleMs) : clientNotSending(limits.idleMs);
}

function clientNotSending(ms: number): OxyError {
  return new OxyError(
    'request_body_timeout',
    `The client sent nothing of the request body for ${ms} ms.`,
    408,
    'invalid_request_error',
  );
}

function clientNotReading(ms: number): OxyError {
  return new OxyError('client_read_timeout', `The client read nothing of the answer for ${ms} ms.`, 504);
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
