import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportSchema, reportJsonSchema } from './model.js';

const committed = join(import.meta.dirname, '../../../docs/schemas/report-v1.schema.json');

describe('report JSON Schema', () => {
  it('matches the committed docs/schemas/report-v1.schema.json', () => {
    const fresh = `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
    const onDisk = readFileSync(committed, 'utf8');
    expect(onDisk, 'stale schema: run `pnpm --filter @devsecflow/core run gen:schema`').toBe(fresh);
  });

  it('rejects unknown fields and bad severities', () => {
    const base = {
      schemaVersion: '1',
      stage: 'sast',
      tool: { name: 'x', version: '1' },
      target: { root: '/r' },
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
      status: 'ok',
      findings: [],
      errors: [],
      stats: {},
    };
    expect(ReportSchema.safeParse(base).success).toBe(true);
    expect(ReportSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    const finding = {
      fingerprint: 'a'.repeat(32),
      stage: 'sast',
      ruleId: 'r',
      title: 't',
      message: 'm',
      severity: 'severe',
      confidence: 'high',
      identifiers: [],
      references: [],
    };
    expect(ReportSchema.safeParse({ ...base, findings: [finding] }).success).toBe(false);
    expect(ReportSchema.safeParse({ ...base, findings: [{ ...finding, severity: 'high' }] }).success).toBe(
      true,
    );
  });
});
