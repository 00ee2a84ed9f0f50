import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Platform } from '../../core/platform';
import { createServer } from '../../core/edge/server';
import { captureLogLine } from './log-audit';
import { closeServer } from './upstream';

export interface RunningOxy {
  url: string;
  server: http.Server;
  /** Every log line but the per-request ones, as the JSON it would have printed. */
  logs: string[];
  /** The per-request log lines (`"event":"request"`), parsed. */
  requests: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The core server, configured from `env` as at start, listening on 127.0.0.1 port 0. */
export async function startOxy(
  env: Record<string, string>,
  platform: Platform = { name: 'test' },
): Promise<RunningOxy> {
  const logs: string[] = [];
  const requests: Record<string, unknown>[] = [];
  const log: Logger = (level, event, fields) => {
    const line = JSON.stringify({ level, event, ...fields });
    captureLogLine(line);
    if (event === 'request') requests.push(JSON.parse(line) as Record<string, unknown>);
    else logs.push(line);
  };
  const server = createServer(loadConfig(env, platform.config), platform, log);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    logs,
    requests,
    close: () => closeServer(server),
  };
}
