import { defineConfig } from 'vitest/config';

/** Browser tier: real Chromium (Debian's package) driven by playwright-core, axe-core on every page. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    setupFiles: ['test/support/setup.ts'],
  },
});
