import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Config } from './config';
import { OxyError, sendError } from './errors';
import type { Logger } from './logger';
import type { Platform } from './platform';
import { createProxy } from './upstream/proxy';
import { VERSION } from './version';

/**
 * The request listener: platform calls, then /healthz, then everything else to the upstream. Plain
 * node:http: a web framework would add parsers and per-request setup a pure proxy never uses.
 */
export function createApp(config: Config, platform: Platform, log: Logger): RequestListener {
  const proxy = createProxy(config, platform, log);
  const health = JSON.stringify({ status: 'ok', version: VERSION, platform: platform.name });
  // Node adds a Date header to every response; some platforms refuse it (FC).
  const sendDate = !platform.forbiddenResponseHeaders?.names?.includes('date');
  const { localAnswer } = platform;

  const fail = (err: unknown, req: IncomingMessage, res: ServerResponse): void => {
    log('error', 'internal_error', { method: req.method, message: String((err as Error)?.message) });
    sendError(res, new OxyError('internal_error', 'The proxy failed to handle the request.', 500));
  };

  return (req, res) => {
    res.sendDate = sendDate;
    try {
      const answer = localAnswer?.(req);
      if (answer === 200) return void res.writeHead(200, { 'content-length': 0 }).end();
      if (answer) return sendError(res, answer);
      if (isHealthCheck(req)) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(health),
        });
        return void res.end(req.method === 'HEAD' ? undefined : health);
      }
      proxy(req, res, (err) => fail(err, req, res));
    } catch (err) {
      // A throw here would otherwise be an uncaught exception and take every stream in flight down with it.
      fail(err, req, res);
    }
  };
}

function isHealthCheck({ method, url = '' }: IncomingMessage): boolean {
  return (method === 'GET' || method === 'HEAD') && (url === '/healthz' || url.startsWith('/healthz?'));
}
