/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are caught by `tsc --noEmit`, which `npm test` runs first; here we only transpile.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Fetches the Node builds the platforms run, once, for the end-to-end specs.
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Fails the run if any log line written during it holds a key (test/helpers/log-audit.ts).
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 20000,
  // End-to-end specs spawn the built zips and share the CPU; two workers match the CI machine.
  maxWorkers: 2,
};
