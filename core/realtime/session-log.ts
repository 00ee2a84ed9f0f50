import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger';
import { loggedPath, ms } from '../logs/request-log';
import type { Exchange } from '../step';
import type { SessionEnd } from './session';
import { nowMs } from '../clock';

/**
 * One JSON line per WebSocket upgrade, written when the session (or its refusal) ends: request id, path,
 * route, status, duration, frames and bytes each way, the close code and who ended it. Never a frame's
 * content or a key.
 */
export function logSession(
  log: Logger,
  req: IncomingMessage,
  ex: Exchange,
  status: number,
  end: SessionEnd | undefined,
  clientIp: string | undefined,
): void {
  log('info', 'websocket', {
    id: ex.id,
    path: loggedPath(req.url ?? '', ex),
    route: ex.route ? ex.route.prefix || '/' : undefined,
    status,
    durationMs: ms(nowMs() - ex.start),
    framesIn: end?.fromClient.frames,
    bytesIn: end?.fromClient.bytes,
    framesOut: end?.fromUpstream.frames,
    bytesOut: end?.fromUpstream.bytes,
    closeCode: end?.closeCode,
    endedBy: end?.endedBy,
    clientIp,
    proxyKey: ex.proxyKey,
    poolKey: ex.poolKey?.fingerprint,
  });
}
