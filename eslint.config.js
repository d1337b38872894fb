// Lint rules: typescript-eslint's recommended set, plus the import boundaries the design depends on
// (core knows neither Slack nor BullMQ, api knows neither Slack nor queues, product code never imports sim,
// and the simulators import nothing from the product, so a wrong product rule cannot hide in the sim).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const boundary = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The sandbox page's script runs in the browser, unbundled.
    files: ['src/sandbox/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: boundary(['@slack/*', 'bullmq', '**/bot/**', '**/jobs/**', '**/sim/**'], 'src/core is the domain: no Slack, no BullMQ, no simulators.'),
  },
  {
    files: ['src/api/**/*.ts'],
    rules: boundary(['@slack/*', 'bullmq', '**/bot/**', '**/jobs/**', '**/sim/**'], 'src/api knows no Slack and no queue.'),
  },
  {
    files: ['src/bot/**/*.ts', 'src/jobs/**/*.ts', 'src/config/**/*.ts', 'src/infra/**/*.ts'],
    rules: boundary(['**/sim/**'], 'Product code never imports the simulators; only the sandbox does (src/sandbox.ts, src/sandbox/), started by src/main.ts.'),
  },
  {
    files: ['src/sim/**/*.ts'],
    rules: boundary(['**/core/**', '**/api/**', '**/config/**', '**/bot/**', '**/jobs/**', '**/infra/**', '**/main*', '**/sandbox*'], 'The simulators encode the outside services\' documented rules themselves: no imports from the product.'),
  },
);
