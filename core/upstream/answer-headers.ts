import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { exposeHeaders } from '../access/cors';
import { requestIdOf } from '../edge/request-id';
import { jsonNumber } from '../logs/json-text';
import { ms } from '../logs/request-log';

/**
 * The headers the client's answer goes out with: the upstream's after `filter`, a Server-Timing with oxy's
 * own time and the upstream's time to headers (`curl -v` shows what the proxy costs), and, when CORS
 * allowed this origin, the upstream headers a browser app may read.
 */
export function answerHeaders(
  proxyRes: IncomingMessage,
  res: ServerResponse,
  filter: (headers: IncomingMessage['headers']) => OutgoingHttpHeaders,
  times: { arrived: number; sent: number; answered: number },
): OutgoingHttpHeaders {
  const headers = filter(proxyRes.headers);
  const id = requestIdOf(res);
  if (id !== undefined) headers['x-oxy-request-id'] = id;
  headers['server-timing'] =
    `oxy;dur=${jsonNumber(ms(times.sent - times.arrived))}, upstream;dur=${jsonNumber(ms(times.answered - times.sent))}`;
  if (res.hasHeader('access-control-allow-origin')) {
    headers['access-control-expose-headers'] = exposeHeaders(Object.keys(proxyRes.headers));
    // writeHead's headers replace setHeader's: keep CORS's `Vary: Origin` beside the upstream's Vary.
    const vary = res.getHeader('vary');
    if (vary !== undefined && headers.vary !== undefined)
      headers.vary = `${String(headers.vary)}, ${String(vary)}`;
  }
  return headers;
}
