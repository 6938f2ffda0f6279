import { defineConfig } from 'vitest/config';

// Tests run from source: the `@devsecflow/source` export condition points every workspace
// package at its `src/` so no build is needed first.
export default defineConfig({
  resolve: { conditions: ['@devsecflow/source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@devsecflow/source', 'import', 'module', 'node', 'default'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
