import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundle } from '../../scripts/bundle';
import { readZip } from '../helpers/zip';
import { VERSION } from './dist';

// `npm run bundle -- --config FILE` checks the file, not the machine it runs on: Tencent moderation's
// credentials and region come from the function's environment at run time.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oxy-bundle-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const build = (name: string, settings: object): Promise<void> => {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(settings));
  return bundle(path.join(dir, name), file);
};

it('builds a zip whose oxy.json turns Tencent moderation on, without credentials on the build machine', async () => {
  const settings = { moderation: 'tencent', moderationLevel: 'review' };
  await build('tencent', settings);
  const entries = await readZip(path.join(dir, 'tencent', `oxy-scf-v${VERSION}.zip`));
  const file = entries.find((e) => e.name === 'oxy.json');
  expect(JSON.parse(file!.data.toString())).toEqual(settings);
}, 60_000);

it('refuses a moderation setting it does not know, naming the file and key', async () => {
  await expect(build('bad', { moderation: 'azure' })).rejects.toThrow(
    /invalid configuration: .*bad\.json: moderation.*expected off, tencent or openai/,
  );
}, 60_000);
