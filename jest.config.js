// ESM mode: Jest runs the TypeScript sources through SWC as ES modules (node --experimental-vm-modules).
const shared = {
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'es6' },
    }],
  },
  setupFiles: ['<rootDir>/test/support/env.setup.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/esm-bridge.setup.ts'],
};

// Two projects, so that `npm test` (scripts/test.mjs) can run the pure unit specs in parallel workers
// and the end-to-end suites one at a time: `jest --selectProjects unit` or `e2e`. A path given to jest
// picks its files from both.
export default {
  // Generous on purpose: on a loaded machine a test may only get slower, never fail for it. Tests wait
  // for conditions (expectEventually in test/support/test-app.ts), never for a clock. (Jest reads this
  // option here, not from a project.)
  testTimeout: 180_000,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/src'] },
    { ...shared, displayName: 'e2e', roots: ['<rootDir>/test'] },
  ],
};
