// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What workflow code may not import: I/O and Node built-ins belong in activities. */
const NOT_IN_WORKFLOWS = {
  patterns: [
    { group: ['node:*'], message: 'Workflow code stays deterministic: Node built-ins belong in activities.' },
    {
      group: ['fs', 'fs/*', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'timers', 'timers/*', 'worker_threads'],
      message: 'Workflow code stays deterministic: Node built-ins belong in activities.',
    },
    {
      group: ['mssql', 'better-sqlite3', 'undici', '@azure/*', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'],
      message: 'Workflow code makes no I/O: this belongs in an activity or the worker.',
    },
    {
      group: ['../activities', '../activities/*', '../activities/**', '../worker', '../worker/*', '../client', '../client/*'],
      allowTypeImports: true,
      message: 'Workflows may import only types from activities, the worker and the client: values pull I/O into the sandbox.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.tools/', 'test-artifacts/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // The store contract and its SQLite methods are async by their interface, with nothing to await.
      '@typescript-eslint/require-await': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', NOT_IN_WORKFLOWS],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflow code reads no environment: settings come through an activity.' },
        { name: 'fetch', message: 'Workflow code makes no I/O: call an activity.' },
        { name: 'setInterval', message: 'Use the workflow API (sleep, condition).' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'activities/store/store-contract.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests print API rows of any JSON shape, and match terminal escape codes.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      'no-control-regex': 'off',
    },
  },
);
