import type http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from './config';
import { OxyError } from './errors';
import { jsonLogger, type Logger } from './logger';
import type { Platform } from './platform';
import { createServer } from './edge/server';
import { closeAfterAnswers, failOpenAnswers } from './edge/shutdown';
import { VERSION } from './version';

/** The default of OXY_SHUTDOWN_GRACE_MS: how long a SIGTERM waits for requests in flight before exiting. */
export const DRAIN_MS = 10_000;

/** After the grace, how long the last error events and resets get to leave before the process exits. */
const LAST_WORDS_MS = 100;

/** While draining, how often connections that went idle (their answer done) are closed. */
const IDLE_SWEEP_MS = 100;

/** Both platforms reach the function on 0.0.0.0 only; 127.0.0.1 is not routed (PLATFORMS.md). */
const LISTEN_HOST = '0.0.0.0';

/** What start() uses of the process. `process` itself, except in tests, which watch a stand-in. */
export interface Host {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit(code: number): void;
  stderr: { write(text: string): unknown };
}

/**
 * Starts oxy for a platform: reads config (exit 1 with one line on a bad value), listens on 0.0.0.0,
 * drains on SIGTERM/SIGINT. Returns the server, or undefined when the configuration is refused.
 */
export function start(
  platform: Platform,
  env: NodeJS.ProcessEnv = process.env,
  log: Logger = jsonLogger,
  host: Host = process,
): http.Server | undefined {
  const fail = (line: string): void => {
    host.stderr.write(`oxy: ${line}\n`);
    host.exit(1);
  };
  let config;
  try {
    // `oxy.json` beside the running script (index.js in a zip), read when present.
    const configFile = join(dirname(resolve(process.argv[1] ?? '.')), 'oxy.json');
    config = loadConfig(env, { configFile, ...platform.config });
  } catch (err) {
    if (!(err instanceof OxyError)) throw err;
    fail(`invalid configuration: ${err.message}`);
    return undefined;
  }
  const { port, target } = config;
  const server = createServer(config, platform, log);
  server.once('error', (err: NodeJS.ErrnoException) =>
    fail(`cannot listen on ${LISTEN_HOST}:${port}: ${err.code}`),
  );
  server.listen(port, LISTEN_HOST, () => {
    log('info', 'listening', {
      platform: platform.name,
      version: VERSION,
      port,
      target: target.origin,
      routes: config.routes.map((r) => `${r.prefix}=${r.target.origin}`),
      proxyKeys: config.proxyKeys.length,
      poolKeys: config.upstreamKeys.length + config.routes.reduce((n, r) => n + r.upstreamKeys.length, 0),
    });
  });

  let exited = false;
  const exit = (): void => {
    if (!exited) host.exit(0);
    exited = true;
  };
  let stopping = false;
  const stop = (): void => {
    // Once draining, a repeated signal changes nothing (and finds oxy's listener, not Node's default, which
    // would end the process at once with every answer in flight cut short).
    if (stopping) return;
    stopping = true;
    closeAfterAnswers(server);
    // A connection whose answer was in flight goes idle when that answer ends, and the platform's frontend
    // keeps it open: without this sweep, the exit would wait for the drain limit. closeIdleConnections is
    // Node 18.2+; on Node 16 (an SCF runtime) idle keep-alive sockets just wait for the limit.
    const sweep = setInterval(() => server.closeIdleConnections?.(), IDLE_SWEEP_MS).unref();
    // At the end of the grace, what still runs fails visibly (an SSE stream gets an error event) before the exit.
    const limit = setTimeout(() => {
      const cut = failOpenAnswers();
      if (cut > 0) log('warn', 'shutdown_cut_answers', { answers: cut, graceMs: config.shutdownGraceMs });
      setTimeout(exit, cut > 0 ? LAST_WORDS_MS : 0);
    }, config.shutdownGraceMs).unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(limit);
      exit();
    });
    server.closeIdleConnections?.();
  };
  host.on('SIGTERM', stop);
  host.on('SIGINT', stop);
  return server;
}
