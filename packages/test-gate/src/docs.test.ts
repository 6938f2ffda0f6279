import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COVERAGE_FORMATS } from './coverage.js';
import { optionsMarkdownTable } from './options.js';
import { TEST_GATE_RULES } from './stage.js';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/stages/test-gate.md'), 'utf8');

describe('docs/stages/test-gate.md', () => {
  it('has the options table generated from the schema', () => {
    expect(doc).toContain(optionsMarkdownTable());
  });

  it('documents every rule and coverage format', () => {
    for (const rule of Object.values(TEST_GATE_RULES)) expect(doc).toContain(`\`${rule}\``);
    for (const format of COVERAGE_FORMATS) expect(doc).toContain(`| \`${format}\` |`);
  });
});
