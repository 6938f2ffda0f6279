import { type Approval, SEVERITIES, type Severity, severityRank } from '@devsecflow/core';
import { countApprovals, type IgnoredApproval } from './approvals.js';
import type { SuppressionEvidence } from './evidence.js';
import { activeFreezes, describeFreeze } from './freeze.js';
import type { EnvironmentPolicy } from './options.js';
import { refAllowed } from './refs.js';
import type { LoadedReport } from './reports.js';

/** Rule ids of the findings this stage emits, one per unmet policy rule. */
export const DEPLOY_APPROVAL_RULES = {
  unknownCommit: 'deploy-approval/unknown-commit',
  missingReport: 'deploy-approval/missing-report',
  commitMismatch: 'deploy-approval/commit-mismatch',
  incompleteReport: 'deploy-approval/incomplete-report',
  gateFailed: 'deploy-approval/gate-failed',
  severityCeiling: 'deploy-approval/severity-ceiling',
  expiredSuppression: 'deploy-approval/expired-suppression',
  approvals: 'deploy-approval/approvals',
  refNotAllowed: 'deploy-approval/ref-not-allowed',
  freeze: 'deploy-approval/freeze',
  evidence: 'deploy-approval/evidence',
} as const;
export type DeployApprovalRule = (typeof DEPLOY_APPROVAL_RULES)[keyof typeof DEPLOY_APPROVAL_RULES];

/** One unmet rule. */
export interface Reason {
  rule: DeployApprovalRule;
  message: string;
  stage?: string;
}

/** Approvals as read from the platform, or why they could not be read. */
export type ApprovalSource = { ok: true; approvals: Approval[] } | { ok: false; reason: string };

export interface EvaluateInput {
  environment: string;
  policy: EnvironmentPolicy;
  commit?: string;
  ref?: string;
  author?: string;
  reports: LoadedReport[];
  approvals: ApprovalSource;
  now: Date;
}

export interface Evaluation {
  reasons: Reason[];
  findingCounts: Record<Severity, number> & { suppressed: number };
  suppressions: SuppressionEvidence[];
  approvers: Approval[];
  ignoredApprovals: IgnoredApproval[];
  freezes: string[];
}

const EXPIRED_IGNORE = 'devsecflow/expired-ignore';
const short = (sha: string) => sha.slice(0, 12);

/** Same end-of-day rule as core: a date without a time expires at the end of that day (UTC). */
export function suppressionExpired(expires: string | undefined, now: Date): boolean {
  if (!expires) return false;
  const end = /^\d{4}-\d{2}-\d{2}$/.test(expires)
    ? Date.parse(`${expires}T23:59:59.999Z`)
    : Date.parse(expires);
  return Number.isFinite(end) && now.getTime() > end;
}

function partialAllowed(policy: EnvironmentPolicy, stage: string): boolean {
  return (
    policy.allowPartial === true ||
    (Array.isArray(policy.allowPartial) && policy.allowPartial.includes(stage as never))
  );
}

/**
 * The policy check: a pure function from the environment policy, the deploy context, the stage
 * reports and the approvals to every unmet rule. No reason means the deploy may proceed.
 */
