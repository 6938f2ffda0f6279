import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The shared `import` condition also reaches Node's require() inside CommonJS pg, which then loads
// pg-pool's ESM wrapper ("Class extends value [object Module]"); this package resolves without it.
const conditions = ['@devsecflow/source', 'node', 'default'];
export default defineConfig({
  ...shared,
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node', 'require', 'default'] } },
});
