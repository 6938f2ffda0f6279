import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  defaultPolicy,
  InputError,
  type Platform,
  type Report,
  runStage,
} from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { DEPLOY_APPROVAL_RULES as R } from './evaluate.js';
import { GENESIS_DIGEST, sha256, verifyEvidenceLog } from './evidence.js';
import { createDeployApprovalStage } from './stage.js';
import { fakePlatform, finding, OLD_SHA, report, SHA, tree } from './test-helpers.js';

const production = {
  requiredStages: ['sast', 'deps'],
  maxSeverity: 'medium',
  minApprovals: 1,
  approvers: { users: ['alice', 'bob'] },
  allowedRefs: ['main'],
  freeze: [{ weekly: { days: ['sat', 'sun'] } }],
  timeZone: 'Europe/Berlin',
};

function options(over: Record<string, unknown> = {}) {
  return {
    environment: 'production',
    environments: { production },
    reports: ['reports/*.json'],
    evidenceOut: 'out/evidence.json',
    ...over,
  };
}

async function run(
  root: string,
  platform: Platform,
  opts: Record<string, unknown> = options(),
  policyOver: Partial<ReturnType<typeof defaultPolicy>> = {},
): Promise<Report> {
  const policy = { ...defaultPolicy(root), ...policyOver };
  policy.stages = {
    ...policy.stages,
    'deploy-approval': { ...opts, ...(policy.stages['deploy-approval'] ?? {}) },
  };
  // Wednesday 18 November 2026, 12:00 UTC.
  const now = () => new Date('2026-11-18T12:00:00Z');
  return runStage(createDeployApprovalStage({ now }), {
    root,
    policy,
    platform,
    tool: { name: 'devsecflow', version: '0.0.0-test' },
    target: { commit: SHA, ref: 'refs/heads/main' },
    now,
  });
}

const goodReports = () => ({
  'reports/sast.json': report('sast', { findings: [finding({ severity: 'medium' })] }),
  'reports/deps.json': report('deps'),
});
const alice = { user: 'alice', state: 'approved' as const, at: '2026-11-18T11:00:00Z', commit: SHA };

