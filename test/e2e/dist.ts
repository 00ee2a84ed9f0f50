import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST = path.join(ROOT, 'dist');
export const VERSION: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

/** The zips `npm test` builds before jest runs (scripts/bundle.ts). */
export const ZIPS = {
  scf: { zip: path.join(DIST, `oxy-scf-v${VERSION}.zip`), bootstrap: 'scf_bootstrap' },
  fc: { zip: path.join(DIST, `oxy-fc-v${VERSION}.zip`), bootstrap: 'bootstrap' },
} as const;
