import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Exchange } from '../step';

/**
 * Aborts the upstream request when the client goes away, whether before the upstream's headers arrive
 * (http-proxy misses this on Node ≥ 15) or mid-stream, so a hung-up completion stops being generated.
 * The request is kept on the exchange, and `hangUp` runs from the one 'close' listener every answer has
 * already (core/app.ts), rather than a listener of its own per request.
 */
export function abortOnHangUp(proxyReq: ClientRequest, req: IncomingMessage, ex: Exchange): void {
  if (req.socket.destroyed) proxyReq.destroy();
  else ex.upstreamRequest = proxyReq;
}

/** Called when the client's answer closes: an answer not delivered in full means the client left. */
export function hangUp(ex: Exchange, res: ServerResponse): void {
  const proxyReq = ex.upstreamRequest;
  if (proxyReq !== undefined && !res.writableFinished) proxyReq.destroy();
}
