import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { changelogSection, checkTag, releaseNotes } from '../../scripts/release-notes';

const ROOT = path.resolve(__dirname, '../..');

const CHANGELOG = `# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

### Added
- Something not yet released.

## [0.2.0] - 2026-12-02

### Added
- Release zips built by CI, with an SBOM.

### Fixed
- A stream no longer arrives all at once.

## [0.1.0] - 2026-11-01

- First release.

[Unreleased]: https://github.com/example/oxy/compare/v0.2.0...HEAD
[0.2.0]: https://github.com/example/oxy/compare/v0.1.0...v0.2.0
[0.1.0]: https://github.com/example/oxy/releases/tag/v0.1.0
`;

describe('release notes from CHANGELOG.md', () => {
  it("takes the version's section, subsections included, up to the next release heading", () => {
    expect(changelogSection(CHANGELOG, '0.2.0')).toBe(
      '### Added\n- Release zips built by CI, with an SBOM.\n\n### Fixed\n- A stream no longer arrives all at once.\n',
    );
  });

  it('leaves out the link definitions that close a Keep a Changelog file, and reads CRLF files', () => {
    expect(changelogSection(CHANGELOG.replace(/\n/g, '\r\n'), '0.1.0')).toBe('- First release.\n');
  });

  it('accepts headings without brackets or with a v', () => {
    expect(changelogSection('## 1.0.0\n- a\n', '1.0.0')).toBe('- a\n');
    expect(changelogSection('## [v1.0.0] - 2026-01-01\n- b\n', '1.0.0')).toBe('- b\n');
  });

  it('fails, naming the sections it has, when the version has none', () => {
    expect(() => changelogSection(CHANGELOG, '0.3.0')).toThrow(
      'CHANGELOG.md has no "## [0.3.0]" section (it has: Unreleased, 0.2.0, 0.1.0)',
    );
    // 0.2.0 must not match 0.2.0-rc.1 or 10.2.0.
    expect(() => changelogSection('## [0.2.0-rc.1]\n- x\n## [10.2.0]\n- y\n', '0.2.0')).toThrow(
      'no "## [0.2.0]"',
    );
  });

  it('fails when the section is empty', () => {
    expect(() => changelogSection('## [0.2.0] - 2026-12-02\n\n## [0.1.0]\n- a\n', '0.2.0')).toThrow(
      'section is empty',
    );
  });

  it("requires the tag to be v + package.json's version", () => {
    expect(() => checkTag('v0.2.0', '0.2.0')).not.toThrow();
    expect(() => checkTag('v0.2.1', '0.2.0')).toThrow(
      "tag v0.2.1 does not match package.json's version 0.2.0",
    );
    expect(() => checkTag('0.2.0', '0.2.0')).toThrow('does not match');
    expect(() => checkTag(undefined, '0.2.0')).toThrow('no tag given');
  });

  describe('in a project folder', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'oxy-notes-'));
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '0.2.0' }));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('fails clearly when there is no CHANGELOG.md', () => {
      expect(() => releaseNotes('v0.2.0', dir)).toThrow(
        `CHANGELOG.md not found in ${dir}: the release notes come from its "## [0.2.0]" section`,
      );
    });

    it('checks the tag before reading the changelog', () => {
      writeFileSync(path.join(dir, 'CHANGELOG.md'), CHANGELOG);
      expect(() => releaseNotes('v0.1.0', dir)).toThrow('does not match');
      expect(releaseNotes('v0.2.0', dir)).toContain('Release zips built by CI');
    });
  });

  it('as a command, exits 1 with one line saying why on a tag that is not the version', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/release-notes.ts', 'v0.0.0-not-it'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(
      `release-notes: tag v0.0.0-not-it does not match package.json's version ${version}: ` +
        `the zips would be named v${version}; set "version" to 0.0.0-not-it or tag v${version}`,
    );
  });
});
