import type { IncomingMessage } from 'node:http';
import type { OxyError } from '../errors';
import type { Logger } from '../logger';
import type { Exchange } from '../step';

/** The request path without its query string, which may carry a key (`?key=` on Gemini). */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?', 1)[0] ?? '';
}

/** One error line for a request the upstream failed: what the client was told and Node's cause. */
export function logUpstreamFailure(
  log: Logger,
  req: IncomingMessage,
  ex: Exchange | undefined,
  route: string,
  failure: OxyError,
  err: unknown,
): void {
  log('error', 'upstream_failed', {
    id: ex?.id,
    method: req.method,
    path: pathOf(req),
    route: route || '/',
    proxyKey: ex?.proxyKey,
    poolKey: ex?.poolKey?.fingerprint,
    code: failure.code,
    cause: (err as { code?: unknown } | null)?.code,
  });
}

/** The upstream refuses the function's region: the answer passes unchanged, and this line says why. */
export function logRegionRefusal(log: Logger, ex: Exchange, route: string): void {
  log('warn', 'upstream_region_refused', {
    id: ex.id,
    route: route || '/',
    status: ex.upstream?.status,
    message:
      "The upstream API refuses requests from this function's region: deploy the function in a region the provider serves (README: Troubleshooting).",
  });
}
