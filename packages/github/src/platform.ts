import { resolve } from 'node:path';
import * as core from '@actions/core';
import type {
  Approval,
  ApprovalQuery,
  ChangeRequests,
  DeploymentReview,
  DeploymentReviewResult,
  DiffInfo,
  IssueTracker,
  Logger,
  Platform,
  PublishOptions,
  Report,
} from '@devsecflow/core';
import type { AnnotationLevel } from './annotations.js';
import { listApprovals, reviewPendingDeployment } from './approvals.js';
import { createGitHubChangeRequests } from './change-requests.js';
import { describeHttp, gitChangedLines, pullRequestChangedLines } from './changed-lines.js';
import { type Env, type GitHubContext, readGitHubContext } from './context.js';
import { createGitHubIssueTracker } from './issues.js';
import { createActionsLogger } from './logger.js';
import { createOctokit, type Octokit } from './octokit.js';
import {
  emitAnnotations,
  type PublishSettings,
  setStatus,
  uploadSarif,
  upsertComment,
  writeSummary,
} from './publish.js';
import { SARIF_LIMITS, type SarifLimits } from './sarif.js';

export interface GitHubPlatformOptions {
  /** Environment to read `GITHUB_*` and `INPUT_GITHUB-TOKEN` from. Default: process.env. */
  env?: Env;
  /** API token. Default: the `github-token` input, then `GITHUB_TOKEN`. It is masked at once. */
  token?: string;
  logger?: Logger;
  /** REST API base URL. Default: GITHUB_API_URL, then https://api.github.com. */
  apiUrl?: string;
  /** Checkout root for `git diff` and SARIF fingerprints. Default: GITHUB_WORKSPACE, then the cwd. */
  root?: string;
  /** How `publish({ status: true })` reports the gate. Default: a commit status. */
  statusKind?: 'status' | 'check-run';
  /** Prefix of code scanning categories (`runs[].automationDetails.id`). Default `devsecflow`. */
  sarifCategory?: string;
  /** Polling of the upload's processing status; false to not wait. Default every 5 s for 2 min. */
  sarifWait?: { intervalMs: number; timeoutMs: number } | false;
  sarifLimits?: SarifLimits;
  annotationLimits?: Record<AnnotationLevel, number>;
  /** Login of the comment author to look for. Default: GET /user, else any bot author. */
  commentAuthor?: string;
}

/** The GitHub platform with its resolved context, for callers that need the GitHub specifics. */
export interface GitHubPlatform extends Platform {
  readonly name: 'github';
  readonly githubContext: GitHubContext;
}

/**
 * The Platform for GitHub Actions: context from the `GITHUB_*` variables and the event payload,
 * changed lines from the pull-request files API (or `git diff`), and publishing as annotations,
 * job summary, one PR comment, code scanning upload and a commit status or check run. Publishing
 * never throws: what fails becomes a warning.
 */
