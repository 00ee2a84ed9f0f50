import { Server } from 'node:http';
import { createApp } from '../app';
import { answerClientError } from './client-error';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Platform } from '../platform';

/**
 * FC keeps connections to the function open and wants a long idle timeout (≥ 15 min); Node's 5 s would
 * make it retry on closed sockets. help.aliyun.com/zh/fc/user-guide/specification-details
 */
const KEEP_ALIVE_MS = 15 * 60_000;

/** The HTTP server around the app, with the timeouts a long-lived proxy of slow APIs needs. */
export function createServer(config: Config, platform: Platform, log: Logger): Server {
  const app = createApp(config, platform, log);
  const server = new Server({ noDelay: true }, app.request);
  server.on('upgrade', app.upgrade);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  // No cap on receiving a whole request body: the platform's frontend bounds it, and a slow upload
  // should not fail at Node's default 300 s.
  server.requestTimeout = 0;
  // Every header line the parser reads lands in req.headers, not just the first 1000: the parser frames the
  // body by all of them, so a Transfer-Encoding past line 1000 would otherwise escape every check. The
  // total stays bounded by Node's 16 KiB header size limit (a larger block gets 431).
  server.maxHeadersCount = 0;
  server.on('clientError', answerClientError);
  return server;
}
