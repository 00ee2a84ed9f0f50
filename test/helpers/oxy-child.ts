/**
 * The core server in a process of its own, run by oxy-process.ts: for tests that need a setting Node reads
 * only when a process starts (NODE_EXTRA_CA_CERTS). Configured from its environment like the real entry,
 * but on 127.0.0.1 port 0; prints `{"event":"ready","port":N}`, then its log lines, on stdout.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../core/config';
import { createServer } from '../../core/edge/server';
import type { Logger } from '../../core/logger';
import type { Platform } from '../../core/platform';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';

const PLATFORMS: Record<string, Platform> = { scf: scfPlatform, fc: fcPlatform, test: { name: 'test' } };
const platform = PLATFORMS[process.argv[2] ?? 'test'];
if (!platform) throw new Error(`unknown platform ${process.argv[2]}`);

const print = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n');
const log: Logger = (level, event, fields) => print({ level, event, ...fields });
const server = createServer(loadConfig(process.env, platform.config), platform, log);
server.listen(0, '127.0.0.1', () => print({ event: 'ready', port: (server.address() as AddressInfo).port }));
// The parent's stopChild sends SIGTERM: close at once, nothing here to drain.
process.once('SIGTERM', () => process.exit(0));
