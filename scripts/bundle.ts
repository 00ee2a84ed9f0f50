/**
 * Builds the deployable zips: `npm run bundle [-- --out DIR] [--config FILE]`.
 *
 * `--config FILE` validates a JSON config file as oxy would at start and puts it into both zips as
 * `oxy.json` beside index.js, so a user uploads one zip with their settings (and keys) inside. A file that
 * fails validation fails the build.
 *
 * For each platform, esbuild bundles the entrypoint into one `index.js` (no node_modules at run time), and each
 * module core loads only when configured into a file of its own beside it (scripts/lazy-files.ts). The zip
 * gets the provider's web-function layout: the bootstrap at the root with mode 0755, then the scripts and
 * the licenses. Zips are reproducible: fixed timestamps and modes, sorted entries.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Message, type Metafile, type Plugin } from 'esbuild';
import { ZipFile } from 'yazl';
import { loadConfig } from '../core/config';
import { buildScripts } from './lazy-files';

const ROOT = path.resolve(__dirname, '..');
const VERSION: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

/** The SCF entrypoint, which the bench profiles (bench/profile.ts). */
export const SCF_ENTRY = 'functions/scf/index.ts';

/** Each platform's entrypoint and start file name (SCF: cloud.tencent.com/document/product/583/56126). */
const TARGETS = [
  { name: 'scf', entry: SCF_ENTRY, bootstrap: 'functions/scf/scf_bootstrap' },
  { name: 'fc', entry: 'functions/fc/index.ts', bootstrap: 'functions/fc/bootstrap' },
] as const;

/** esbuild warnings that are known not to matter, each with the reason. Any other warning fails the build. */
const HARMLESS_WARNINGS: { match: RegExp; why: string }[] = [];

/**
 * Dependencies of http-proxy-middleware that oxy's options never reach, replaced by small stand-ins so
 * they are not loaded at every cold start (npm run bench: idle RSS and start time). Each stub says why.
 */
const STUBS: Record<string, string> = {
  debug: './scripts/stubs/debug.js',
  'follow-redirects': './scripts/stubs/follow-redirects.js',
  https: './scripts/stubs/https.js',
  micromatch: './scripts/stubs/micromatch.js',
};

/** 1980-01-01 00:00 in local time: the DOS epoch, so the zip's local-time fields match in every time zone. */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

interface Entry {
  name: string;
  data: Buffer;
  mode: number;
}

export async function bundle(outDir: string, configFile?: string): Promise<void> {
  const settings = configFile === undefined ? undefined : validatedConfig(configFile);
  // The output folder is wiped first: never one that holds anything but a previous build (`--out .`).
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(path.join(outDir, 'SHA256SUMS'))) {
    throw new Error(`${outDir} is not empty and holds no previous build; refusing to delete it`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const sums: string[] = [];
  for (const target of TARGETS) {
    const { scripts, metafile } = await buildScripts(ROOT, target.entry, {
      options: buildOptions,
      run: bundleEntry,
    });
    writeFileSync(path.join(outDir, `meta-${target.name}.json`), JSON.stringify(metafile));
    const entries: Entry[] = [
      { name: path.basename(target.bootstrap), data: readBootstrap(target.bootstrap), mode: 0o755 },
      ...scripts.map((f) => ({ ...f, mode: 0o644 })),
      { name: 'LICENSE', data: readFileSync(path.join(ROOT, 'LICENSE')), mode: 0o644 },
      { name: 'THIRD_PARTY_LICENSES', data: thirdPartyLicenses(metafile), mode: 0o644 },
      ...(settings ? [{ name: 'oxy.json', data: settings, mode: 0o644 }] : []),
    ].sort((a, b) => (a.name < b.name ? -1 : 1));

    const staging = path.join(outDir, target.name);
    mkdirSync(staging);
    for (const e of entries) {
      const file = path.join(staging, e.name);
      writeFileSync(file, e.data);
      chmodSync(file, e.mode);
    }
    const zipName = `oxy-${target.name}-v${VERSION}.zip`;
    const zip = await writeZip(entries);
    writeFileSync(path.join(outDir, zipName), zip);
    sums.push(`${createHash('sha256').update(zip).digest('hex')}  ${zipName}\n`);
    console.log(
      `${zipName}: ${zip.length} bytes (${scripts.map((f) => `${f.name} ${f.data.length}`).join(', ')} bytes)`,
    );
  }
  writeFileSync(path.join(outDir, 'SHA256SUMS'), sums.join(''));
  if (settings)
    console.log(`both zips hold ${configFile} as oxy.json: keep them private, they may hold keys`);
}

/** The config file's bytes, once oxy's own loader accepts it (alone: the build's environment is not read). */
const RUNTIME_STAND_INS = {
  TENCENTCLOUD_REGION: 'ap-build-check',
  TENCENTCLOUD_SECRETID: 'build-check',
  TENCENTCLOUD_SECRETKEY: 'build-check',
};

function validatedConfig(file: string): Buffer {
  const absolute = path.resolve(file);
  try {
    // The file is checked, not this machine: Tencent moderation's region and credentials come from the
    // function's environment at run time (SCF sets them for a run role), so stand-ins fill them here.
    loadConfig({ OXY_CONFIG_FILE: absolute, ...RUNTIME_STAND_INS });
  } catch (err) {
    throw new Error(`invalid configuration: ${(err as Error).message}`);
  }
  return readFileSync(absolute);
}

/**
 * The esbuild options of every shipped script (buildScripts in lazy-files.ts adds its plugins); bench/profile.ts builds
 * an unminified twin of index.js from them.
 */
export function buildOptions(entry: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify: true,
    metafile: true,
    outfile: 'index.js',
    legalComments: 'none', // the licenses ship whole in THIRD_PARTY_LICENSES
    define: { OXY_VERSION: JSON.stringify(VERSION) },
    alias: STUBS,
    logLevel: 'silent',
  };
}

