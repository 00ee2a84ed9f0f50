/**
 * `npm run bench -- --profile` runs an unminified twin of the shipped index.js. Guards that the twin is built
 * as the shipped build is (index.js plus its lazy files, scripts/lazy-files.ts) and maps back to sources: when
 * moderation moved into its own file, the twin's build still took index.js's entry from the metafile, found
 * the generated `oxy-index.js` there, and the profile stopped running.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleTwin, type Twin } from '../../bench/profile';

const ROOT = path.resolve(__dirname, '../..');
// `npm test` bundles before jest runs.
const META = path.join(ROOT, 'dist', 'meta-scf.json');

describe('the profile twin of index.js', () => {
  let dir: string;
  let twin: Twin;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'oxy-twin-'));
    twin = await bundleTwin(META, dir);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the same modules as the shipped build', () => {
    expect(twin.missing).toEqual([]);
    expect(twin.extra).toEqual([]);
  });

  it('is written beside its lazy files, unminified', () => {
    expect(existsSync(path.join(dir, 'moderation.js'))).toBe(true);
    expect(readFileSync(twin.script, 'utf8')).toMatch(/\bfunction keyMatcher\(/);
  });

  it('maps a function back to its source file', () => {
    const lines = readFileSync(twin.script, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('function keyMatcher('));
    const entry = twin.map.findEntry(line, lines[line]!.indexOf('function keyMatcher(')) as {
      originalSource?: string;
    };
    expect(entry.originalSource).toMatch(/core\/access\/key-match\.ts$/);
  });
});
