/**
 * A CycloneDX 1.5 SBOM of what the zips bundle: `tsx scripts/sbom.ts [--dist DIR] [--out FILE]`.
 *
 * Reads what `npm run bundle` left in DIST (default dist/): each zip and the esbuild metafile of its index.js
 * (meta-scf.json, meta-fc.json). Every npm package with a file in a metafile's inputs is listed with its name,
 * version, purl, license (package.json) and the SHA-512 of its tarball (package-lock.json); each zip is listed
 * as a file with its SHA-256 and the packages it holds. Nothing is fetched. The packages scripts/bundle.ts
 * replaces with stubs are not in the zips and so not in the SBOM. The output is the same for the same build;
 * `SOURCE_DATE_EPOCH` (seconds), when set, becomes its timestamp. Writes DIST/oxy-v<version>.cdx.json.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
const PLATFORMS = ['scf', 'fc'] as const;

interface PackageJson {
  name: string;
  version: string;
  license?: string | { type: string };
  licenses?: { type: string }[];
  dependencies?: Record<string, string>;
}

type License = { license: { id: string } | { name: string } } | { expression: string };

interface Component {
  type: 'library' | 'file';
  'bom-ref': string;
  group?: string;
  name: string;
  version: string;
  purl?: string;
  licenses?: License[];
  hashes?: { alg: 'SHA-256' | 'SHA-512'; content: string }[];
  externalReferences?: { type: 'distribution'; url: string }[];
}

export interface Bom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp?: string;
    tools: { components: { type: 'application'; name: string; version: string }[] };
    component: { type: 'application'; 'bom-ref': string; name: string; version: string; licenses: License[] };
  };
  components: Component[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

/** The folders under node_modules that a metafile's inputs come from (nested ones included). */
export function bundledPackageDirs(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m?.[1]) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

/** purl of an npm package (github.com/package-url/purl-spec): the scope's `@` is percent-encoded. */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
}

