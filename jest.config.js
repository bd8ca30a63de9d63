// ESM mode: see docs/architecture.md, stack notes ("The Jest ESM bridge").
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
  
  testTimeout: 60000,
};
