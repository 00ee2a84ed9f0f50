import { loadConfig } from './config';
import { OxyError } from './errors';
import { jsonLogger, type Logger } from './logger';
import type { Platform } from './platform';
import { createServer } from './edge/server';
import { VERSION } from './version';

/** How long a SIGTERM waits for requests in flight (a stream may be mid-answer) before exiting. */
const DRAIN_MS = 10_000;

/**
 * Starts oxy for a platform: reads config (exit 1 with one line on a bad value), listens on 0.0.0.0,
 * drains on SIGTERM/SIGINT.
 */
export function start(
  platform: Platform,
  env: NodeJS.ProcessEnv = process.env,
  log: Logger = jsonLogger,
): void {
  let config;
  try {
    config = loadConfig(env, platform.config);
  } catch (err) {
    if (!(err instanceof OxyError)) throw err;
    return fail(`invalid configuration: ${err.message}`);
  }
  const { port, target } = config;
  const server = createServer(config, platform, log);
  server.once('error', (err: NodeJS.ErrnoException) => fail(`cannot listen on 0.0.0.0:${port}: ${err.code}`));
  // Both platforms reach the function on 0.0.0.0 only; 127.0.0.1 is not routed (PLATFORMS.md).
  server.listen(port, '0.0.0.0', () => {
    log('info', 'listening', { platform: platform.name, version: VERSION, port, target: target.origin });
  });

  const stop = (): void => {
    server.close(() => process.exit(0));
    // Node 18.2+; on Node 16 (an SCF runtime) idle keep-alive sockets just wait for the drain timeout.
    server.closeIdleConnections?.();
    setTimeout(() => process.exit(0), DRAIN_MS).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function fail(line: string): void {
  process.stderr.write(`oxy: ${line}\n`);
  process.exit(1);
}
