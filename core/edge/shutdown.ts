import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { OxyError, sendError } from '../errors';
import { closeAllSessions } from '../realtime/session';
import { openAnswers } from './in-flight';

const SHUTTING_DOWN = new OxyError(
  'shutting_down',
  'The proxy is shutting down and could not finish this answer; retry the request.',
  503,
);

/**
 * At the end of a shutdown's grace: every answer and WebSocket session still open fails visibly, never cut off cleanly. One
 * not started gets a 503; a started one is broken off (an SSE stream gets a final error event, then every
 * kind is reset, edge/broken-answer.ts). Returns how many there were.
 */
export function failOpenAnswers(): number {
  const open = openAnswers();
  for (const res of open) sendError(res, SHUTTING_DOWN);
  // WebSocket sessions too: both sides get a close frame (1001), then their sockets go.
  return open.length + closeAllSessions();
}

/**
 * Every answer from now on (those not yet begun, and those of requests still to come on open connections)
 * says `Connection: close`: a client that sent another request on a connection the drain is about to close
 * would meet a FIN instead of an answer.
 */
export function closeAfterAnswers(server: Server): void {
  for (const res of openAnswers()) if (!res.headersSent) res.shouldKeepAlive = false;
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
  });
}