describe('deploy approval stage through runStage', () => {
  it('approves, records evidence and passes the gate', async () => {
    const root = tree(goodReports());
    const platform = fakePlatform({
      approvals: [alice],
      context: { change: { id: 12, author: 'dev' }, repository: 'acme/shop' },
    });
    const r = await run(root, platform);
    expect(r.findings).toEqual([]);
    expect(r.gate?.passed).toBe(true);
    expect(r.stats).toMatchObject({ reports: 2, approvals: 1, approved: 1, reasons: 0 });
    expect(platform.queries).toEqual([{ commit: SHA, teams: [] }]);

    const evidence = JSON.parse(readFileSync(join(root, 'out/evidence.json'), 'utf8'));
    expect(evidence).toMatchObject({
      version: 1,
      seq: 0,
      prev: GENESIS_DIGEST,
      environment: 'production',
      commit: SHA,
      ref: 'refs/heads/main',
      repository: 'acme/shop',
      change: { id: 12, author: 'dev' },
      decision: 'approved',
      reasons: [],
      findings: { critical: 0, high: 0, medium: 1, low: 0, info: 0, suppressed: 0 },
      approvers: [{ user: 'alice', at: '2026-11-18T11:00:00Z', commit: SHA }],
      time: '2026-11-18T12:00:00.000Z',
    });
    expect(evidence.reports).toEqual([
      expect.objectContaining({
        stage: 'deps',
        path: 'reports/deps.json',
        digest: sha256(readFileSync(join(root, 'reports/deps.json'))),
        gatePassed: true,
      }),
      expect.objectContaining({ stage: 'sast', path: 'reports/sast.json', status: 'ok' }),
    ]);
    expect(evidence.policy.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(evidence.policy.value).toMatchObject({
      minApprovals: 1,
      noExpiredSuppressions: true,
      timeZone: 'Europe/Berlin',
    });
    expect(evidence.tools).toMatchObject({
      '@devsecflow/deploy-approval': '0.1.0',
      'sast:devsecflow-sast': '0.1.0',
    });
    const log = await verifyEvidenceLog(join(root, '.devsecflow/evidence.jsonl'));
    expect(log).toMatchObject({ ok: true, records: 1, head: evidence.digest });
    expect(platform.logger).toBeDefined();
  });

  it('blocks with one high finding per reason, fails the gate, and logs every reason', async () => {
    const root = tree({
      'reports/sast.json': report('sast', { findings: [finding({ severity: 'critical' })] }),
      'reports/deps.json': report('deps', { target: { root: '/r', commit: OLD_SHA } }),
    });
    const platform = fakePlatform({
      approvals: [{ ...alice, user: 'dev' }],
      context: { change: { id: 12, author: 'dev' }, ref: 'refs/heads/feature/x' },
    });
    const r = await run(root, platform);
    expect(r.findings.map((f) => f.ruleId)).toEqual([
      R.commitMismatch,
      R.severityCeiling,
      R.approvals,
      R.refNotAllowed,
    ]);
    expect(r.findings.every((f) => f.severity === 'high' && f.stage === 'deploy-approval')).toBe(true);
    expect(r.gate?.passed).toBe(false);
    const lines = (platform.logger as unknown as { lines: string[] }).lines.join('\n');
    expect(lines).toContain('is BLOCKED (4 reason(s))');
    expect(lines).toContain('deploy-approval/approvals: 1 approval(s) from @alice, @bob on commit');
    const evidence = JSON.parse(readFileSync(join(root, 'out/evidence.json'), 'utf8'));
    expect(evidence.decision).toBe('blocked');
    expect(evidence.reasons).toHaveLength(4);
    expect(evidence.ignoredApprovals).toEqual([{ user: 'dev', reason: 'is the change author' }]);
  });

  it('a freeze on the weekend in Berlin blocks, the same instant on a weekday does not', async () => {
    const root = tree(goodReports());
    const policy = { ...defaultPolicy(root) };
    policy.stages = { 'deploy-approval': options() };
    const at = async (iso: string) =>
      runStage(createDeployApprovalStage({ now: () => new Date(iso) }), {
        root,
        policy,
        platform: fakePlatform({ approvals: [alice] }),
        tool: { name: 'devsecflow', version: 't' },
      });
    // Friday 23:30 UTC is Saturday 00:30 in Berlin.
    expect((await at('2026-11-20T23:30:00Z')).findings.map((f) => f.ruleId)).toEqual([R.freeze]);
    expect((await at('2026-11-20T22:30:00Z')).findings).toEqual([]);
    // Both decisions are chained in one log.
    expect(await verifyEvidenceLog(join(root, '.devsecflow/evidence.jsonl'))).toMatchObject({
      ok: true,
      records: 2,
    });
  });

  it("hands the decision to the platform's own deployment gate when asked, never approving on failure", async () => {
    const root = tree(goodReports());
    const reviews: unknown[] = [];
    const approve = fakePlatform({ approvals: [alice] });
    approve.reviewDeployment = async (review) => {
      reviews.push(review);
      return { reviewed: true };
    };
    const ok = await run(root, approve, options({ reviewPlatformDeployment: true }));
    expect(ok.stats).toMatchObject({ approved: 1, platformReviewed: 1 });
    expect(reviews).toEqual([
      {
        environment: 'production',
        commit: SHA,
        approved: true,
        comment: expect.stringContaining('production'),
      },
    ]);

    const reject = fakePlatform({ approvals: [] });
    reject.reviewDeployment = async (review) => {
      reviews.push(review);
      return { reviewed: false, reason: 'not a required reviewer' };
    };
    const blocked = await run(root, reject, options({ reviewPlatformDeployment: true }));
    expect(blocked.stats).toMatchObject({ approved: 0, platformReviewed: 0 });
    expect(reviews[1]).toMatchObject({ approved: false });

    const failing = fakePlatform({ approvals: [alice] });
    failing.reviewDeployment = async () => Promise.reject(new Error('HTTP 500'));
    const still = await run(root, failing, options({ reviewPlatformDeployment: true }));
    expect(still.stats).toMatchObject({ approved: 1, platformReviewed: 0 });
    expect((failing.logger as unknown as { lines: string[] }).lines.join('\n')).toMatch(
      /reviewing the production deployment failed: HTTP 500/,
    );
  });

  it('a platform API failure blocks with the reason', async () => {
    const root = tree(goodReports());
    const r = await run(
      root,
      fakePlatform({ approvals: new Error('GitLab API 503 while reading MR approvals') }),
    );
    expect(r.findings.map((f) => f.message)).toEqual([
      '1 approval(s) required but approvals could not be read: GitLab API 503 while reading MR approvals',
    ]);
  });

  it('a platform without approvals blocks when approvals are required', async () => {
    const root = tree(goodReports());
    const r = await run(root, fakePlatform({ approvals: 'none' }));
    expect(r.findings[0]!.message).toContain('the fake platform cannot report approvals');
  });

  it('a missing required report blocks', async () => {
    const root = tree({ 'reports/sast.json': report('sast') });
    const r = await run(root, fakePlatform({ approvals: [alice] }));
    expect(r.findings.map((f) => f.message)).toEqual(['required stage deps has no report among the inputs']);
  });

  it('ignores earlier deploy-approval reports matched by the glob', async () => {
    const root = tree({
      ...goodReports(),
      'reports/deploy.json': report('deploy-approval', { gate: { passed: false, violations: [] } }),
    });
    const r = await run(root, fakePlatform({ approvals: [alice] }));
    expect(r.findings).toEqual([]);
    expect(r.stats.reports).toBe(2);
  });

  it('a malformed report is an input error naming the file', async () => {
    const root = tree({ ...goodReports(), 'reports/deps.json': '{"schemaVersion": "1", "stage": "deps"' });
    await expect(run(root, fakePlatform())).rejects.toThrow(InputError);
    await expect(run(root, fakePlatform())).rejects.toThrow(
      /^reports\/deps\.json:1:\d+: invalid stage report JSON/,
    );
    const wrong = tree({ ...goodReports(), 'reports/deps.json': { schemaVersion: '1', stage: 'deps' } });
    await expect(run(wrong, fakePlatform())).rejects.toThrow(
      /^reports\/deps\.json: not a DevSecFlow v1 stage report at tool/,
    );
  });

  it('needs an environment with a policy', async () => {
    const root = tree(goodReports());
    await expect(run(root, fakePlatform(), options({ environment: undefined }))).rejects.toThrow(ConfigError);
    await expect(run(root, fakePlatform(), options({ environment: 'staging' }))).rejects.toThrow(
      /no policy for "staging" \(known: production\)/,
    );
    await expect(run(root, fakePlatform(), options({ reports: ['../elsewhere/*.json'] }))).rejects.toThrow(
      /inside it/,
    );
  });

  it('decides the same whatever failOn says (the runner enforces stats.approved)', async () => {
    const root = tree(goodReports());
    const policy = defaultPolicy(root);
    policy.gate.failOn = 'none';
    const r = await run(root, fakePlatform({ approvals: [] }), options(), { gate: policy.gate });
    expect(r.stats.approved).toBe(0);
    expect(r.findings.some((f) => f.ruleId === 'deploy-approval/approvals')).toBe(true);
  });

  it('rejects unknown policy keys (strict options)', async () => {
    const root = tree(goodReports());
    await expect(
      run(root, fakePlatform(), options({ environments: { production: { ...production, minApproval: 2 } } })),
    ).rejects.toThrow(/minApproval/);
  });

  it('blocks when the evidence log is broken, and says at which line', async () => {
    const root = tree(goodReports());
    await run(root, fakePlatform({ approvals: [alice] }));
    await run(root, fakePlatform({ approvals: [alice] }));
    const logPath = join(root, '.devsecflow/evidence.jsonl');
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
    writeFileSync(logPath, `${lines[1]}\n`);
    const r = await run(root, fakePlatform({ approvals: [alice] }));
    expect(r.findings.map((f) => f.ruleId)).toEqual([R.evidence]);
    expect(r.findings[0]!.message).toContain('evidence.jsonl:1: the first record does not start the chain');
    const out = JSON.parse(readFileSync(join(root, 'out/evidence.json'), 'utf8'));
    expect(out.decision).toBe('blocked');
  });
});
