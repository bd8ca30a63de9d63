// Two projects: unit specs (*.spec.ts, beside the code in src/ and in test/) need nothing running;
// end-to-end specs (test/**/*.e2e-spec.ts) need a Redis, which their global setup finds or starts
// (docs/operations.md, "Redis for the tests"). Jest runs a project's global setup only when at least
// one of its tests is selected, so `npx jest src/x.spec.ts` never looks for a Redis.
// The ESM bridge: see test/support/esm-bridge.setup.ts.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
  },
  setupFiles: ['<rootDir>/test/support/env.setup.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/support/esm-bridge.setup.ts'],
};

// Jest reads testTimeout here, not from a project. Generous on purpose: on a loaded machine a test may
// only get slower, never fail for it; tests wait for conditions (expectEventually), never for a clock.
export default {
  testTimeout: 180_000,
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/src', '<rootDir>/test'], testRegex: '\\.spec\\.ts$' },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      globalSetup: '<rootDir>/test/support/redis.global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/redis.global-teardown.mjs',
    },
  ],
};
