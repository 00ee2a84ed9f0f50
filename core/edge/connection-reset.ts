import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Ends a response that cannot be completed with a TCP RST rather than a FIN, so no client (an HTTP/1.0
 * one, or any reader of a body without length) can mistake the cut-off answer for a complete one.
 * `resetAndDestroy` exists since Node 16.17 and 18.3; it throws for a socket that is not TCP.
 */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket as (Socket & { resetAndDestroy?: () => void }) | null;
  try {
    if (socket?.resetAndDestroy && !socket.destroyed) return void socket.resetAndDestroy();
  } catch {
    // Not a TCP socket: a plain destroy is the best left.
  }
  res.destroy();
}
