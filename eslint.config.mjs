// ESLint for Recovery Desk (`npm run lint`, see docs/operations.md): the type-checked rules of typescript-eslint
// for the TypeScript, plain recommended rules for the JavaScript, and Prettier (last) owning all formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-eval/', 'var/', 'coverage/', 'node_modules/'] },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    // Scripts served to the browser (the passkey ceremonies): browser globals, not Node's.
    files: ['views/static/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { field: _, ...rest } = x` is how the code and tests drop a field from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
      // An async body without await is how this code meets Promise-returning contracts (Nest hooks, BullMQ
      // processors, writer interfaces); the real danger, a promise nobody awaits, is no-floating-promises' job.
      '@typescript-eslint/require-await': 'off',
      // Input validation rejects control characters on purpose, with regular expressions that name them.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      // Response bodies (supertest's `res.body`, JSON.parse, page.evaluate) are `any` by design in tests:
      // the assertions are what check their shape.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // expect(handledJob(Class.prototype.method)) passes methods as values to read their metadata, never calls them.
      '@typescript-eslint/unbound-method': 'off',
      // BullMQ hands job names back as plain strings; tests compare them with the JobName enum's values.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    files: ['src/seed/bulk-seeder.ts'],
    rules: {
      // Its `dataSource.query(...) as Row[]` cast is equivalent to `query<Row[]>(...)`; left as it is here.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  prettier,
);
