import type { Finding, Report, StageId } from '@devsecflow/core';

/** A finding with the fields every report has; override what a test cares about. */
export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    fingerprint: '0123456789abcdef',
    stage: 'sast',
    ruleId: 'js/eval-injection',
    title: 'eval() of user input',
    message: 'User input reaches eval().',
    severity: 'high',
    confidence: 'high',
    location: { path: 'src/app.js', startLine: 12 },
    identifiers: [],
    references: [],
    ...overrides,
  };
}

/** A stage report as the runner hands it to publish(). */
export function report(stage: StageId, findings: Finding[], gatePassed = findings.length === 0): Report {
  return {
    schemaVersion: '1',
    stage,
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/builds/group/project', commit: 'a'.repeat(40) },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    status: 'ok',
    findings: findings.map((f) => ({ ...f, stage })),
    errors: [],
    stats: {},
    gate: {
      passed: gatePassed,
      violations: gatePassed
        ? []
        : [{ rule: 'fail-on', message: `${findings.length} finding(s) at or above high` }],
    },
  };
}
