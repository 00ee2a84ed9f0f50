import { readFileSync, statSync } from 'node:fs';
import { ValueError } from './values';

/** Far above any real file: a thousand routes, each with its own key pool, fit in a few hundred KB. */
const MAX_BYTES = 1024 * 1024;

/** A config file's settings, by file key (`proxyKeys`), not yet validated one by one. */
export type FileSettings = Readonly<Record<string, unknown>>;

/**
 * Reads a JSON config file. `required`: a missing file is an error (a path the user named) rather than
 * no file (the default `oxy.json` beside index.js). Throws a ValueError that names the problem, never a
 * piece of the file's text: JSON.parse's own messages quote it, and it holds keys.
 */
export function readConfigFile(
  file: string,
  required: boolean,
  known: ReadonlySet<string>,
): FileSettings | undefined {
  let text: string;
  try {
    // A FIFO or a device would block the read (and the start) for good, and nothing bigger is a config.
    const stat = statSync(file);
    if (!stat.isFile()) throw new ValueError('is not a regular file');
    if (stat.size > MAX_BYTES) throw new ValueError(`is over ${MAX_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof ValueError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new ValueError(`cannot be read (${code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ValueError(
      `is not valid JSON${at === undefined ? '' : ` (near ${lineAndColumn(text, Number(at))})`}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValueError('must hold one JSON object, such as {"proxyKeys": ["…"]}');
  }
  const unknown = Object.keys(value).find((k) => !known.has(k));
  if (unknown !== undefined) {
    // A name is printed only when it looks like one: a key pasted as a name must not reach the logs.
    const name = /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(unknown) ? `"${unknown}"` : 'with that name';
    throw new ValueError(`has no setting ${name}; settings are ${[...known].join(', ')}`);
  }
  return value as FileSettings;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}
