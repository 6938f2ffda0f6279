import { defineConfig } from 'vitest/config';

// Tests run from source: the `@devsecflow/source` export condition points every workspace
// package at its `src/` so no build is needed first. The rest are Vite's default server
// conditions; `import` is left to Vite, which adds it only for ESM imports (forcing it makes
// CommonJS packages such as `pg` load their dependencies' ESM builds and crash).
const conditions = ['@devsecflow/source', 'module', 'node', 'development|production'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
