import { rmSync } from 'node:fs';
import fetchPlatformNodes from './e2e/global-setup';
import { LOG_DIR } from './helpers/log-audit';

/** Before the run: the Node builds the e2e specs need, and an empty log capture (helpers/log-audit.ts). */
export default function globalSetup(): void {
  rmSync(LOG_DIR, { recursive: true, force: true });
  fetchPlatformNodes();
}
