import path from 'node:path';

/**
 * The Node versions the platforms run (PLATFORMS.md): SCF has node16/18/20 runtimes; FC's custom.debian10
 * has nodejs18 (v18.19.0) and nodejs20 (v20.10.0). `OXY_TEST_NODE_VERSIONS` (comma-separated) overrides
 * the list; empty runs the zips on this machine's Node only.
 */
const DEFAULT_VERSIONS = '16.20.2,18.19.0,20.10.0';

export const CACHE_DIR = path.resolve(__dirname, '../../.cache/node');

export function nodeVersions(): string[] {
  return (process.env.OXY_TEST_NODE_VERSIONS ?? DEFAULT_VERSIONS)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The folder holding `node` of that version (fetched by test/e2e/global-setup.ts). */
export function nodeBinDir(version: string): string {
  return path.join(CACHE_DIR, version);
}

export interface Runtime {
  label: string;
  major: number;
  /** Put first on PATH: the bootstraps fall back to `node` on PATH when no platform path exists. */
  binDir: string;
}

/** This machine's Node plus the fetched platform versions whose major is in `majors`. */
export function runtimes(majors: number[]): Runtime[] {
  const major = (version: string): number => Number(version.split('.')[0]);
  const fetched = nodeVersions()
    .filter((v) => majors.includes(major(v)))
    .map((v) => ({ label: `node ${v}`, major: major(v), binDir: nodeBinDir(v) }));
  const here = process.versions.node;
  return [
    { label: `node ${here} (this machine)`, major: major(here), binDir: path.dirname(process.execPath) },
    ...fetched,
  ];
}
