/** Size of the deployable: the zip, its index.js, and the modules that weigh most in index.js. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';

export interface Module {
  /** npm package name, or the source file's path for the project's own code. */
  name: string;
  bytes: number;
}

export interface SizeResult {
  zipBytes: number;
  indexBytes: number;
  largest: Module[];
}

/** `node_modules/a/node_modules/@s/b/lib/x.js` → `@s/b`; project files stay as they are. */
function moduleName(input: string): string {
  const parts = input.split('node_modules/');
  if (parts.length < 2) return input;
  const rest = (parts[parts.length - 1] ?? '').split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? input);
}

export function measureSize(zipPath: string, scfDir: string, metaPath: string, top = 10): SizeResult {
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Metafile;
  const output = Object.entries(meta.outputs).find(([file]) => path.basename(file) === 'index.js')?.[1];
  if (!output) throw new Error(`${metaPath}: no index.js output`);
  const byModule = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = moduleName(input);
    byModule.set(name, (byModule.get(name) ?? 0) + bytesInOutput);
  }
  const largest = [...byModule]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
    .slice(0, top);
  return {
    zipBytes: statSync(zipPath).size,
    indexBytes: statSync(path.join(scfDir, 'index.js')).size,
    largest,
  };
}
