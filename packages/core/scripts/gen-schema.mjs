#!/usr/bin/env node
// Writes docs/schemas/report-v1.schema.json from the zod model (run after a build:
// `pnpm --filter @devsecflow/core run gen:schema`). A test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../dist/index.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/schemas/report-v1.schema.json');
writeFileSync(out, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
