import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { KEY_SHAPE, LOG_DIR } from './helpers/log-audit';

/**
 * After the run: no log line the proxy wrote in any test, in-process or from a built zip, holds anything
 * shaped like a key (helpers/log-audit.ts). A hit fails the run, naming the file, line and event, never
 * the key itself.
 */
export default function auditLogs(): void {
  if (!existsSync(LOG_DIR)) return;
  const hits: string[] = [];
  let lines = 0;
  for (const name of readdirSync(LOG_DIR)) {
    readFileSync(path.join(LOG_DIR, name), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line === '') return;
        lines++;
        if (KEY_SHAPE.test(line))
          hits.push(`${name}:${i + 1} (${/"event":"([^"]+)"/.exec(line)?.[1] ?? 'not JSON'})`);
      });
  }
  if (hits.length > 0) {
    throw new Error(
      `log audit: ${hits.length} of ${lines} log lines hold a key-shaped string: ${hits.slice(0, 10).join(', ')}`,
    );
  }
  process.stdout.write(`log audit: ${lines} log lines from the whole run, none holds a key\n`);
}
