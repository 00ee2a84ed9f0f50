// `npm run mutate`: StrykerJS over the proxy's code with the unit and integration tests (docs/mutation-testing.md).
// The e2e specs are left out: they run the built zips, which Stryker does not rebuild per mutant.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // No globalSetup: it fetches the Node builds only the e2e specs use.
    config: { roots: ['<rootDir>/test/unit', '<rootDir>/test/integration'], globalSetup: null },
    enableFindRelatedTests: false,
  },
  // The entrypoints (functions/*/index.ts, functions/local.ts) only call start(); they run in the e2e specs.
  mutate: ['core/**/*.ts', 'functions/*/platform.ts'],
  coverageAnalysis: 'perTest',
  // One jest process per core: the integration tests open sockets and child processes of their own.
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
