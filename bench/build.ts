/**
 * Builds the SCF zip from the current code with the project's bundler, into a private folder so a build
 * or test running at the same time in dist/ cannot change the files under measurement.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..');

export interface Build {
  /** The bundler's output folder. */
  outDir: string;
  zipPath: string;
  /** The zip's unpacked staging folder: scf_bootstrap, index.js, licenses. */
  scfDir: string;
  /** esbuild metafile of the SCF bundle. */
  metaPath: string;
  /** Removes outDir if the bench created it. */
  cleanup(): void;
}

/** Runs `tsx scripts/bundle.ts --out <tmp>` (≤ 3 min), or with `existing` reads an earlier dist/. */
export async function buildScf(existing?: string): Promise<Build> {
  if (existing) return locate(existing, () => {});
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'oxy-bench-'));
  const cleanup = (): void => rmSync(outDir, { recursive: true, force: true });
  try {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    await promisify(execFile)(tsx, ['scripts/bundle.ts', '--out', outDir], { cwd: ROOT, timeout: 180_000 });
    return locate(outDir, cleanup);
  } catch (err) {
    cleanup();
    const e = err as Error & { stderr?: string };
    throw new Error(`bundle failed: ${e.stderr?.trim() || e.message}`);
  }
}

function locate(outDir: string, cleanup: () => void): Build {
  const zip = readdirSync(outDir).find((f) => /^oxy-scf-.*\.zip$/.test(f));
  const scfDir = path.join(outDir, 'scf');
  const metaPath = path.join(outDir, 'meta-scf.json');
  const missing = ['scf/scf_bootstrap', 'scf/index.js', 'meta-scf.json'].filter(
    (f) => !existsSync(path.join(outDir, f)),
  );
  if (!zip) missing.unshift('oxy-scf-*.zip');
  if (!zip || missing.length > 0) throw new Error(`${outDir}: missing ${missing.join(', ')}`);
  return { outDir, zipPath: path.join(outDir, zip), scfDir, metaPath, cleanup };
}