/** package.json's license as CycloneDX has it: an SPDX expression, an SPDX id, or else a plain name. */
export function licenseOf(pkg: PackageJson): License[] {
  const given =
    typeof pkg.license === 'string'
      ? pkg.license
      : (pkg.license?.type ?? pkg.licenses?.map((l) => l.type).join(' OR '));
  if (!given) return [{ license: { name: 'NOASSERTION' } }];
  // npm's own forms that are no SPDX expression: a file reference, and "not licensed to anyone".
  if (given === 'UNLICENSED' || /^SEE LICEN[CS]E IN /i.test(given)) return [{ license: { name: given } }];
  if (/\s(?:OR|AND|WITH)\s|^\(/.test(given)) return [{ expression: given }];
  if (/^[A-Za-z0-9.+-]+$/.test(given)) return [{ license: { id: given } }];
  return [{ license: { name: given } }];
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export function sbom(distDir: string, root: string = ROOT): Bom {
  const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  const lockFile = path.join(root, 'package-lock.json');
  const lock = existsSync(lockFile)
    ? (JSON.parse(readFileSync(lockFile, 'utf8')) as {
        packages?: Record<string, { integrity?: string; resolved?: string }>;
      })
    : {};

  const packages = new Map<string, { pkg: PackageJson; ref: string }>(); // by folder
  const zips: { component: Component; dirs: string[] }[] = [];
  for (const platform of PLATFORMS) {
    const metaFile = path.join(distDir, `meta-${platform}.json`);
    const zipName = `oxy-${platform}-v${own.version}.zip`;
    const zipFile = path.join(distDir, zipName);
    for (const file of [metaFile, zipFile]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run bundle\` first`);
    }
    const dirs = bundledPackageDirs(JSON.parse(readFileSync(metaFile, 'utf8')) as Metafile);
    for (const dir of dirs) {
      if (packages.has(dir)) continue;
      const pkg = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as PackageJson;
      packages.set(dir, { pkg, ref: npmPurl(pkg.name, pkg.version) });
    }
    zips.push({
      component: {
        type: 'file',
        'bom-ref': zipName,
        name: zipName,
        version: own.version,
        hashes: [{ alg: 'SHA-256', content: sha256(readFileSync(zipFile)) }],
      },
      dirs,
    });
  }

  const libraries: Component[] = [...packages.entries()]
    .map(([dir, { pkg, ref }]) => {
      const scoped = /^(@[^/]+)\/(.+)$/.exec(pkg.name);
      const locked = lock.packages?.[dir];
      const sha512 = locked?.integrity?.match(/^sha512-(.+)$/)?.[1];
      return {
        type: 'library' as const,
        'bom-ref': ref,
        ...(scoped ? { group: scoped[1]!, name: scoped[2]! } : { name: pkg.name }),
        version: pkg.version,
        purl: ref,
        licenses: licenseOf(pkg),
        ...(sha512 && {
          hashes: [{ alg: 'SHA-512' as const, content: Buffer.from(sha512, 'base64').toString('hex') }],
        }),
        ...(locked?.resolved && {
          externalReferences: [{ type: 'distribution' as const, url: locked.resolved }],
        }),
      };
    })
    .sort((a, b) => (a['bom-ref'] < b['bom-ref'] ? -1 : 1));

  // Which bundled package needs which: its dependencies, resolved as Node would (nested folder first).
  const refOfDir = (dir: string): string | undefined => packages.get(dir)?.ref;
  const packageDeps = [...packages.entries()].map(([dir, { pkg, ref }]) => {
    const dependsOn = Object.keys(pkg.dependencies ?? {})
      .map((name) => refOfDir(`${dir}/node_modules/${name}`) ?? refOfDir(`node_modules/${name}`))
      .filter((r): r is string => r !== undefined);
    return { ref, dependsOn: [...new Set(dependsOn)].sort() };
  });

  const self = `${own.name}@${own.version}`;
  const body = {
    $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
    bomFormat: 'CycloneDX' as const,
    specVersion: '1.5' as const,
    version: 1 as const,
    metadata: {
      ...(process.env.SOURCE_DATE_EPOCH && {
        timestamp: new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString(),
      }),
      tools: {
        components: [{ type: 'application' as const, name: 'oxy scripts/sbom.ts', version: own.version }],
      },
      component: {
        type: 'application' as const,
        'bom-ref': self,
        name: own.name,
        version: own.version,
        licenses: licenseOf(own),
      },
    },
    components: [...zips.map((z) => z.component), ...libraries],
    dependencies: [
      { ref: self, dependsOn: zips.map((z) => z.component['bom-ref']) },
      ...zips.map((z) => ({
        ref: z.component['bom-ref'],
        dependsOn: z.dirs.map((d) => refOfDir(d)!).sort(),
      })),
      ...packageDeps.sort((a, b) => (a.ref < b.ref ? -1 : 1)),
    ],
  };
  // The same content gets the same serial number: a UUID (version 5 layout) made from its digest.
  const digest = createHash('sha1').update(JSON.stringify(body)).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const { $schema, bomFormat, specVersion, version, ...rest } = body;
  return { $schema, bomFormat, specVersion, serialNumber: `urn:uuid:${uuid}`, version, ...rest };
}

if (require.main === module) {
  const flag = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  try {
    const distDir = path.resolve(flag('--dist') ?? path.join(ROOT, 'dist'));
    const bom = sbom(distDir);
    const out = path.resolve(
      flag('--out') ?? path.join(distDir, `oxy-v${bom.metadata.component.version}.cdx.json`),
    );
    writeFileSync(out, JSON.stringify(bom, null, 2) + '\n');
    const libraries = bom.components.filter((c) => c.type === 'library').length;
    console.log(
      `${path.relative(process.cwd(), out)}: CycloneDX ${bom.specVersion}, ${libraries} npm packages`,
    );
  } catch (err) {
    console.error(`sbom: ${(err as Error).message}`);
    process.exit(1);
  }
}
