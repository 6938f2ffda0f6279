import { describe, expect, it } from 'vitest';
import { mergeReports } from './merge.js';
import type { Report } from './model.js';
import { finding } from './test-helpers.js';

const base = (over: Partial<Report>): Report => ({
  schemaVersion: '1',
  stage: 'sast',
  tool: { name: 'devsecflow', version: '0.1.0' },
  target: { root: '/r', commit: 'abc' },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  status: 'ok',
  findings: [],
  errors: [],
  stats: { filesScanned: 2 },
  ...over,
});

describe('mergeReports', () => {
  it('dedupes by fingerprint only and keeps every distinct finding', () => {
    const a = base({
      findings: [finding({ fingerprint: '1'.repeat(32) }), finding({ fingerprint: '2'.repeat(32) })],
    });
    const b = base({
      startedAt: '2025-12-31T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:05.000Z',
      status: 'partial',
      errors: [{ message: 'x', kind: 'error' }],
      findings: [
        finding({ fingerprint: '2'.repeat(32) }),
        finding({ fingerprint: '3'.repeat(32), ruleId: 'same-line-other-rule' }),
      ],
    });
    const c = base({
      stage: 'secrets',
      findings: [finding({ stage: 'secrets', fingerprint: '1'.repeat(32) })],
    });
    const [sast, secrets] = mergeReports([a, b, c]);
    expect(sast!.findings.map((f) => f.fingerprint[0])).toEqual(['1', '2', '3']);
    expect(sast!.status).toBe('partial');
    expect(sast!.stats).toEqual({ filesScanned: 4, mergedReports: 2 });
    expect(sast!.startedAt).toBe('2025-12-31T00:00:00.000Z');
    expect(sast!.finishedAt).toBe('2026-01-01T00:00:05.000Z');
    expect(sast!.errors).toHaveLength(1);
    expect(secrets!.findings).toHaveLength(1);
  });

  it('keeps the tool of each finding when tools differ', () => {
    const a = base({ findings: [finding({ fingerprint: '1'.repeat(32) })] });
    const b = base({
      tool: { name: 'CodeQL', version: '2.20' },
      findings: [finding({ fingerprint: '2'.repeat(32) })],
    });
    const [m] = mergeReports([a, b]);
    expect(m!.findings.map((f) => f.tool?.name)).toEqual(['devsecflow', 'CodeQL']);
  });

  it('refuses reports of different checkouts', () => {
    expect(() => mergeReports([base({}), base({ target: { root: '/other' } })])).toThrow(/different targets/);
  });
});
