import { describe, expect, it } from 'vitest';
import { digestOf, type EvidenceRecord } from './evidence.js';
import { formatDecision } from './summary.js';
import { SHA } from './test-helpers.js';

const record: EvidenceRecord = {
  version: 1,
  time: '2026-11-18T12:00:00.000Z',
  environment: 'production',
  platform: 'github',
  commit: SHA,
  ref: 'refs/heads/main',
  decision: 'blocked',
  reasons: [
    { rule: 'deploy-approval/approvals', message: '1 approval(s) on commit c0ffee111111 required, 0 given' },
    {
      rule: 'deploy-approval/freeze',
      message: 'production is in a change freeze: weekly fri 16:00-24:00 (UTC)',
    },
  ],
  reports: [],
  findings: { critical: 0, high: 2, medium: 0, low: 1, info: 0, suppressed: 3 },
  suppressions: [],
  approvers: [{ user: 'alice', at: '2026-11-18T11:00:00Z' }],
  ignoredApprovals: [],
  freezes: [],
  policy: { digest: digestOf({}), value: {} },
  tools: {},
  seq: 4,
  prev: 'sha256:x',
  digest: 'sha256:abc',
};

describe('formatDecision', () => {
  it('states the verdict, every reason, approvers and the evidence digest', () => {
    expect(formatDecision(record)).toBe(
      [
        `DevSecFlow deploy approval: BLOCKED for production, commit ${SHA.slice(0, 12)} (refs/heads/main)`,
        '- deploy-approval/approvals: 1 approval(s) on commit c0ffee111111 required, 0 given',
        '- deploy-approval/freeze: production is in a change freeze: weekly fri 16:00-24:00 (UTC)',
        'Approved by: alice (2026-11-18T11:00:00Z)',
        'Findings: 2 high, 1 low; 3 suppressed; 0 report(s)',
        'Evidence: record 4, sha256:abc',
        `Policy: ${digestOf({})}`,
      ].join('\n'),
    );
  });

  it('counts the reasons it had to cut', () => {
    const many = {
      ...record,
      reasons: Array.from({ length: 50 }, (_, i) => ({
        rule: 'deploy-approval/freeze' as const,
        message: `window ${i} ${'x'.repeat(80)}`,
      })),
    };
    const text = formatDecision(many, 1_000);
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text).toMatch(/- \.\.\. and \d+ more reason\(s\)/);
  });
});
