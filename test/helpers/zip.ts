import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export interface ZipEntry {
  name: string;
  /** Unix permission bits as stored in the zip (what both platforms apply on unpacking). */
  mode: number;
  data: Buffer;
}

/** Reads every entry of a zip, in stored order. */
export function readZip(file: string): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip?: ZipFile) => {
      if (err || !zip) return reject(err);
      const entries: ZipEntry[] = [];
      zip.on('entry', (entry: Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.push({
              name: entry.fileName,
              mode: (entry.externalFileAttributes >>> 16) & 0o777,
              data: Buffer.concat(chunks),
            });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Unpacks a zip into a new temp folder with the stored modes, as the platforms do. The caller removes it. */
export async function unpackZip(file: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'oxy-zip-'));
  try {
    for (const entry of await readZip(file)) {
      const target = path.join(dir, entry.name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, entry.data);
      chmodSync(target, entry.mode);
    }
  } catch (err) {
    // Nobody gets the folder's name if this throws: remove it here.
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}
