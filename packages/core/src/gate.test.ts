import { describe, expect, it } from 'vitest';
import { evaluateGate } from './gate.js';
import type { Report } from './model.js';
import { defaultPolicy, type Policy } from './policy.js';
import { finding } from './test-helpers.js';

function report(over: Partial<Report> = {}): Report {
  return {
    schemaVersion: '1',
    stage: 'sast',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/r' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    status: 'ok',
    findings: [],
    errors: [],
    stats: {},
    ...over,
  };
}
const policy = (over: Partial<Policy> = {}): Policy => ({ ...defaultPolicy('/r'), ...over });

describe('evaluateGate', () => {
  it('passes a clean report and fails on failOn and above', () => {
    expect(evaluateGate([report()], policy())).toEqual({ passed: true, violations: [] });
    const r = report({
      findings: [
        finding({ severity: 'medium' }),
        finding({ fingerprint: 'a'.repeat(32), severity: 'critical' }),
      ],
    });
    const g = evaluateGate([r], policy());
    expect(g.passed).toBe(false);
    expect(g.violations).toHaveLength(1);
    expect(g.violations[0]).toMatchObject({ rule: 'fail-on', fingerprint: 'a'.repeat(32) });
    expect(evaluateGate([r], policy(), { failOn: 'medium' }).violations).toHaveLength(2);
    expect(evaluateGate([r], policy(), { failOn: 'none' }).passed).toBe(true);
  });

  it('skips suppressed findings, and existing ones under newOnly', () => {
    const r = report({
      findings: [
        finding({ suppression: { kind: 'config', reason: 'x' } }),
        finding({ fingerprint: 'b'.repeat(32), baselineState: 'existing' }),
      ],
    });
    expect(evaluateGate([r], policy()).violations).toHaveLength(1);
    expect(evaluateGate([r], policy(), { newOnly: true }).passed).toBe(true);
  });

  it('applies stage and team settings, the last matching team winning', () => {
    const p = policy({
      stages: { sast: { failOn: 'critical' } },
      teams: [
        { name: 'a', paths: ['pay/**'], failOn: 'low', ignore: [] },
        { name: 'b', paths: ['pay/legacy/**'], failOn: 'none', ignore: [] },
      ],
    });
    const r = report({
      findings: [
        finding({
          fingerprint: '1'.repeat(32),
          severity: 'high',
          location: { path: 'web/a.js', startLine: 1 },
        }),
        finding({
          fingerprint: '2'.repeat(32),
          severity: 'medium',
          location: { path: 'pay/a.js', startLine: 1 },
        }),
        finding({
          fingerprint: '3'.repeat(32),
          severity: 'critical',
          location: { path: 'pay/legacy/a.js', startLine: 1 },
        }),
      ],
    });
    expect(evaluateGate([r], p).violations.map((v) => v.fingerprint)).toEqual(['2'.repeat(32)]);
  });

  it('enforces maxFindings, required stages and partial/failed reports', () => {
    const r = report({
      findings: [finding({ severity: 'low' }), finding({ fingerprint: 'c'.repeat(32), severity: 'low' })],
    });
    expect(
      evaluateGate(
        [r],
        policy({ gate: { failOn: 'high', maxFindings: 1, newOnly: false, allowPartial: false } }),
      ).violations,
    ).toMatchObject([{ rule: 'max-findings' }]);
    expect(evaluateGate([r], policy({ requiredStages: ['secrets'] })).violations).toMatchObject([
      { rule: 'required-stage', stage: 'secrets' },
    ]);
    const partial = report({ status: 'partial', errors: [{ message: 'OSV unreachable', kind: 'error' }] });
    expect(evaluateGate([partial], policy()).violations).toMatchObject([{ rule: 'partial-report' }]);
    expect(evaluateGate([partial], policy(), { allowPartial: true }).passed).toBe(true);
    const failed = report({ status: 'failed', errors: [{ message: 'crashed', kind: 'error' }] });
    expect(evaluateGate([failed], policy(), { allowPartial: true }).violations).toMatchObject([
      { rule: 'stage-failed' },
    ]);
  });
});
