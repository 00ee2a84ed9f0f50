import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Config } from './config';
import { trackAnswer } from './edge/in-flight';
import { healthCheck } from './edge/health';
import { platformCalls } from './edge/platform-calls';
import { requestTarget } from './edge/request-target';
import { OxyError, sendError } from './errors';
import type { Logger } from './logger';
import type { Platform } from './platform';
import type { Step } from './step';
import { createProxy } from './upstream/proxy';

/**
 * The request listener: each request runs these steps in this order, and what none of them answers goes
 * to the upstream. Plain node:http: a web framework would add parsers and per-request setup a pure proxy
 * never uses.
 */
export function createApp(config: Config, platform: Platform, log: Logger): RequestListener {
  const steps: Step[] = [platformCalls(platform), healthCheck(platform), requestTarget];
  const proxy = createProxy(config, platform, log);
  // Node adds a Date header to every response; some platforms refuse it (FC).
  const sendDate = !platform.forbiddenResponseHeaders?.names?.includes('date');

  const fail = (err: unknown, req: IncomingMessage, res: ServerResponse): void => {
    log('error', 'internal_error', { method: req.method, message: String((err as Error)?.message) });
    sendError(res, new OxyError('internal_error', 'The proxy failed to handle the request.', 500));
  };

  return (req, res) => {
    res.sendDate = sendDate;
    trackAnswer(req, res);
    try {
      for (const step of steps) if (step(req, res)) return;
      proxy(req, res, (err) => fail(err, req, res));
    } catch (err) {
      // A throw here would otherwise be an uncaught exception and take every stream in flight down with it.
      fail(err, req, res);
    }
  };
}