export function evaluatePolicy(input: EvaluateInput): Evaluation {
  const { policy, reports, now } = input;
  const reasons: Reason[] = [];
  const add = (rule: DeployApprovalRule, message: string, stage?: string) =>
    reasons.push({ rule, message, ...(stage ? { stage } : {}) });
  const commit = input.commit;

  if (!commit)
    add(
      DEPLOY_APPROVAL_RULES.unknownCommit,
      'the commit being deployed is unknown, so no report or approval can be tied to it',
    );

  // Reports: every one read feeds the decision, so every one must describe the deployed commit.
  for (const { path, report } of reports) {
    if (commit && report.target.commit !== commit) {
      add(
        DEPLOY_APPROVAL_RULES.commitMismatch,
        report.target.commit
          ? `${report.stage} report ${path} is for commit ${short(report.target.commit)}, not the deployed commit ${short(commit)}`
          : `${report.stage} report ${path} does not say which commit it scanned; the deployed commit is ${short(commit)}`,
        report.stage,
      );
    }
  }
  for (const stage of policy.requiredStages) {
    const mine = reports.filter((r) => r.report.stage === stage);
    if (mine.length === 0) {
      add(
        DEPLOY_APPROVAL_RULES.missingReport,
        `required stage ${stage} has no report among the inputs`,
        stage,
      );
      continue;
    }
    for (const { path, report } of mine) {
      if (report.status === 'failed' || (report.status === 'partial' && !partialAllowed(policy, stage))) {
        const why = report.errors[0]?.message;
        add(
          DEPLOY_APPROVAL_RULES.incompleteReport,
          `required stage ${stage} did not complete (status ${report.status}${why ? `: ${why}` : ''}) in ${path}`,
          stage,
        );
      }
      if (!report.gate) {
        add(
          DEPLOY_APPROVAL_RULES.gateFailed,
          `required stage ${stage} report ${path} has no gate result`,
          stage,
        );
      } else if (!report.gate.passed) {
        const first = report.gate.violations[0]?.message;
        add(
          DEPLOY_APPROVAL_RULES.gateFailed,
          `required stage ${stage} failed its gate (${report.gate.violations.length} violation(s)${first ? `, first: ${first}` : ''}) in ${path}`,
          stage,
        );
      }
    }
  }

  // Findings: counts, suppressions in force, the ceiling and expiries.
  const findingCounts = {
    ...Object.fromEntries(SEVERITIES.map((s) => [s, 0])),
    suppressed: 0,
  } as Evaluation['findingCounts'];
  const suppressions: SuppressionEvidence[] = [];
  for (const { path, report } of reports) {
    const above: Record<string, number> = {};
    let example: string | undefined;
    for (const f of report.findings) {
      if (f.suppression) {
        findingCounts.suppressed++;
        suppressions.push({
          stage: report.stage,
          ruleId: f.ruleId,
          fingerprint: f.fingerprint,
          severity: f.severity,
          kind: f.suppression.kind,
          reason: f.suppression.reason,
          ...(f.suppression.source ? { source: f.suppression.source } : {}),
          ...(f.suppression.expires ? { expires: f.suppression.expires } : {}),
        });
        if (policy.noExpiredSuppressions && suppressionExpired(f.suppression.expires, now)) {
          add(
            DEPLOY_APPROVAL_RULES.expiredSuppression,
            `${report.stage}: the suppression of ${f.ruleId} (${f.suppression.source ?? f.suppression.kind}) expired on ${f.suppression.expires}`,
            report.stage,
          );
        }
        continue;
      }
      findingCounts[f.severity]++;
      if (f.ruleId === EXPIRED_IGNORE && policy.noExpiredSuppressions) {
        add(DEPLOY_APPROVAL_RULES.expiredSuppression, `${report.stage}: ${f.message}`, report.stage);
      }
      if (policy.maxSeverity && severityRank(f.severity) > severityRank(policy.maxSeverity)) {
        above[f.severity] = (above[f.severity] ?? 0) + 1;
        const where = f.location
          ? ` at ${f.location.path}:${f.location.startLine}`
          : f.package
            ? ` in ${f.package.name}@${f.package.version}`
            : '';
        example ??= `${f.severity} ${f.ruleId}${where}`;
      }
    }
    const total = Object.values(above).reduce((a, b) => a + b, 0);
    if (total > 0) {
      const counts = SEVERITIES.filter((s) => above[s])
        .map((s) => `${above[s]} ${s}`)
        .join(', ');
      add(
        DEPLOY_APPROVAL_RULES.severityCeiling,
        `${report.stage} (${path}) has ${total} unsuppressed finding(s) above the ceiling ${policy.maxSeverity} (${counts}), e.g. ${example}`,
        report.stage,
      );
    }
  }

  // Human approvals.
  let approvers: Approval[] = [];
  let ignoredApprovals: IgnoredApproval[] = [];
  const users = policy.approvers?.users ?? [];
  const teams = policy.approvers?.teams ?? [];
  if (policy.minApprovals > 0) {
    if (!input.approvals.ok) {
      add(
        DEPLOY_APPROVAL_RULES.approvals,
        `${policy.minApprovals} approval(s) required but approvals could not be read: ${input.approvals.reason}`,
      );
    } else if (commit) {
      const c = countApprovals(input.approvals.approvals, { commit, author: input.author, users, teams });
      approvers = c.counted;
      ignoredApprovals = c.ignored;
      if (c.counted.length < policy.minApprovals) {
        const from =
          users.length + teams.length > 0
            ? ` from ${[...users.map((u) => `@${u}`), ...teams.map((t) => `team ${t}`)].join(', ')}`
            : '';
        const got = c.counted.length ? ` (${c.counted.map((a) => a.user).join(', ')})` : '';
        const skipped = c.ignored.length
          ? `; not counted: ${c.ignored.map((i) => `${i.user} ${i.reason}`).join('; ')}`
          : '';
        add(
          DEPLOY_APPROVAL_RULES.approvals,
          `${policy.minApprovals} approval(s)${from} on commit ${short(commit)} required, ${c.counted.length} given${got}${skipped}`,
        );
      }
    }
  } else if (input.approvals.ok && commit) {
    // Still recorded in the evidence, even when none are required.
    const c = countApprovals(input.approvals.approvals, { commit, author: input.author, users, teams });
    approvers = c.counted;
    ignoredApprovals = c.ignored;
  }

  if (policy.allowedRefs) {
    if (!input.ref) {
      add(
        DEPLOY_APPROVAL_RULES.refNotAllowed,
        `the ref being deployed is unknown; ${input.environment} accepts only ${policy.allowedRefs.join(', ')}`,
      );
    } else if (!refAllowed(input.ref, policy.allowedRefs)) {
      add(
        DEPLOY_APPROVAL_RULES.refNotAllowed,
        `${input.ref} may not be deployed to ${input.environment} (allowed: ${policy.allowedRefs.join(', ')})`,
      );
    }
  }

  const freezes = activeFreezes(policy.freeze, now, policy.timeZone).map((w) =>
    describeFreeze(w, policy.timeZone),
  );
  for (const f of freezes)
    add(DEPLOY_APPROVAL_RULES.freeze, `${input.environment} is in a change freeze: ${f}`);

  return { reasons, findingCounts, suppressions, approvers, ignoredApprovals, freezes };
}
