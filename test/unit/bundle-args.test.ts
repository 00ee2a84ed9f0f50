import path from 'node:path';
import { bundleArgs } from '../../scripts/bundle';

// Found in review: `--config=FILE` and a trailing `--config` were silently ignored, and the build made zips
// without the user's settings (no proxy keys: an open proxy once deployed). The command line is now strict.
describe('the bundler command line', () => {
  it.each<[string[], string, string | undefined]>([
    [[], path.resolve('dist'), undefined],
    [['--out', '/tmp/o', '--config', 'oxy.json'], '/tmp/o', 'oxy.json'],
    [['--config=oxy.json', '--out=/tmp/o'], '/tmp/o', 'oxy.json'],
  ])('reads %j', (args, outDir, configFile) => {
    const read = bundleArgs(args);
    expect(read.configFile).toBe(configFile);
    if (args.length > 0) expect(read.outDir).toBe(outDir);
    else expect(read.outDir.endsWith(`${path.sep}dist`)).toBe(true);
  });

  it.each([[['--config']], [['--config=']], [['--cofnig', 'oxy.json']], [['oxy.json']], [['--out']]])(
    'refuses %j',
    (args) => expect(() => bundleArgs(args)).toThrow(),
  );
});
