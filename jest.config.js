// ESM mode: Jest runs the TypeScript sources through SWC as ES modules (node --experimental-vm-modules).
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
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
  // Generous on purpose: on a loaded machine a test may only get slower, never fail for it. Tests wait
  // for conditions (expectEventually in test/support/test-app.ts), never for a clock.
  testTimeout: 180_000,
};