async function bundleEntry(
  options: BuildOptions & { metafile: true },
  plugins: Plugin[],
): Promise<{ code: Buffer; metafile: Metafile }> {
  const entry = options.stdin?.sourcefile ?? String(options.entryPoints);
  const result = await build({ ...options, plugins, write: false });
  const unexpected = result.warnings.filter((w) => !HARMLESS_WARNINGS.some((h) => h.match.test(w.text)));
  if (unexpected.length > 0)
    throw new Error(`esbuild warnings in ${entry}:\n${unexpected.map(describe).join('\n')}`);
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild wrote nothing for ${entry}`);
  return { code: Buffer.from(output.contents), metafile: result.metafile };
}

function describe(w: Message): string {
  return `  ${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`;
}

/** Both platforms refuse a bootstrap without `#!/bin/bash` or with CRLF endings: fail here, not at deploy. */
function readBootstrap(file: string): Buffer {
  const data = readFileSync(path.join(ROOT, file));
  const text = data.toString('utf8');
  if (!text.startsWith('#!/bin/bash\n')) throw new Error(`${file} must start with "#!/bin/bash"`);
  if (text.includes('\r')) throw new Error(`${file} has CR characters; both platforms need LF line endings`);
  return data;
}

/** The license text of every npm package bundled into index.js, as their licenses ask. */
function thirdPartyLicenses(metafile: Metafile): Buffer {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) dirs.add(m[1]);
  }
  const parts = [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
    const file = readdirSync(path.join(ROOT, dir)).find((f) => /^licen[cs]e/i.test(f));
    const license = file && readFileSync(path.join(ROOT, dir, file), 'utf8').trim();
    return `${pkg.name}@${pkg.version} (${pkg.license})\n\n${license ?? `License: ${pkg.license}`}\n`;
  });
  return Buffer.from(parts.join('\n' + '-'.repeat(72) + '\n\n'));
}

function writeZip(entries: Entry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    zip.addBuffer(e.data, e.name, {
      mtime: ZIP_TIME,
      mode: 0o100000 | e.mode, // regular file + permission bits, read by unzip and by both platforms
      compress: true,
      compressionLevel: 9,
      forceDosTimestamp: true, // no extra time field: the DOS fields above are the same everywhere
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/**
 * The command line: `--out DIR`, `--config FILE` (also `--config=FILE`). Strict: an unknown argument or an
 * option without its value stops the build. A `--config=FILE` the reader did not know once went unread and
 * built zips without their settings, an open proxy once deployed.
 */
export function bundleArgs(args: string[]): { outDir: string; configFile: string | undefined } {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string' }, config: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.config === '') throw new Error('--config needs a file');
  return { outDir: path.resolve(values.out ?? path.join(ROOT, 'dist')), configFile: values.config };
}

if (require.main === module) {
  Promise.resolve(process.argv.slice(2))
    .then(bundleArgs)
    .then(({ outDir, configFile }) => bundle(outDir, configFile))
    .catch((err: Error) => {
      console.error(`bundle: ${err.message}`);
      process.exit(1);
    });
}
