import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { type Script, type ScriptBuild, buildScripts } from '../../scripts/lazy-files';

// scripts/lazy-files.ts on a fixture shaped like oxy's: an entry whose start-up requires a lazy module, which
// shares a class and some state with the entry and has a module of its own. Guards the two promises of the
// split: the lazy file is never loaded unless required, and when it is, the process holds one of each module.
const FIXTURE: Record<string, string> = {
  'shared.ts': 'export class Thing {}\nexport const state = { lazyLoads: 0 };\n',
  'own.ts': "export const own = 'bundled in lazy.js';\n",
  'lazy.ts': [
    "import { Thing, state } from './shared';",
    "import { own } from './own';",
    'state.lazyLoads++;',
    'export const make = (): Thing => new Thing();',
    'export { own };',
  ].join('\n'),
  // Required while the entry's own top-level code runs, as core/app.ts requires moderation during start().
  'main.ts': [
    "import { Thing, state } from './shared';",
    'if (process.env.LOAD_LAZY) {',
    "  const lazy = require('./lazy') as typeof import('./lazy');",
    '  console.log(JSON.stringify({ sameClass: lazy.make() instanceof Thing, lazyLoads: state.lazyLoads, own: lazy.own }));',
    '} else {',
    '  console.log(JSON.stringify({ lazyLoads: state.lazyLoads }));',
    '}',
  ].join('\n'),
};

describe('buildScripts (scripts/lazy-files.ts)', () => {
  let root: string;
  let scripts: Script[];
  let outputs: Record<string, { inputs: Record<string, unknown> }>;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'oxy-lazy-'));
    for (const [name, text] of Object.entries(FIXTURE)) writeFileSync(path.join(root, name), text);
    const scriptBuild: ScriptBuild = {
      options: (entry) => ({
        absWorkingDir: root,
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        metafile: true,
        outfile: 'index.js',
        logLevel: 'silent',
      }),
      run: async (options, plugins) => {
        const result = await build({ ...options, plugins, write: false });
        return { code: Buffer.from(result.outputFiles[0]!.contents), metafile: result.metafile };
      },
    };
    const built = await buildScripts(root, 'main.ts', scriptBuild, [{ entry: 'lazy.ts', file: 'lazy.js' }]);
    scripts = built.scripts;
    outputs = built.metafile.outputs;
    for (const { name, data } of scripts) writeFileSync(path.join(root, name), data);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = (env: Record<string, string> = {}): unknown =>
    JSON.parse(
      execFileSync(process.execPath, [path.join(root, 'index.js')], {
        env: { ...process.env, ...env },
      }).toString(),
    );

  it('writes index.js and the lazy file', () => {
    expect(scripts.map((s) => s.name)).toEqual(['index.js', 'lazy.js']);
  });

  it('gives the lazy file the entry’s own modules, and bundles only the rest into it', () => {
    const inputs = (file: string): string[] => Object.keys(outputs[file]!.inputs).sort();
    expect(inputs('lazy.js')).toEqual(['lazy.ts', 'own.ts', 'oxy-shared:shared.ts']);
    expect(inputs('index.js')).toContain('shared.ts');
    expect(inputs('index.js')).not.toContain('own.ts');
  });

  it('shares one class and one state between index.js and the lazy file, required during start-up', () => {
    expect(run({ LOAD_LAZY: '1' })).toEqual({ sameClass: true, lazyLoads: 1, own: 'bundled in lazy.js' });
  });

  it('never loads the lazy file when nothing requires it', () => {
    rmSync(path.join(root, 'lazy.js'));
    expect(run()).toEqual({ lazyLoads: 0 });
  });
});
