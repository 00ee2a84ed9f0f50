import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Aborts the upstream request when the client goes away, whether before the upstream's headers arrive
 * (http-proxy misses this on Node ≥ 15) or mid-stream, so a hung-up completion stops being generated.
 */
export function abortOnHangUp(proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void {
  if (req.socket.destroyed) {
    proxyReq.destroy();
    return;
  }
  res.once('close', () => {
    if (!res.writableFinished) proxyReq.destroy();
  });
}
