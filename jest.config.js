// Unit specs sit next to the code (src/, *.spec.ts); end-to-end specs in test/ (*.e2e-spec.ts).
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  testTimeout: 60000,
  // Servers are real child processes; keep CPU contention predictable on small machines.
  maxWorkers: 2,
  // One temporary directory per run, removed at the end.
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
};
