/**
 * The notes of a release, from CHANGELOG.md: `tsx scripts/release-notes.ts [TAG] [--out FILE]`.
 *
 * TAG (default `$GITHUB_REF_NAME`) must be `v` followed by package.json's version, the version the zips are
 * named after; the notes are the body of CHANGELOG.md's section for that version, a Keep a Changelog heading
 * such as `## [0.2.0] - 2026-12-02`. Anything else fails with one line saying what is wrong, so the release
 * workflow stops before it publishes. Without --out the notes go to stdout.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** The version a level-2 heading names (`## [0.2.0] - date`, `## 0.2.0`, `## [v0.2.0]`), or undefined. */
function headingVersion(line: string): string | undefined {
  return /^##\s+\[?v?([^\]\s]+)\]?(?:\s|$)/.exec(line)?.[1];
}

/** Fails unless `tag` is `v<version>`. */
export function checkTag(tag: string | undefined, version: string): void {
  if (!tag) throw new Error('no tag given: pass it as the first argument or set GITHUB_REF_NAME');
  if (tag !== `v${version}`) {
    throw new Error(
      `tag ${tag} does not match package.json's version ${version}: the zips would be named v${version}; ` +
        `set "version" to ${tag.replace(/^v/, '')} or tag v${version}`,
    );
  }
}

/** The body of `changelog`'s section for `version`, without the heading and trailing link definitions. */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.replace(/\r\n/g, '\n').split('\n');
  const start = lines.findIndex((l) => headingVersion(l) === version);
  if (start < 0) {
    const found = lines.map(headingVersion).filter((v): v is string => v !== undefined);
    throw new Error(
      `CHANGELOG.md has no "## [${version}]" section (it has: ${found.length ? found.join(', ') : 'no "## " sections'})`,
    );
  }
  const next = lines.findIndex((l, i) => i > start && /^##\s/.test(l));
  const body = lines.slice(start + 1, next < 0 ? undefined : next);
  // Keep a Changelog ends the file with `[0.2.0]: https://…compare…` lines; they belong to no section.
  while (body.length > 0 && /^\s*(\[[^\]]+\]:\s*\S+.*)?$/.test(body[body.length - 1]!)) body.pop();
  const notes = body.join('\n').trim();
  if (notes === '') throw new Error(`CHANGELOG.md's "## [${version}]" section is empty`);
  return notes + '\n';
}

/** Checks the tag against package.json and returns the notes from CHANGELOG.md, both under `root`. */
export function releaseNotes(tag: string | undefined, root: string = ROOT): string {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  checkTag(tag, version);
  const file = path.join(root, 'CHANGELOG.md');
  if (!existsSync(file)) {
    throw new Error(
      `CHANGELOG.md not found in ${root}: the release notes come from its "## [${version}]" section`,
    );
  }
  return changelogSection(readFileSync(file, 'utf8'), version);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const tag = args.find((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
  try {
    const notes = releaseNotes(tag ?? process.env.GITHUB_REF_NAME);
    if (out) writeFileSync(out, notes);
    else process.stdout.write(notes);
  } catch (err) {
    console.error(`release-notes: ${(err as Error).message}`);
    process.exit(1);
  }
}
