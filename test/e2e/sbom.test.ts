import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { type Bom, licenseOf, npmPurl, sbom } from '../../scripts/sbom';
import { readZip } from '../helpers/zip';
import { DIST, ROOT, VERSION, ZIPS } from './dist';

/** CycloneDX's own JSON schemas, as @cyclonedx/cyclonedx-library ships them (res/schema/). */
function cycloneDx15Validator(): (bom: unknown) => string[] {
  const dir = path.join(
    path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
    'res/schema',
  );
  const load = (file: string): Record<string, unknown> =>
    JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats of draft 2019 that ajv-formats lacks: accepted unchecked (the schema's structure still is).
  ajv.addFormat('iri-reference', true).addFormat('idn-email', true);
  // The bom schema refers to its neighbours by their SNAPSHOT file names.
  ajv.addSchema({
    ...load('spdx.SNAPSHOT.schema.json'),
    $id: 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json',
  });
  ajv.addSchema({
    ...load('jsf-0.82.SNAPSHOT.schema.json'),
    $id: 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
  });
  const validate = ajv.compile(load('bom-1.5.SNAPSHOT.schema.json'));
  return (bom) => (validate(bom) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

/** `name@version (license)` of each package bundle.ts wrote into the zip's THIRD_PARTY_LICENSES. */
async function licensedPackages(zip: string): Promise<string[]> {
  const text = (await readZip(zip)).find((e) => e.name === 'THIRD_PARTY_LICENSES')!.data.toString();
  const headers = text.split(`\n${'-'.repeat(72)}\n\n`).map((part) => part.split('\n')[0]!);
  return headers.filter((h) => h !== '').sort();
}

describe('the SBOM of the zips (scripts/sbom.ts)', () => {
  let bom: Bom;
  beforeAll(() => {
    bom = sbom(DIST);
  });
  const libraries = (): Bom['components'] => bom.components.filter((c) => c.type === 'library');

  it('is valid CycloneDX 1.5 by the official JSON schema', () => {
    const validate = cycloneDx15Validator();
    expect(bom.specVersion).toBe('1.5');
    expect(validate(bom)).toEqual([]);
    // The schema has teeth: a license id SPDX does not know, or a component without a type, is refused.
    const [first, ...rest] = bom.components;
    expect(
      validate({ ...bom, components: [{ ...first, licenses: [{ license: { id: 'Not-SPDX' } }] }, ...rest] }),
    ).not.toEqual([]);
    expect(validate({ ...bom, components: [{ ...first, type: undefined }, ...rest] })).not.toEqual([]);
  });

  it.each(Object.entries(ZIPS))(
    'lists exactly the npm packages of the %s zip, as its THIRD_PARTY_LICENSES does, each with a purl',
    async (_name, { zip }) => {
      const ref = path.basename(zip);
      const inZip = bom.dependencies.find((d) => d.ref === ref)!.dependsOn;
      const listed = libraries()
        .filter((c) => inZip.includes(c['bom-ref']))
        .map((c) => {
          const name = c.group ? `${c.group}/${c.name}` : c.name;
          expect(c.purl).toBe(npmPurl(name, c.version));
          const license = c.licenses!.map((l) =>
            'expression' in l ? l.expression : Object.values(l.license)[0],
          );
          return `${name}@${c.version} (${license.join(', ')})`;
        })
        .sort();
      expect(listed.length).toBe(inZip.length);
      expect(listed).toEqual(await licensedPackages(zip));
    },
  );

  it('leaves out the packages the build replaces with stubs, and lists http-proxy-middleware at its locked version', () => {
    const names = libraries().map((c) => c.name);
    for (const stubbed of ['debug', 'follow-redirects', 'micromatch']) expect(names).not.toContain(stubbed);
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const locked = lock.packages['node_modules/http-proxy-middleware'];
    const hpm = libraries().find((c) => c.name === 'http-proxy-middleware')!;
    expect(hpm.version).toBe(locked.version);
    expect(hpm.hashes).toEqual([
      {
        alg: 'SHA-512',
        content: Buffer.from(locked.integrity.replace(/^sha512-/, ''), 'base64').toString('hex'),
      },
    ]);
  });

  it('names each zip with the SHA-256 that SHA256SUMS has', () => {
    const sums = readFileSync(path.join(DIST, 'SHA256SUMS'), 'utf8');
    const files = bom.components.filter((c) => c.type === 'file');
    expect(files.map((c) => c.name).sort()).toEqual(
      Object.values(ZIPS)
        .map((z) => path.basename(z.zip))
        .sort(),
    );
    for (const f of files) expect(sums).toContain(`${f.hashes![0]!.content}  ${f.name}\n`);
    expect(bom.metadata.component).toMatchObject({ name: 'oxy', version: VERSION });
  });

  it('is the same for the same build, and takes its timestamp from SOURCE_DATE_EPOCH', () => {
    expect(sbom(DIST)).toEqual(bom);
    expect(bom.metadata.timestamp).toBeUndefined();
    process.env.SOURCE_DATE_EPOCH = '1764633600';
    try {
      const dated = sbom(DIST);
      expect(dated.metadata.timestamp).toBe('2025-12-02T00:00:00.000Z');
      expect(dated.serialNumber).not.toBe(bom.serialNumber);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('maps package.json licenses to SPDX ids, expressions or names', () => {
    const pkg = { name: 'p', version: '1.0.0' };
    expect(licenseOf({ ...pkg, license: 'MIT' })).toEqual([{ license: { id: 'MIT' } }]);
    expect(licenseOf({ ...pkg, license: '(MIT OR Apache-2.0)' })).toEqual([
      { expression: '(MIT OR Apache-2.0)' },
    ]);
    expect(licenseOf({ ...pkg, licenses: [{ type: 'MIT' }, { type: 'BSD-3-Clause' }] })).toEqual([
      { expression: 'MIT OR BSD-3-Clause' },
    ]);
    expect(licenseOf({ ...pkg, license: 'SEE LICENSE IN LICENSE.txt' })).toEqual([
      { license: { name: 'SEE LICENSE IN LICENSE.txt' } },
    ]);
    expect(licenseOf({ ...pkg, license: { type: 'ISC' } })).toEqual([{ license: { id: 'ISC' } }]);
    expect(licenseOf(pkg)).toEqual([{ license: { name: 'NOASSERTION' } }]);
    expect(npmPurl('@scope/name', '1.2.3')).toBe('pkg:npm/%40scope/name@1.2.3');
  });

  it('as a command, writes the file the release attaches, and fails clearly without a build', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'oxy-sbom-'));
    try {
      const file = path.join(out, 'bom.json');
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/sbom.ts', '--out', file], { cwd: ROOT });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(bom);
      expect(() => sbom(out)).toThrow(
        `${path.join(out, 'meta-scf.json')} is missing: run \`npm run bundle\` first`,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
