import type { Approval } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import {
  type ApprovalSource,
  type EvaluateInput,
  evaluatePolicy,
  DEPLOY_APPROVAL_RULES as R,
} from './evaluate.js';
import { sha256 } from './evidence.js';
import { EnvironmentPolicySchema } from './options.js';
import type { LoadedReport } from './reports.js';
import { finding, OLD_SHA, report, SHA } from './test-helpers.js';

const NOW = new Date('2026-11-18T12:00:00Z'); // a Wednesday

function loaded(r: ReturnType<typeof report>, path = `reports/${r.stage}.json`): LoadedReport {
  return { path, digest: sha256(JSON.stringify(r)), report: r };
}

const approved = (user: string, over: Partial<Approval> = {}): Approval => ({
  user,
  state: 'approved',
  at: '2026-11-18T11:00:00Z',
  commit: SHA,
  ...over,
});

function run(policy: unknown, over: Partial<EvaluateInput> = {}) {
  return evaluatePolicy({
    environment: 'production',
    policy: EnvironmentPolicySchema.parse(policy),
    commit: SHA,
    ref: 'refs/heads/main',
    author: 'dev',
    reports: [loaded(report('sast')), loaded(report('deps'))],
    approvals: { ok: true, approvals: [] },
    now: NOW,
    ...over,
  });
}
const rules = (e: ReturnType<typeof run>) => e.reasons.map((r) => r.rule);

describe('required stages', () => {
  const policy = { requiredStages: ['sast', 'deps'] };

  it('pass when every report exists, is for the commit, complete and passed', () => {
    expect(run(policy).reasons).toEqual([]);
  });

  it('a missing report blocks', () => {
    const e = run(policy, { reports: [loaded(report('sast'))] });
    expect(e.reasons).toEqual([
      { rule: R.missingReport, stage: 'deps', message: 'required stage deps has no report among the inputs' },
    ]);
  });

  it('a report for another commit blocks, naming both commits', () => {
    const e = run(policy, {
      reports: [loaded(report('sast', { target: { root: '/r', commit: OLD_SHA } })), loaded(report('deps'))],
    });
    expect(rules(e)).toEqual([R.commitMismatch]);
    expect(e.reasons[0]!.message).toContain(
      `is for commit ${OLD_SHA.slice(0, 12)}, not the deployed commit ${SHA.slice(0, 12)}`,
    );
  });

  it('a report without a commit blocks', () => {
    const e = run(policy, {
      reports: [loaded(report('sast', { target: { root: '/r' } })), loaded(report('deps'))],
    });
    expect(e.reasons[0]!.message).toContain('does not say which commit it scanned');
  });

  it('a partial report blocks unless partial results are allowed for that stage', () => {
    const partial = report('deps', {
      status: 'partial',
      errors: [{ message: 'OSV unreachable', kind: 'error' }],
    });
    const reports = [loaded(report('sast')), loaded(partial)];
    const e = run(policy, { reports });
    expect(rules(e)).toEqual([R.incompleteReport]);
    expect(e.reasons[0]!.message).toContain('status partial: OSV unreachable');
    expect(run({ ...policy, allowPartial: ['deps'] }, { reports }).reasons).toEqual([]);
    expect(run({ ...policy, allowPartial: ['sast'] }, { reports }).reasons).toHaveLength(1);
  });

  it('a failed report blocks even when partial is allowed', () => {
    const failed = report('deps', { status: 'failed', errors: [{ message: 'crashed', kind: 'error' }] });
    expect(
      rules(run({ ...policy, allowPartial: true }, { reports: [loaded(report('sast')), loaded(failed)] })),
    ).toEqual([R.incompleteReport]);
  });

  it('a failed gate or a missing gate result blocks', () => {
    const failedGate = report('sast', {
      gate: { passed: false, violations: [{ rule: 'fail-on', message: 'high js/eval at a.js:1' }] },
    });
    const noGate = report('deps', { gate: undefined });
    const e = run(policy, { reports: [loaded(failedGate), loaded(noGate)] });
    expect(rules(e)).toEqual([R.gateFailed, R.gateFailed]);
    expect(e.reasons[0]!.message).toContain('first: high js/eval at a.js:1');
    expect(e.reasons[1]!.message).toContain('has no gate result');
  });

  it('an unknown deployed commit blocks', () => {
    expect(rules(run({}, { commit: undefined }))).toEqual([R.unknownCommit]);
  });
});

describe('severity ceiling', () => {
  const reports = [
    loaded(
      report('sast', {
        findings: [
          finding({ severity: 'high' }),
          finding({
            severity: 'critical',
            suppression: { kind: 'config', reason: 'false positive', source: 'devsecflow.yml:12' },
          }),
          finding({ severity: 'medium' }),
        ],
      }),
    ),
  ];

  it('blocks on unsuppressed findings above the ceiling only', () => {
    const e = run({ maxSeverity: 'medium' }, { reports });
    expect(rules(e)).toEqual([R.severityCeiling]);
    expect(e.reasons[0]!.message).toContain(
      '1 unsuppressed finding(s) above the ceiling medium (1 high), e.g. high js/eval at src/app.js:3',
    );
    expect(run({ maxSeverity: 'high' }, { reports }).reasons).toEqual([]);
  });

  it('counts findings by severity and lists suppressions in force', () => {
    const e = run({}, { reports });
    expect(e.findingCounts).toEqual({ critical: 0, high: 1, medium: 1, low: 0, info: 0, suppressed: 1 });
    expect(e.suppressions).toEqual([
      expect.objectContaining({
        stage: 'sast',
        ruleId: 'js/eval',
        kind: 'config',
        reason: 'false positive',
        source: 'devsecflow.yml:12',
      }),
    ]);
  });
});

