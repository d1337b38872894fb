import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Files share one Redis (isolated by key prefix) and spawn child processes; two at a time suits 2 cores.
    maxWorkers: 2,
  },
});
