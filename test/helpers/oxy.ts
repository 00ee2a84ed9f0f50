import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Platform } from '../../core/platform';
import { createServer } from '../../core/edge/server';
import { closeServer } from './upstream';

export interface RunningOxy {
  url: string;
  server: http.Server;
  /** Every log line, as the JSON it would have printed. */
  logs: string[];
  close(): Promise<void>;
}

/** The core server, configured from `env` as at start, listening on 127.0.0.1 port 0. */
export async function startOxy(
  env: Record<string, string>,
  platform: Platform = { name: 'test' },
): Promise<RunningOxy> {
  const logs: string[] = [];
  const log: Logger = (level, event, fields) => logs.push(JSON.stringify({ level, event, ...fields }));
  const server = createServer(loadConfig(env, platform.config), platform, log);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    logs,
    close: () => closeServer(server),
  };
}