describe('expired suppressions', () => {
  const expiredIgnore = finding({
    ruleId: 'devsecflow/expired-ignore',
    severity: 'low',
    message: 'The ignore for rule js/eval expired on 2026-11-01',
  });
  const lapsed = finding({
    suppression: {
      kind: 'config',
      reason: 'vendor fix pending',
      expires: '2026-11-17',
      source: 'devsecflow.yml:20',
    },
  });
  const current = finding({
    suppression: { kind: 'config', reason: 'vendor fix pending', expires: '2026-11-18' },
  });

  it("blocks on core's expired-ignore findings and on suppressions that expired since the scan", () => {
    const e = run({}, { reports: [loaded(report('sast', { findings: [expiredIgnore, lapsed, current] }))] });
    expect(rules(e)).toEqual([R.expiredSuppression, R.expiredSuppression]);
    expect(e.reasons.map((r) => r.message).join('\n')).toContain('devsecflow.yml:20) expired on 2026-11-17');
  });

  it('passes when none expired, or when the rule is off', () => {
    expect(run({}, { reports: [loaded(report('sast', { findings: [current] }))] }).reasons).toEqual([]);
    expect(
      run(
        { noExpiredSuppressions: false },
        { reports: [loaded(report('sast', { findings: [expiredIgnore, lapsed] }))] },
      ).reasons,
    ).toEqual([]);
  });
});

describe('approvals', () => {
  const policy = { minApprovals: 2, approvers: { teams: ['acme/release'], users: ['alice'] } };
  const ok = (approvals: Approval[]): ApprovalSource => ({ ok: true, approvals });

  it('pass with enough approvals from named approvers on the commit', () => {
    const e = run(policy, {
      approvals: ok([approved('alice'), approved('bob', { teams: ['acme/release'] })]),
    });
    expect(e.reasons).toEqual([]);
    expect(e.approvers.map((a) => a.user)).toEqual(['alice', 'bob']);
  });

  it('block when too few count, naming each one ignored and why', () => {
    const e = run(policy, {
      approvals: ok([
        approved('alice'),
        approved('dev', { teams: ['acme/release'] }),
        approved('bob', { commit: OLD_SHA, teams: ['acme/release'] }),
      ]),
    });
    expect(rules(e)).toEqual([R.approvals]);
    const m = e.reasons[0]!.message;
    expect(m).toContain('2 approval(s) from @alice, team acme/release on commit');
    expect(m).toContain('1 given (alice)');
    expect(m).toContain('dev is the change author');
    expect(m).toContain(`bob approved ${OLD_SHA.slice(0, 12)}`);
  });

  it('an API failure blocks with its reason and never approves', () => {
    const e = run(policy, { approvals: { ok: false, reason: 'GitHub API 502 while listing reviews' } });
    expect(e.reasons).toEqual([
      {
        rule: R.approvals,
        message:
          '2 approval(s) required but approvals could not be read: GitHub API 502 while listing reviews',
      },
    ]);
  });

  it('no approvals required: a failure does not block', () => {
    expect(run({}, { approvals: { ok: false, reason: 'x' } }).reasons).toEqual([]);
  });
});

describe('allowed refs', () => {
  it('pass and block', () => {
    expect(run({ allowedRefs: ['main', 'v*'] }).reasons).toEqual([]);
    const e = run({ allowedRefs: ['main', 'v*'] }, { ref: 'refs/heads/feature/x' });
    expect(e.reasons).toEqual([
      {
        rule: R.refNotAllowed,
        message: 'refs/heads/feature/x may not be deployed to production (allowed: main, v*)',
      },
    ]);
    expect(rules(run({ allowedRefs: ['main'] }, { ref: undefined }))).toEqual([R.refNotAllowed]);
  });
});

describe('freeze windows', () => {
  it('block inside a window in the configured zone and pass outside', () => {
    const policy = {
      freeze: [{ weekly: { days: ['wed'], from: '20:00', to: '24:00' }, reason: 'no evening deploys' }],
      timeZone: 'Asia/Tokyo',
    };
    // 12:00 UTC on Wednesday is 21:00 Wednesday in Tokyo.
    const e = run(policy);
    expect(e.reasons).toEqual([
      {
        rule: R.freeze,
        message: 'production is in a change freeze: weekly wed 20:00-24:00 (Asia/Tokyo): no evening deploys',
      },
    ]);
    expect(run({ ...policy, timeZone: 'UTC' }).reasons).toEqual([]);
  });
});

describe('everything at once', () => {
  it('lists every reason, not just the first', () => {
    const e = run(
      {
        requiredStages: ['secrets'],
        minApprovals: 1,
        allowedRefs: ['main'],
        freeze: [{ from: '2026-11-18', to: '2026-11-18' }],
      },
      { ref: 'refs/heads/dev' },
    );
    expect(rules(e)).toEqual([R.missingReport, R.approvals, R.refNotAllowed, R.freeze]);
  });
});
