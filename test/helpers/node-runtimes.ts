import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Node versions the bootstraps can pick (PLATFORMS.md): SCF has node16/18/20 runtimes and adds node22/24
 * (CloudBase, which shares the mechanism, lists them); FC's custom.debian10 has nodejs18 (v18.19.0) and nodejs20
 * (v20.10.0), and nodejs22 is found on newer images. For 22 and 24 the platforms' exact releases are not
 * published: the current ones of those lines stand in. `OXY_TEST_NODE_VERSIONS` (comma-separated) overrides
 * the list; empty runs the zips on this machine's Node only.
 */
const DEFAULT_VERSIONS = '16.20.2,18.19.0,20.10.0,22.23.5,24.22.3';

const ROOT = path.resolve(__dirname, '../..');

/** Each platform's start file, as the zips ship it (scripts/bundle.ts). */
export const BOOTSTRAPS = {
  scf: path.join(ROOT, 'functions/scf/scf_bootstrap'),
  fc: path.join(ROOT, 'functions/fc/bootstrap'),
} as const;

export type PlatformName = keyof typeof BOOTSTRAPS;

/** The Node majors a bootstrap script can pick, in the order it tries them: its `/var/…/nodeNN/bin/node` paths. */
export function bootstrapMajors(script: string): number[] {
  return [...script.matchAll(/\/var\/(?:fc\/)?lang\/node(?:js)?(\d+)\/bin\/node\b/g)].map((m) =>
    Number(m[1]),
  );
}

/** Per platform, every Node major its bootstrap can pick: the end-to-end specs run the zip on each. */
export const PLATFORM_MAJORS: Record<PlatformName, number[]> = {
  scf: bootstrapMajors(readFileSync(BOOTSTRAPS.scf, 'utf8')),
  fc: bootstrapMajors(readFileSync(BOOTSTRAPS.fc, 'utf8')),
};

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