export function createGitHubPlatform(options: GitHubPlatformOptions = {}): GitHubPlatform {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createActionsLogger();
  const token = options.token ?? (env['INPUT_GITHUB-TOKEN'] || undefined) ?? (env.GITHUB_TOKEN || undefined);
  // Mask before anything could print it.
  if (token) core.setSecret(token);
  const ctx = readGitHubContext(env);
  if (options.apiUrl) ctx.apiUrl = options.apiUrl.replace(/\/+$/, '');
  for (const w of ctx.warnings) logger.warn(w);
  const root = resolve(options.root ?? env.GITHUB_WORKSPACE ?? process.cwd());
  let octokit: Octokit | undefined;
  const client = () => {
    if (!octokit && token) octokit = createOctokit(token, ctx.apiUrl);
    return octokit;
  };
  const settings = (): PublishSettings => ({
    ctx,
    octokit: client(),
    logger,
    root,
    env,
    statusKind: options.statusKind ?? 'status',
    sarifCategory: options.sarifCategory ?? 'devsecflow',
    sarifWait: options.sarifWait ?? { intervalMs: 5000, timeoutMs: 120_000 },
    sarifLimits: options.sarifLimits ?? SARIF_LIMITS,
    annotationLimits: options.annotationLimits,
    commentAuthor: options.commentAuthor,
  });

  return {
    name: 'github',
    logger,
    githubContext: ctx,
    async context() {
      const { warnings: _w, ...rest } = ctx;
      return { ...rest };
    },
    async changedLines(base?: string): Promise<DiffInfo> {
      if (base) return gitChangedLines(root, base);
      if (ctx.change) return pullRequestChangedLines(client(), ctx, root);
      if (ctx.baseSha) return gitChangedLines(root, ctx.baseSha);
      return {
        available: false,
        reason: `the ${ctx.event ?? 'current'} event has no change to compare against (set diffAware.base or --diff-base); the diff filter is off`,
      };
    },
    async publish(reports: Report[], opts: PublishOptions): Promise<void> {
      const s = settings();
      const step = async (what: string, fn: () => unknown) => {
        try {
          await fn();
        } catch (e) {
          logger.warn(`could not publish the ${what}: ${describeHttp(e)}`);
        }
      };
      if (opts.annotations !== false) await step('annotations', () => emitAnnotations(reports, s));
      await step('job summary', () => writeSummary(reports, opts, s));
      if (opts.comment !== false && ctx.change)
        await step('pull request comment', () => upsertComment(reports, s));
      if (opts.uploadSarif !== false) await step('code scanning upload', () => uploadSarif(reports, opts, s));
      if (opts.status === true) await step('gate status', () => setStatus(reports, s));
    },
    async reviewDeployment(review: DeploymentReview): Promise<DeploymentReviewResult> {
      const o = client();
      const runId = Number(env.GITHUB_RUN_ID);
      if (!o || !ctx.owner || !ctx.repo) return { reviewed: false, reason: 'no token for the GitHub API' };
      if (!Number.isInteger(runId))
        return { reviewed: false, reason: 'GITHUB_RUN_ID is not set: not a workflow run' };
      // The deploy job of this run waits on the environment; it may not have reached the gate yet.
      const r = await reviewPendingDeployment({
        octokit: o,
        owner: ctx.owner,
        repo: ctx.repo,
        runId,
        environment: review.environment,
        state: review.approved ? 'approved' : 'rejected',
        comment: review.comment,
        wait: { intervalMs: 5_000, timeoutMs: 60_000 },
      });
      return r.reviewed ? { reviewed: true } : { reviewed: false, reason: r.reason };
    },
    issueTracker(): IssueTracker | undefined {
      const o = client();
      if (!o || !ctx.owner || !ctx.repo) return undefined;
      return createGitHubIssueTracker({ octokit: o, owner: ctx.owner, repo: ctx.repo, logger });
    },
    changeRequests(): ChangeRequests | undefined {
      const o = client();
      if (!o || !ctx.owner || !ctx.repo) return undefined;
      return createGitHubChangeRequests({
        octokit: o,
        owner: ctx.owner,
        repo: ctx.repo,
        ...(ctx.defaultBranch ? { defaultBranch: ctx.defaultBranch } : {}),
        logger,
      });
    },
    async approvals(query?: ApprovalQuery): Promise<Approval[]> {
      const o = client();
      const commit = query?.commit ?? ctx.commit;
      if (!o || !ctx.owner || !ctx.repo || !commit) return [];
      // Reviews of a PR's head count for the merge/squash commit built from it (see approvals.ts).
      return listApprovals({
        octokit: o,
        owner: ctx.owner,
        repo: ctx.repo,
        commit,
        ...(ctx.change ? { pullNumber: ctx.change.id } : {}),
        ...(query?.teams ? { teams: query.teams } : {}),
        logger,
      });
    },
  };
}
