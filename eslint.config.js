// Lint rules: typescript-eslint's recommended set, plus the import boundaries the design depends on
// (core knows neither Slack nor BullMQ, api knows neither Slack nor queues, product code never imports sim,
// and the simulators import nothing from the product, so a wrong product rule cannot hide in the sim).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const boundary = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

const ONE_VOICE = [
  ...['Literal[value=/<[@!]/]', 'TemplateElement[value.raw=/<[@!]/]'].map((selector) => ({ selector, message: 'Slack mentions and <!…> markup belong in src/bot/views: emit a typed event or outcome instead.' })),
  ...['TemplateElement[value.raw=/\\*$/]', 'Literal[value=/^\\*|\\*$/]'].map((selector) => ({ selector, message: 'Slack *bold* formatting (and helpers that wrap values in *…*) belongs in src/bot/views: emit a typed event or outcome instead.' })),
  ...['Literal[value=/(^|\\s):[a-z0-9_+-]+:\\s/]', 'TemplateElement[value.raw=/(^|\\s):[a-z0-9_+-]+:\\s/]'].map((selector) => ({ selector, message: 'Slack emoji (:warning:) belong in src/bot/views: emit a typed event or outcome instead.' })),
  ...['Literal[value=/`/]', 'TemplateElement[value.raw=/\\\\`/]'].map((selector) => ({ selector, message: 'Code spans (`value`) are Slack formatting: word the text in src/bot/views from typed data instead.' })),
  { selector: 'Property[key.name="type"][value.value=/^(section|actions|context|header|divider|mrkdwn|plain_text|rich_text)$/]', message: 'Block Kit is built only in src/bot/views.' },
];

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
    // One voice (issue #10): only src/bot words Slack messages. Elsewhere no mentions (<@U…>), special
    // mentions or dates (<!here>, <!date^…>), *bold* around values (or '*' helpers), `code` spans, emoji, or Block Kit;
    // emit a typed event or outcome (src/core/refusals.ts) and render it in src/bot/views.
    files: ['src/**/*.ts'],
    ignores: ['src/bot/**', 'src/sim/**', 'src/sandbox/**', 'src/jobs/**'],
    rules: { 'no-restricted-syntax': ['error', ...ONE_VOICE] },
  },
  {
    // The jobs do not even hold a Slack client: they call the Messenger port with events.
    files: ['src/jobs/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...ONE_VOICE, { selector: 'ImportDeclaration[source.value=/^@slack\\//]', message: 'Only src/bot talks to Slack.' }] },
  },
  {
    files: ['src/sim/**/*.ts'],
    rules: boundary(['**/core/**', '**/api/**', '**/config/**', '**/bot/**', '**/jobs/**', '**/infra/**', '**/main*', '**/sandbox*'], 'The simulators encode the outside services\' documented rules themselves: no imports from the product.'),
  },
);
