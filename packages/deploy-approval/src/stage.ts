import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import {
  type Approval,
  ConfigError,
  defineStage,
  type FindingDraft,
  type PlatformContext,
  type StageContext,
  type StageOutput,
} from '@devsecflow/core';
import type { ApprovalQuery } from './approvals.js';
import { type ApprovalSource, DEPLOY_APPROVAL_RULES, evaluatePolicy, type Reason } from './evaluate.js';
import {
  appendEvidence,
  digestOf,
  EVIDENCE_VERSION,
  type EvidenceBody,
  type EvidenceRecord,
  writeEvidence,
} from './evidence.js';
import { type DeployApprovalOptions, DeployApprovalOptionsSchema } from './options.js';
import { loadReports } from './reports.js';
import { formatDecision } from './summary.js';

/** Extra inputs for tests and embedding: a fixed clock. */
export interface DeployApprovalExtras {
  now?: Date;
}

/** What one run decided, for callers that need more than the report (the CLI's `deploy`). */
export interface DeployDecision {
  decision: 'approved' | 'blocked';
  reasons: Reason[];
  evidence: EvidenceRecord | EvidenceBody;
}

let versionCache: string | undefined;
/** This package's version, read from its package.json (one level above src/ and dist/). */
export async function packageVersion(): Promise<string> {
  if (versionCache) return versionCache;
  try {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    versionCache = pkg.version ?? 'unknown';
  } catch {
    versionCache = 'unknown';
  }
  return versionCache;
}

function where(ctx: StageContext, key: string[]) {
  return ctx.policy.locate(['stages', 'deploy-approval', ...key]);
}

function resolveInRoot(ctx: StageContext, path: string): string {
  return isAbsolute(path) ? path : join(ctx.root, path);
}

