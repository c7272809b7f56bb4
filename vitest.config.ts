import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores on CI: forks keep native sqlite handles and servers per file isolated.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
