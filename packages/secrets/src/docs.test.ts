import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderRulesTable, updateRulesTable } from './docs.js';
import { RULES } from './rules.js';

const doc = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/stages/secrets.md');

describe('docs/stages/secrets.md', () => {
  it('holds the rules table generated from the rule data', () => {
    const current = readFileSync(doc, 'utf8');
    const next = updateRulesTable(current);
    if (process.env.UPDATE_DOCS === '1' && next !== current) writeFileSync(doc, next);
    expect(readFileSync(doc, 'utf8'), 'stale rules table: run pnpm --filter @devsecflow/secrets docs').toBe(
      next,
    );
  });

  it('lists every rule once', () => {
    const table = renderRulesTable();
    for (const r of RULES) expect(table.split(`| \`${r.id}\` |`).length - 1, r.id).toBe(1);
  });
});