async function readApprovals(ctx: StageContext, query: ApprovalQuery): Promise<ApprovalSource> {
  const fn = ctx.platform.approvals as ((q?: ApprovalQuery) => Promise<Approval[]>) | undefined;
  if (!fn) return { ok: false, reason: `the ${ctx.platform.name} platform cannot report approvals` };
  try {
    return { ok: true, approvals: await fn.call(ctx.platform, query) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

const TITLES: Record<string, string> = {
  [DEPLOY_APPROVAL_RULES.unknownCommit]: 'Deployed commit unknown',
  [DEPLOY_APPROVAL_RULES.missingReport]: 'Required stage report missing',
  [DEPLOY_APPROVAL_RULES.commitMismatch]: 'Stage report is for another commit',
  [DEPLOY_APPROVAL_RULES.incompleteReport]: 'Required stage did not complete',
  [DEPLOY_APPROVAL_RULES.gateFailed]: 'Required stage failed its gate',
  [DEPLOY_APPROVAL_RULES.severityCeiling]: 'Findings above the severity ceiling',
  [DEPLOY_APPROVAL_RULES.expiredSuppression]: 'Expired suppression',
  [DEPLOY_APPROVAL_RULES.approvals]: 'Not enough approvals',
  [DEPLOY_APPROVAL_RULES.refNotAllowed]: 'Ref not allowed for this environment',
  [DEPLOY_APPROVAL_RULES.freeze]: 'Change freeze in force',
  [DEPLOY_APPROVAL_RULES.evidence]: 'Evidence could not be recorded',
};

/**
 * Runs the deploy approval: reads the stage reports, checks the environment's policy, records the
 * evidence (appended to the hash-chained log) and returns one high-severity finding per unmet rule,
 * so the gate fails whenever the deploy is blocked.
 */
export async function runDeployApproval(
  ctx: StageContext,
  options: DeployApprovalOptions,
  extras: DeployApprovalExtras = {},
): Promise<StageOutput & { decision: DeployDecision }> {
  const now = extras.now ?? new Date();
  const name = options.environment;
  if (!name) {
    throw new ConfigError(
      'stages.deploy-approval.environment: name the environment being deployed (devsecflow deploy-approval --environment <name>)',
      where(ctx, []),
    );
  }
  const policy = options.environments[name];
  if (!policy) {
    const known = Object.keys(options.environments);
    throw new ConfigError(
      `stages.deploy-approval.environments has no policy for "${name}" (${known.length ? `known: ${known.join(', ')}` : 'none is defined'})`,
      where(ctx, ['environments']),
    );
  }
  // The decision does not depend on failOn: the runner fails a run whose `stats.approved` is 0.
  const context: PlatformContext = await ctx.platform.context();
  const { reports: loaded, unmatched } = await loadReports(ctx.root, options.reports, (k) =>
    ctx.policy.locate(k),
  );
  for (const p of unmatched) ctx.logger.warn(`deploy-approval: no report matches "${p}"`);
  // Earlier deploy-approval reports may match a broad glob: they are outputs, not inputs.
  const reports = loaded.filter((r) => r.report.stage !== 'deploy-approval');

  const approvals = await readApprovals(ctx, {
    ...(context.commit ? { commit: context.commit } : {}),
    teams: policy.approvers?.teams ?? [],
  });
  if (!approvals.ok && policy.minApprovals === 0) ctx.logger.debug(`approvals not read: ${approvals.reason}`);

  const evaluation = evaluatePolicy({
    environment: name,
    policy,
    commit: context.commit,
    ref: context.ref,
    author: context.change?.author,
    reports,
    approvals,
    now,
  });
  const reasons = [...evaluation.reasons];

  const tools: Record<string, string> = {
    '@devsecflow/deploy-approval': await packageVersion(),
    node: process.version,
  };
  for (const r of reports) tools[`${r.report.stage}:${r.report.tool.name}`] = r.report.tool.version;

  const body = (): EvidenceBody => ({
    version: EVIDENCE_VERSION,
    time: now.toISOString(),
    environment: name,
    platform: context.platform,
    ...(context.repository ? { repository: context.repository } : {}),
    ...(context.commit ? { commit: context.commit } : {}),
    ...(context.ref ? { ref: context.ref } : {}),
    ...(context.change
      ? {
          change: {
            id: context.change.id,
            ...(context.change.author ? { author: context.change.author } : {}),
            ...(context.change.url ? { url: context.change.url } : {}),
          },
        }
      : {}),
    decision: reasons.length === 0 ? 'approved' : 'blocked',
    reasons: reasons.map((r) => ({ ...r })),
    reports: reports.map((r) => ({
      stage: r.report.stage,
      path: r.path,
      digest: r.digest,
      status: r.report.status,
      ...(r.report.target.commit ? { commit: r.report.target.commit } : {}),
      ...(r.report.gate ? { gatePassed: r.report.gate.passed } : {}),
      tool: r.report.tool,
    })),
    findings: evaluation.findingCounts,
    suppressions: evaluation.suppressions,
    approvers: evaluation.approvers.map((a) => ({
      user: a.user,
      at: a.at,
      ...(a.commit ? { commit: a.commit } : {}),
      ...(a.teams?.length ? { teams: a.teams } : {}),
    })),
    ignoredApprovals: evaluation.ignoredApprovals,
    freezes: evaluation.freezes,
    policy: { digest: digestOf(policy), value: policy },
    tools,
  });

  let evidence: EvidenceRecord | EvidenceBody = body();
  if (options.evidenceLog !== false) {
    try {
      evidence = await appendEvidence(resolveInRoot(ctx, options.evidenceLog), evidence);
    } catch (e) {
      // No evidence, no deploy: the record is rebuilt so it carries this reason too.
      reasons.push({
        rule: DEPLOY_APPROVAL_RULES.evidence,
        message: `the evidence record could not be appended to ${options.evidenceLog}: ${(e as Error).message}`,
      });
      evidence = body();
    }
  }
  if (options.evidenceOut) {
    try {
      await writeEvidence(resolveInRoot(ctx, options.evidenceOut), evidence);
    } catch (e) {
      reasons.push({
        rule: DEPLOY_APPROVAL_RULES.evidence,
        message: `the evidence record could not be written to ${options.evidenceOut}: ${(e as Error).message}`,
      });
    }
  }

  const decision = reasons.length === 0 ? 'approved' : 'blocked';
  const short = context.commit?.slice(0, 12) ?? 'unknown commit';
  if (decision === 'approved') {
    ctx.logger.info(
      `deploy-approval: ${short} to ${name} is APPROVED (${evaluation.approvers.length} approval(s), ${reports.length} report(s))`,
    );
  } else {
    ctx.logger.error(`deploy-approval: ${short} to ${name} is BLOCKED (${reasons.length} reason(s))`);
    for (const r of reasons) ctx.logger.error(`  - ${r.rule}: ${r.message}`);
  }
  if ('digest' in evidence)
    ctx.logger.info(`deploy-approval: evidence record ${evidence.seq} ${evidence.digest}`);

  // The platform's own deployment gate gets the same decision, with the reasons; failing to review
  // it never approves anything, it is only reported.
  let platformReviewed = 0;
  if (options.reviewPlatformDeployment && context.commit) {
    if (!ctx.platform.reviewDeployment) {
      ctx.logger.warn(`deploy-approval: the ${ctx.platform.name} platform has no deployment gate to review`);
    } else {
      try {
        const r = await ctx.platform.reviewDeployment({
          environment: name,
          commit: context.commit,
          approved: decision === 'approved',
          comment: formatDecision(evidence),
        });
        if (r.reviewed) {
          platformReviewed = 1;
          ctx.logger.info(
            `deploy-approval: ${decision === 'approved' ? 'approved' : 'rejected'} the ${name} deployment on ${ctx.platform.name}`,
          );
        } else ctx.logger.warn(`deploy-approval: did not review the ${name} deployment: ${r.reason}`);
      } catch (e) {
        ctx.logger.warn(`deploy-approval: reviewing the ${name} deployment failed: ${(e as Error).message}`);
      }
    }
  }

  const findings: FindingDraft[] = reasons.map((r) => ({
    ruleId: r.rule,
    title: TITLES[r.rule] ?? 'Deploy blocked',
    message: r.message,
    severity: 'high',
    confidence: 'high',
    fingerprintContext: `${name}\n${context.commit ?? ''}\n${r.message}`,
    properties: { environment: name, ...(r.stage ? { stage: r.stage } : {}) },
  }));
  return {
    findings,
    stats: {
      reports: reports.length,
      approvals: evaluation.approvers.length,
      reasons: reasons.length,
      approved: decision === 'approved' ? 1 : 0,
      platformReviewed,
    },
    decision: { decision, reasons, evidence },
  };
}

/**
 * The stage with a clock of your choosing (tests, replaying a decision at a given time). runStage's
 * own `now` only times the report, so the policy clock is handed in here.
 */
export function createDeployApprovalStage(extras: { now?: () => Date } = {}) {
  return defineStage({
    meta: {
      id: 'deploy-approval',
      title: 'Deploy approval',
      description:
        'Per-environment policy over every stage report, human approvals from the platform, allowed refs, change freezes, and a hash-chained evidence record of each decision.',
      diffScope: 'none',
    },
    options: DeployApprovalOptionsSchema,
    run: (ctx, options) => runDeployApproval(ctx, options, extras.now ? { now: extras.now() } : {}),
  });
}

/** The deploy approval stage: environment policy over every stage report, approvals, freezes, evidence. */
export const deployApprovalStage = createDeployApprovalStage();
