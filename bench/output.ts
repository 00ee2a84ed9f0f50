/** Writes report files formatted by the project's prettier config, atomically (temp file, then rename). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';

/** Temp files go here, where .gitignore expects them (bench/results/*.tmp). */
const TMP_DIR = path.join(__dirname, 'results');

export async function format(file: string, text: string): Promise<string> {
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, filepath: file });
}

export async function writeFormatted(file: string, text: string): Promise<void> {
  const formatted = await format(file, text);
  mkdirSync(path.dirname(file), { recursive: true });
  mkdirSync(TMP_DIR, { recursive: true });
  const tmp = path.join(TMP_DIR, `${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, formatted);
  renameSync(tmp, file);
}
