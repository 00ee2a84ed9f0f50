/**
 * Modules that core loads only when a setting asks for them ship as files of their own beside index.js, so a
 * start without that setting does not even parse them: V8 pre-parses every function of a script it compiles,
 * and moderation's 21 KB cost every cold start about 3 ms (docs/design.md). Core requires each of them lazily,
 * with a plain `require()` (core/app.ts), which the build points at the file.
 *
 * A lazy file takes every module it shares with index.js from index.js itself, at run time, through one
 * function index.js exports (SHARED_EXPORT). So the process holds one of each module: one OxyError class for
 * `instanceof`, one log buffer, one key pool per route.
 */
import path from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

export interface LazyFile {
  /** The module core requires lazily, relative to the repository. */
  entry: string;
  /** Its file in the zip, beside index.js. */
  file: string;
}

const LAZY_FILES: readonly LazyFile[] = [{ entry: 'core/moderation/moderation.ts', file: 'moderation.js' }];

/** index.js's export that hands a lazy file a module of index.js, by its path in the repository. */
const SHARED_EXPORT = 'oxyShared';

const SHARED = 'oxy-shared';
const NESTED = Symbol('oxy.nested-resolve');

const withoutExtension = (file: string): string => file.replace(/\.[cm]?[jt]s$/, '');

/** A module's path relative to the repository, with forward slashes: the key of esbuild's metafile inputs. */
const repoPath = (root: string, file: string): string => path.relative(root, file).split(path.sep).join('/');

/** A script of the zip: its name and bytes. */
export interface Script {
  name: string;
  data: Buffer;
}

/** How to build one script: esbuild's options for an entry, and a build that returns the code and metafile. */
export interface ScriptBuild {
  options: (entry: string) => BuildOptions & { metafile: true };
  run: (
    options: BuildOptions & { metafile: true },
    plugins: Plugin[],
  ) => Promise<{ code: Buffer; metafile: Metafile }>;
}

/**
 * index.js and the lazy files for one entrypoint, with one metafile for all of them. index.js is built twice:
 * first to learn which modules it holds, so the lazy files take those from it rather than hold copies; then
 * with the export that hands them over.
 */
export async function buildScripts(
  root: string,
  entry: string,
  { options, run }: ScriptBuild,
  lazyFiles: readonly LazyFile[] = LAZY_FILES,
): Promise<{ scripts: Script[]; metafile: Metafile }> {
  const externals = lazyExternals(root, lazyFiles);
  const first = await run(options(entry), [externals]);
  const inIndex = new Set(Object.keys(first.metafile.inputs));
  const shared = new Set<string>();
  const lazy = [];
  for (const { entry: lazyEntry, file } of lazyFiles) {
    const built = await run({ ...options(lazyEntry), outfile: file }, [
      sharedFromIndex(root, inIndex, shared),
    ]);
    lazy.push({ file, ...built });
  }
  const contents = indexEntry(entry, [...shared].sort());
  const index = await run(
    {
      ...options(entry),
      entryPoints: undefined,
      stdin: { contents, resolveDir: root, sourcefile: 'oxy-index.js' },
    },
    [externals],
  );
  const built = [{ file: 'index.js', ...index }, ...lazy];
  return {
    scripts: built.map((b) => ({ name: b.file, data: b.code })),
    metafile: {
      inputs: Object.assign({}, ...built.map((b) => b.metafile.inputs)),
      outputs: Object.assign({}, ...built.map((b) => b.metafile.outputs)),
    },
  };
}

/** In index.js's build: an import of a lazy module becomes a run-time `require` of its file beside index.js. */
function lazyExternals(root: string, lazyFiles: readonly LazyFile[] = LAZY_FILES): Plugin {
  const byPath = new Map(lazyFiles.map((l) => [withoutExtension(l.entry), l.file]));
  return {
    name: 'oxy-lazy-externals',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const file = byPath.get(withoutExtension(repoPath(root, path.resolve(args.resolveDir, args.path))));
        return file === undefined ? undefined : { path: `./${file}`, external: true };
      });
    },
  };
}

/**
 * In a lazy file's build: each module index.js already holds (`inIndex`, repository paths) is not bundled
 * again but asked of index.js at run time; the rest is bundled. Adds the modules asked for to `shared`.
 */
function sharedFromIndex(root: string, inIndex: ReadonlySet<string>, shared: Set<string>): Plugin {
  return {
    name: 'oxy-shared-from-index',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.namespace === SHARED || args.pluginData === NESTED) return undefined;
        const { path: file, errors } = await b.resolve(args.path, {
          resolveDir: args.resolveDir,
          importer: args.importer,
          kind: args.kind,
          pluginData: NESTED,
        });
        if (errors.length > 0) return { errors };
        const key = repoPath(root, file);
        if (!inIndex.has(key)) return { path: file };
        shared.add(key);
        return { path: key, namespace: SHARED };
      });
      b.onResolve({ filter: /^\.\/index\.js$/, namespace: SHARED }, () => ({
        path: './index.js',
        external: true,
      }));
      b.onLoad({ filter: /.*/, namespace: SHARED }, (args) => ({
        // index.js is the main module, so this require finds it in Node's module cache: no second copy runs.
        contents: `module.exports = require("./index.js").${SHARED_EXPORT}(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * index.js's entry: the platform's entrypoint, and SHARED_EXPORT over the modules the lazy files share. It is
 * a function declaration, not a table, so it is hoisted: the platform entrypoint starts the server while the
 * bundle is still running, and a lazy file may be required then.
 */
function indexEntry(platformEntry: string, shared: readonly string[]): string {
  const quoted = (p: string): string => JSON.stringify(`./${p}`);
  return [
    ...shared.map((p, i) => `import * as m${i} from ${quoted(p)};`),
    `import ${quoted(platformEntry)};`,
    `export function ${SHARED_EXPORT}(path) {`,
    '  switch (path) {',
    ...shared.map((p, i) => `    case ${JSON.stringify(p)}: return m${i};`),
    '  }',
    '  throw new Error(`index.js holds no module ${path}`);',
    '}',
  ].join('\n');
}
