import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BOOTSTRAPS, PLATFORM_MAJORS, bootstrapMajors, nodeVersions } from '../helpers/node-runtimes';
import { DIST, ZIPS } from './dist';

/**
 * Which Node each shipped bootstrap starts. The platforms' /var paths do not exist here, so the test runs a
 * copy of the shipped script whose `/var/` is moved under a temporary folder, with stand-in `node` programs
 * that print their own path: what the script execs is then visible, path by path.
 */
describe.each(Object.entries(ZIPS))('the %s bootstrap', (platform, { bootstrap }) => {
  const shipped = readFileSync(path.join(DIST, platform, bootstrap), 'utf8');
  const majors = bootstrapMajors(shipped);
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'oxy-bootstrap-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A stand-in `node` at `file` that prints its path and arguments. */
  const fakeNode = (file: string): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '#!/bin/sh\necho "$0 $*"\n');
    chmodSync(file, 0o755);
  };
  /** Where the script looks for a major's Node, moved under `root`. */
  const platformNode = (major: number): string => {
    const m = new RegExp(`/var/(?:fc/)?lang/node(?:js)?${major}/bin/node\\b`).exec(shipped);
    return path.join(root, m![0]);
  };
  /** What the script should exec with `node`: V8's memory reducer off (docs/design.md), then index.js. */
  const execs = (node: string): string =>
    `${node} --no-memory-reducer ${path.join(root, 'code', 'index.js')}`;
  /**
   * Runs the moved script from its own folder and returns what it ran: by its path, as the platform does,
   * unless `start` says how (given the script's path: the program and its arguments).
   */
  const run = (start = (script: string): [string, string[]] => [script, []]): string => {
    const code = path.join(root, 'code');
    mkdirSync(code);
    const script = path.join(code, bootstrap);
    writeFileSync(script, shipped.replaceAll('/var/', `${root}/var/`));
    chmodSync(script, 0o755);
    fakeNode(path.join(root, 'path-bin', 'node'));
    const [file, args] = start(script);
    return execFileSync(file, args, {
      cwd: code,
      env: { PATH: `${path.join(root, 'path-bin')}:/usr/bin:/bin` },
      encoding: 'utf8',
    }).trim();
  };

  it('is the file the zips are built from', () => {
    expect(shipped).toBe(readFileSync(BOOTSTRAPS[platform as keyof typeof BOOTSTRAPS], 'utf8'));
  });

  it('tries the platform Node paths newest first', () => {
    expect(majors.length).toBeGreaterThan(0);
    expect(majors).toEqual([...majors].sort((a, b) => b - a));
  });

  it.each(PLATFORM_MAJORS[platform as keyof typeof PLATFORM_MAJORS])(
    'runs index.js on the newest Node present when the newest is node %i',
    (newest) => {
      for (const major of majors.filter((m) => m <= newest)) fakeNode(platformNode(major));
      expect(run()).toBe(execs(platformNode(newest)));
    },
  );

  // Guards the bootstrap's own folder lookup (`${0%/*}`, which replaced a `dirname` process): the platform
  // runs the script by its path, a user may run it by name with bash.
  it.each([
    ['by its absolute path', (script: string): [string, string[]] => [script, []], 'code/index.js'],
    [`as ./${bootstrap}`, (): [string, string[]] => [`./${bootstrap}`, []], './index.js'],
    ['with bash and its bare name', (): [string, string[]] => ['bash', [bootstrap]], './index.js'],
  ])('finds index.js beside it when started %s', (_, start, indexJs) => {
    const node = path.join(root, 'path-bin', 'node');
    const where = indexJs.startsWith('code/') ? path.join(root, indexJs) : indexJs;
    expect(run(start)).toBe(`${node} --no-memory-reducer ${where}`);
  });

  it('falls back to node on PATH when no platform path exists', () => {
    expect(run()).toBe(execs(path.join(root, 'path-bin', 'node')));
  });

  it('skips a platform path that is not executable', () => {
    const [newest, next] = majors;
    fakeNode(platformNode(newest!));
    chmodSync(platformNode(newest!), 0o644);
    fakeNode(platformNode(next!));
    expect(run()).toBe(execs(platformNode(next!)));
  });

  // The end-to-end specs run the zip on one build per major (helpers/node-runtimes.ts); a major the bootstrap
  // can pick but no build stands for would go untested. OXY_TEST_NODE_VERSIONS narrows the list on purpose.
  (process.env.OXY_TEST_NODE_VERSIONS === undefined ? it : it.skip)(
    'has a Node build in the end-to-end runs for every major it can pick',
    () => {
      const fetched = new Set(nodeVersions().map((v) => Number(v.split('.')[0])));
      expect(majors.filter((m) => !fetched.has(m))).toEqual([]);
    },
  );
});
