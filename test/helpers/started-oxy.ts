import { EventEmitter, once } from 'node:events';
import type http from 'node:http';
import type { Platform } from '../../core/platform';
import { type Host, start } from '../../core/start';
import { freePort } from './bootstrap';
import { closeServer, deferred } from './upstream';

/** Stands in for `process` in start(): signals are emitted by the test, exits and stderr are recorded. */
export class FakeHost extends EventEmitter implements Host {
  readonly exits: number[] = [];
  /** Resolves with the first exit code. */
  readonly exited = deferred<number>();
  stderrText = '';
  readonly stderr = {
    write: (text: string): boolean => {
      this.stderrText += text;
      return true;
    },
  };
  exit(code: number): void {
    this.exits.push(code);
    this.exited.resolve(code);
  }
}

export interface StartedOxy {
  server: http.Server;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  host: FakeHost;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * The real start(), as an entrypoint calls it, on a free port: so it listens on 0.0.0.0 like on the
 * platforms. Its process is a FakeHost, so a test can send it SIGTERM without ending jest.
 */
export async function startWithHost(
  env: Record<string, string>,
  platform: Platform = { name: 'test' },
): Promise<StartedOxy> {
  const port = await freePort();
  const host = new FakeHost();
  const logs: Record<string, unknown>[] = [];
  const server = start(
    platform,
    { OXY_PORT: String(port), ...env },
    (level, event, fields) => logs.push({ level, event, ...fields }),
    host,
  );
  if (!server) throw new Error(`start() refused the configuration: ${host.stderrText}`);
  await once(server, 'listening');
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    host,
    logs,
    close: () => (server.listening ? closeServer(server) : Promise.resolve(server.closeAllConnections())),
  };
}
