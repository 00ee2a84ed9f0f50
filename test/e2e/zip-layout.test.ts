import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readZip } from '../helpers/zip';
import { DIST, ROOT, VERSION, ZIPS } from './dist';

describe.each(Object.entries(ZIPS))('the %s zip', (name, { zip, bootstrap }) => {
  it("has the provider's web-function layout, with the bootstrap executable, LF-only, #!/bin/bash", async () => {
    const entries = await readZip(zip);
    const modes = Object.fromEntries(entries.map((e) => [e.name, e.mode.toString(8)]));
    expect(modes).toEqual({
      [bootstrap]: '755',
      'index.js': '644',
      'moderation.js': '644',
      LICENSE: '644',
      THIRD_PARTY_LICENSES: '644',
    });
    const script = entries.find((e) => e.name === bootstrap)!.data.toString();
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).not.toContain('\r');
  });

  it('matches its unpacked staging folder, modes included', async () => {
    for (const entry of await readZip(zip)) {
      const file = path.join(DIST, name, entry.name);
      expect(readFileSync(file).equals(entry.data)).toBe(true);
      expect((statSync(file).mode & 0o777).toString(8)).toBe(entry.mode.toString(8));
    }
  });

  it('is listed in SHA256SUMS with its digest', () => {
    const sum = createHash('sha256').update(readFileSync(zip)).digest('hex');
    expect(readFileSync(path.join(DIST, 'SHA256SUMS'), 'utf8')).toContain(
      `${sum}  oxy-${name}-v${VERSION}.zip\n`,
    );
  });

  // Every cold start pays for what is loaded here: tty, os, assert, zlib, … were once pulled in by
  // dependencies' unused code paths (scripts/stubs/). v8 and vm expose the GC for large bodies (buffer-release.ts).
  // crypto, fs, net, path and stream cost nothing more: loading https has loaded them already.
  const NODE_MODULES = ['crypto', 'fs', 'http', 'https', 'net', 'path', 'stream', 'url', 'util', 'v8', 'vm'];

  it('bundles into index.js and loads only the Node modules a proxy needs, moderation.js on demand', async () => {
    const required = requiresOf(await scriptOf(zip, 'index.js'));
    // moderation.js: required by core/app.ts only when a route moderates (scripts/lazy-files.ts).
    expect(required).toEqual(['./moderation.js', ...NODE_MODULES].sort());
    const loadedByHttps = execFileSync(process.execPath, [
      '-e',
      "require('https'); console.log(process.moduleLoadList.join('\\n'))",
    ]).toString();
    for (const m of ['crypto', 'fs', 'net', 'path', 'stream']) {
      expect(loadedByHttps).toContain(`NativeModule ${m}\n`);
    }
  });

  // Guards the lazy split: moderation's code must not be parsed at a start without moderation, and the modules
  // it shares with index.js must be index.js's own (one OxyError class, one log buffer), not second copies.
  it('keeps moderation out of index.js, and moderation.js takes what it shares from index.js', async () => {
    const index = await scriptOf(zip, 'index.js');
    const moderation = await scriptOf(zip, 'moderation.js');
    expect(index).not.toContain('TC3-HMAC-SHA256');
    expect(moderation).toContain('TC3-HMAC-SHA256');
    expect(requiresOf(moderation).every((m) => m === './index.js' || NODE_MODULES.includes(m))).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(DIST, `meta-${name}.json`), 'utf8')) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    const inputsOf = (file: string): string[] => Object.keys(meta.outputs[file]!.inputs);
    const inBoth = inputsOf('moderation.js').filter((m) => inputsOf('index.js').includes(m));
    expect(inBoth).toEqual([]);
    const shared = inputsOf('moderation.js').filter((m) => m.startsWith('oxy-shared:'));
    expect(shared).toContain('oxy-shared:core/errors.ts');
    for (const m of shared) expect(inputsOf('index.js')).toContain(m.slice('oxy-shared:'.length));
  });
});

/** A script of the zip, as text. */
async function scriptOf(zip: string, file: string): Promise<string> {
  return (await readZip(zip)).find((e) => e.name === file)!.data.toString();
}

/** What a bundled script requires, `node:` prefixes dropped, sorted and without repeats. */
function requiresOf(code: string): string[] {
  return [
    ...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!.replace(/^node:/, ''))),
  ].sort();
}

describe('the build', () => {
  it('is reproducible: two builds in other folders and time zones give byte-identical zips', () => {
    const outs = ['UTC', 'Asia/Shanghai'].map((tz) => {
      const out = mkdtempSync(path.join(tmpdir(), 'oxy-build-'));
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bundle.ts', '--out', out], {
        cwd: ROOT,
        env: { ...process.env, TZ: tz },
        stdio: 'ignore',
      });
      return out;
    });
    try {
      for (const { zip } of Object.values(ZIPS)) {
        const [a, b] = outs.map((out) => readFileSync(path.join(out, path.basename(zip))));
        expect(a!.length).toBeGreaterThan(0);
        expect(a!.equals(b!)).toBe(true);
      }
    } finally {
      for (const out of outs) rmSync(out, { recursive: true, force: true });
    }
  });
});
