import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Every log line the proxy writes during the test run, in-process or from a started zip, lands in
 * .cache/test-logs/ as well; test/log-audit-teardown.ts reads them all after the run and fails it if any
 * holds something shaped like a key. One file per jest worker.
 */
export const LOG_DIR = path.resolve(__dirname, '../../.cache/test-logs');

/** What a key looks like in this suite's tests: every test key starts with sk- or pk- (OpenAI's style). */
export const KEY_SHAPE = /\b(?:sk|pk)-[A-Za-z0-9_-]{3,}/;

export function captureLogLine(text: string): void {
  // Made again on every line: a run started beside this one empties the folder at its start.
  mkdirSync(LOG_DIR, { recursive: true });
  appendFileSync(path.join(LOG_DIR, `worker-${process.pid}.log`), text.endsWith('\n') ? text : `${text}\n`);
}
