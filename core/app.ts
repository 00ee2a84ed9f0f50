import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Config } from './config';
import { OxyError, sendError } from './errors';
import type { Logger } from './logger';
import type { Platform } from './platform';
import { createProxy } from './proxy';
import { VERSION } from './version';

/** The express app: platform calls, then /healthz, then everything else to the upstream. */
export function createApp(config: Config, platform: Platform, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  // Node adds a Date header to every response; some platforms refuse it (FC).
  if (platform.forbiddenResponseHeaders?.names?.includes('date')) {
    app.use((_req, res, next) => {
      res.sendDate = false;
      next();
    });
  }

  const { localAnswer } = platform;
  if (localAnswer) {
    app.use((req, res, next) => {
      const answer = localAnswer(req);
      if (answer === undefined) return next();
      if (answer === 200) return void res.status(200).end();
      sendError(res, answer);
    });
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION, platform: platform.name });
  });

  app.use(createProxy(config, platform, log));

  // Anything thrown on the way gets OpenAI's error shape, not express's HTML page.
  app.use((err: unknown, req: IncomingMessage, res: ServerResponse, _next: unknown) => {
    log('error', 'internal_error', { method: req.method, message: String((err as Error)?.message) });
    sendError(res, new OxyError('internal_error', 'The proxy failed to handle the request.', 500));
  });
  return app;
}
