import {
  type Approval,
  assertSafeRevision,
  type ChangedFile,
  type ChangeRequests,
  type DeploymentReview,
  type DeploymentReviewResult,
  type DiffInfo,
  type IssueTracker,
  type Logger,
  type Platform,
  type PlatformContext,
  type PublishOptions,
  type Report,
} from '@devsecflow/core';
import { type ApiAuth, createApi, describeApiError, type GitLabApi, httpStatus } from './api.js';
import { listApprovals, reviewPendingDeployment } from './approvals.js';
import { createGitLabChangeRequests } from './change-requests.js';
import { changedFilesFromMrDiffs, type MergeRequestDiff } from './diff.js';
import { type Env, type GitLabJobInfo, readJobInfo, toPlatformContext } from './env.js';
import { fetchCommit, gitChangedFiles, hasCommit, isSha, repoPrefix } from './git.js';
import { createGitLabIssueTracker } from './issues.js';
import { createGitLabLogger, withGitLabSections } from './logger.js';
import { isOurNote, noteMarker, renderStageNote, STAGE_TITLES } from './note.js';

/** The variable the templates and docs tell users to set: a project access token with `api` scope. */
export const TOKEN_VARIABLE = 'DEVSECFLOW_GITLAB_TOKEN';

export interface GitLabPlatformOptions {
  env?: Env;
  /** Token allowed to write notes and statuses. Default: `$DEVSECFLOW_GITLAB_TOKEN`. */
  token?: string;
  logger?: Logger;
  /**
   * The scanned directory, inside the clone: changed paths are relative to it, like findings' paths.
   * Default: the working directory (a GitLab job starts in `$CI_PROJECT_DIR`).
   */
  cwd?: string;
  /**
   * Distinguishes notes and statuses when one pipeline runs a stage more than once (per team).
   * Default: `$DEVSECFLOW_NOTE_KEY` (the templates' `note-key` input).
   */
  noteKey?: string;
  /** Timeout of one API call, ms. */
  queryTimeout?: number;
}

export interface GitLabPlatform extends Platform {
  readonly name: 'gitlab';
  /** What the job knows about itself (CI variables), for callers that need more than `context()`. */
  readonly job: GitLabJobInfo;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim() !== '' ? v.trim() : undefined;
}

function authHint(status: number | undefined, project: string | undefined): string {
  const where = project ? ` on project ${project}` : '';
  if (status === 401) {
    return `${TOKEN_VARIABLE} was rejected (401: invalid, expired or revoked). Create a new project access token with the "api" scope and the Reporter role${where}, and store it as a masked CI/CD variable named ${TOKEN_VARIABLE}.`;
  }
  return `${TOKEN_VARIABLE} is not allowed to do this (403). Give the token the "api" scope and at least the Reporter role (Developer for commit statuses)${where}; for fork MRs, the token must belong to the target project.`;
}

/**
 * The GitLab CI platform: context from the `CI_*` variables, changed lines of the MR (git first,
 * then the MR diffs API), and publishing as one MR note per stage plus optional commit statuses.
 * Report artifacts (gl-*-report.json, JUnit, CycloneDX) are written by the runner through
 * @devsecflow/formats; the template declares them under `artifacts:reports`.
 */
export function createGitLabPlatform(options: GitLabPlatformOptions = {}): GitLabPlatform {
  const env = options.env ?? process.env;
  const job = readJobInfo(env);
  const token = nonEmpty(options.token) ?? nonEmpty(env[TOKEN_VARIABLE]);
  const jobToken = nonEmpty(env.CI_JOB_TOKEN);
  const secrets = [token, jobToken].filter((s): s is string => s !== undefined);
  // A logger handed in (the CLI's) keeps its look; GitLab sections and token masking are added.
  const logger = options.logger
    ? withGitLabSections(options.logger, { secrets })
    : createGitLabLogger({
        debug: env.DEVSECFLOW_DEBUG === 'true' || env.CI_DEBUG_TRACE === 'true',
        secrets,
      });
  const cwd = options.cwd ?? process.cwd();
  const noteKey = nonEmpty(options.noteKey) ?? nonEmpty(env.DEVSECFLOW_NOTE_KEY);
  const timeout = options.queryTimeout ?? 30_000;

  let writeApi: GitLabApi | undefined;
  let readApi: GitLabApi | undefined;
  // Writes need a real token: CI_JOB_TOKEN cannot create notes or statuses.
  const writer = () => {
    if (!token) return undefined;
    writeApi ??= createApi(job.host, { token }, timeout);
    return writeApi;
  };
  const reader = (): GitLabApi => {
    if (token) return writer() as GitLabApi;
    const auth: ApiAuth = jobToken ? { jobToken } : {};
    readApi ??= createApi(job.host, auth, timeout);
    return readApi;
  };

  async function changedLines(base?: string): Promise<DiffInfo> {
    const mr = job.mergeRequest;
    const target = nonEmpty(base) ?? mr?.diffBaseSha;
    if (!target) {
      return {
        available: false,
        reason: mr
          ? 'CI_MERGE_REQUEST_DIFF_BASE_SHA is not set, so the MR base is unknown'
          : 'not a merge request pipeline (no CI_MERGE_REQUEST_IID): nothing to compare with; pass --diff-base to choose a base',
      };
    }
    // An option-looking revision must never reach git (`--output=...`): a usage error.
    if (base) assertSafeRevision(target);
    const reasons: string[] = [];
    const viaGit = async (): Promise<DiffInfo | undefined> => {
      const files = await gitChangedFiles(target, cwd);
      if (Array.isArray(files)) return { available: true, base: target, files };
      reasons.push(`git diff failed: ${files.stderr.trim().split('\n')[0] ?? 'unknown error'}`);
      return undefined;
    };

    if (await hasCommit(target, cwd)) {
      const r = await viaGit();
      if (r) return r;
    } else if (isSha(target)) {
      // GitLab's default clone is shallow (depth 20 or less) and often lacks the MR base.
      logger.debug(`diff base ${target} is not in the clone; fetching it`);
      const fetched = await fetchCommit(target, cwd);
      if (fetched.ok) {
        const r = await viaGit();
        if (r) return r;
      } else {
        reasons.push(
          `the clone lacks ${target.slice(0, 12)} and "git fetch --depth=1 origin ${target.slice(0, 12)}" failed (${fetched.stderr.trim().split('\n')[0] ?? 'no output'})`,
        );
      }
    } else {
      reasons.push(`revision "${target}" is not in the clone`);
    }

    // The MR diffs API gives the same lines when git cannot (it reflects the MR's latest version).
    if (mr && target === mr.diffBaseSha && (token || jobToken)) {
      try {
        const diffs = (await reader().mergeRequests.allDiffs(mr.projectId, mr.iid, {
          perPage: 100,
        })) as unknown as MergeRequestDiff[];
        // API paths are from the repository top; findings are relative to the scanned directory.
        const prefix = await repoPrefix(cwd);
        const files: ChangedFile[] = changedFilesFromMrDiffs(diffs)
          .filter((f) => f.path.startsWith(prefix))
          .map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
        logger.debug(`changed lines from the MR diffs API: ${files.length} file(s)`);
        return { available: true, base: target, files };
      } catch (e) {
        reasons.push(describeApiError(e, 'reading the MR diffs'));
      }
    } else if (mr && target === mr.diffBaseSha) {
      reasons.push(`no token to read the MR diffs API (set ${TOKEN_VARIABLE})`);
    }
    return {
      available: false,
      reason: `${reasons.join('; ')}. Set GIT_DEPTH: 0 (or a larger depth) on the job to diff locally.`,
    };
  }

  async function upsertNote(report: Report, api: GitLabApi, mr: NonNullable<GitLabJobInfo['mergeRequest']>) {
    const marker = noteMarker(report.stage, noteKey);
    const body = renderStageNote(report, marker, {
      commit: job.commit,
      jobUrl: job.jobUrl,
      jobName: job.jobName,
    });
    const notes = (await api.notes.all(mr.projectId, mr.iid, {
      perPage: 100,
      sort: 'asc',
      orderBy: 'created_at',
    })) as unknown as Array<{ id: number; body?: string; system?: boolean }>;
    const existing = notes.find((n) => !n.system && isOurNote(n.body, marker));
    if (existing) {
      if (existing.body === body) {
        logger.info(`MR !${mr.iid}: ${STAGE_TITLES[report.stage]} note is up to date`);
        return;
      }
      try {
        await api.notes.edit(mr.projectId, mr.iid, existing.id, { body });
        logger.info(`MR !${mr.iid}: updated the ${STAGE_TITLES[report.stage]} note`);
        return;
      } catch (e) {
        // A note written by another user (a rotated bot token) cannot be edited: write a new one.
        if (httpStatus(e) !== 403 && httpStatus(e) !== 404) throw e;
        logger.debug(`cannot edit note ${existing.id} (${httpStatus(e)}); creating a new one`);
      }
    }
    await api.notes.create(mr.projectId, mr.iid, body);
    logger.info(`MR !${mr.iid}: added the ${STAGE_TITLES[report.stage]} note`);
  }

  async function setStatus(report: Report, api: GitLabApi) {
    if (!job.commit || !job.projectId) return;
    const passed = report.gate?.passed ?? report.status !== 'failed';
    const active = report.findings.filter((f) => !f.suppression).length;
    const name = `devsecflow/${report.stage}${noteKey ? `/${noteKey}` : ''}`;
    const description = `${passed ? 'passed' : 'failed'}: ${active} finding${active === 1 ? '' : 's'}${
      report.status === 'partial' ? ' (partial scan)' : ''
    }`;
    await api.commits.editStatus(job.projectId, job.commit, passed ? 'success' : 'failed', {
      name,
      ref: job.mergeRequest?.sourceBranch ?? job.ref,
      targetUrl: job.jobUrl,
      description,
      pipelineId: job.pipelineId,
    });
    logger.info(`commit status ${name}: ${passed ? 'success' : 'failed'}`);
  }

  /** Runs one publishing step; a refusal or outage is a warning, never a failed job. */
  async function attempt(
    what: string,
    project: string | undefined,
    fn: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      const status = httpStatus(e);
      if (status === 401 || status === 403) {
        logger.warn(`${describeApiError(e, what)}. ${authHint(status, project)}`);
        return false;
      }
      logger.warn(describeApiError(e, what));
      return true;
    }
  }

  async function publish(reports: Report[], publishOptions: PublishOptions): Promise<void> {
    try {
      await logger.group('DevSecFlow findings', async () => {
        for (const r of reports) {
          const active = r.findings.filter((f) => !f.suppression);
          logger.info(
            `${STAGE_TITLES[r.stage]}: ${active.length} finding(s), status ${r.status}, gate ${r.gate ? (r.gate.passed ? 'passed' : 'failed') : 'not evaluated'}`,
          );
          for (const f of active.slice(0, 200)) {
            const at = f.location
              ? `${f.location.path}:${f.location.startLine}`
              : f.package
                ? `${f.package.name}@${f.package.version}`
                : '';
            logger.info(`  ${f.severity.padEnd(8)} ${f.ruleId}  ${at}  ${f.title}`);
          }
          if (active.length > 200) logger.info(`  … and ${active.length - 200} more in the report artifacts`);
        }
        const written = Object.entries(publishOptions.files);
        if (written.length > 0) logger.info(`reports: ${written.map(([, p]) => p).join(', ')}`);
      });

      const mr = job.mergeRequest;
      // Explicit publish options win; otherwise the template's inputs, passed as variables.
      const comment = publishOptions.comment ?? env.DEVSECFLOW_MR_NOTE !== 'false';
      const status = publishOptions.status ?? env.DEVSECFLOW_COMMIT_STATUS === 'true';
      const wantNote = comment && mr !== undefined && reports.length > 0;
      const wantStatus = status && reports.length > 0;
      if (!wantNote && !wantStatus) return;
      const api = writer();
      if (!api) {
        const what = [wantNote ? 'MR note' : '', wantStatus ? 'commit status' : '']
          .filter(Boolean)
          .join(' and ');
        logger.info(
          `${what} skipped: set a masked CI/CD variable ${TOKEN_VARIABLE} (project access token, "api" scope) to enable it; CI_JOB_TOKEN cannot write notes or statuses.`,
        );
        return;
      }
      if (wantNote && mr) {
        for (const r of reports) {
          const ok = await attempt('writing the MR note', mr.projectId, () => upsertNote(r, api, mr));
          if (!ok) break; // the same token will be refused for every stage: one warning is enough
        }
      }
      if (wantStatus) {
        for (const r of reports) {
          const ok = await attempt('setting the commit status', job.projectId, () => setStatus(r, api));
          if (!ok) break;
        }
      }
    } catch (e) {
      logger.warn(`publishing to GitLab failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The MR a pipeline belongs to, or, on a branch (deploy) pipeline, the merged MR that made the commit. */
  interface ChangeInfo {
    projectId: string;
    iid: number;
    author?: string;
    headSha?: string;
    mergeSha?: string;
    squashSha?: string;
    state?: string;
    url?: string;
    title?: string;
  }
  type RawMr = {
    iid?: number;
    project_id?: number;
    state?: string;
    sha?: string;
    merge_commit_sha?: string | null;
    squash_commit_sha?: string | null;
    web_url?: string;
    title?: string;
    author?: { username?: string };
  };
  const fromRaw = (projectId: string, raw: RawMr): ChangeInfo | undefined =>
    raw.iid === undefined
      ? undefined
      : {
          projectId,
          iid: raw.iid,
          author: raw.author?.username,
          headSha: raw.sha,
          mergeSha: raw.merge_commit_sha ?? undefined,
          squashSha: raw.squash_commit_sha ?? undefined,
          state: raw.state,
          url: raw.web_url,
          title: raw.title,
        };
  let changeLookup: Promise<ChangeInfo | undefined> | undefined;
  /** One lookup per run, shared by context() and approvals(); failures mean "unknown", never throw. */
  function lookUpChange(commit = job.commit): Promise<ChangeInfo | undefined> {
    changeLookup ??= (async () => {
      if (!(token || jobToken)) return undefined;
      const api = reader();
      const mr = job.mergeRequest;
      try {
        if (mr) return fromRaw(mr.projectId, (await api.mergeRequests.show(mr.projectId, mr.iid)) as RawMr);
        if (!commit || !job.projectId) return undefined;
        const list = (await api.commits.allMergeRequests(job.projectId, commit)) as unknown as RawMr[];
        const merged = list.filter((m) => m.state === 'merged');
        const pick =
          merged.find(
            (m) => m.merge_commit_sha === commit || m.squash_commit_sha === commit || m.sha === commit,
          ) ?? merged[0];
        return pick ? fromRaw(String(pick.project_id ?? job.projectId), pick) : undefined;
      } catch (e) {
        logger.debug(describeApiError(e, 'looking up the merge request'));
        return undefined;
      }
    })();
    return changeLookup;
  }

  /**
   * Who approved the change being deployed (see `listApprovals`): the MR of an MR pipeline, or the
   * merged MR that made the deployed commit of a branch pipeline, with each approval's commit and,
   * for `teams` (GitLab group full paths), the approver's memberships.
   */
  async function approvals(query: { commit?: string; teams?: string[] } = {}): Promise<Approval[]> {
    const commit = query.commit ?? job.commit;
    const mr = job.mergeRequest;
    const projectId = mr?.projectId ?? job.projectId;
    if (!commit || !projectId) return [];
    if (!(token || jobToken)) throw new Error(`no token to read MR approvals (set ${TOKEN_VARIABLE})`);
    return listApprovals({
      host: job.host,
      auth: token ? { token } : { jobToken: jobToken as string },
      queryTimeout: timeout,
      projectId,
      commit,
      ...(mr ? { mergeRequestIid: mr.iid } : {}),
      groups: query.teams ?? [],
      logger,
    });
  }

  /** Approves or rejects the blocked deployment of a protected environment (needs DEVSECFLOW_GITLAB_TOKEN). */
  async function reviewDeployment(review: DeploymentReview): Promise<DeploymentReviewResult> {
    if (!token)
      return { reviewed: false, reason: `no ${TOKEN_VARIABLE}: CI_JOB_TOKEN cannot approve deployments` };
    if (!job.projectId) return { reviewed: false, reason: 'CI_PROJECT_ID is not set: not a GitLab pipeline' };
    const r = await reviewPendingDeployment({
      host: job.host,
      auth: { token },
      queryTimeout: timeout,
      projectId: job.projectId,
      environment: review.environment,
      commit: review.commit,
      status: review.approved ? 'approved' : 'rejected',
      comment: review.comment,
    });
    return r.reviewed ? { reviewed: true } : { reviewed: false, reason: r.reason };
  }

  const context = async (): Promise<PlatformContext> => {
    const ctx = toPlatformContext(job);
    // The author is not a CI variable (GITLAB_USER_LOGIN is who ran the pipeline): ask the API.
    const change = await lookUpChange();
    if (change && ctx.change && change.iid === ctx.change.id) {
      if (change.author) ctx.change.author = change.author;
    } else if (change && !ctx.change) {
      // A branch pipeline of a merged MR's commit: that MR is the change being deployed.
      ctx.change = {
        id: change.iid,
        ...(change.url ? { url: change.url } : {}),
        ...(change.title ? { title: change.title } : {}),
        ...(change.author ? { author: change.author } : {}),
        ...(change.headSha ? { headSha: change.headSha } : {}),
      };
    }
    return ctx;
  };

  /** Issues for the monitor, on this project; needs DEVSECFLOW_GITLAB_TOKEN (CI_JOB_TOKEN cannot write issues). */
  const issueTracker = (): IssueTracker | undefined =>
    token && job.projectId
      ? createGitLabIssueTracker({
          host: job.host,
          auth: { token },
          projectId: job.projectId,
          queryTimeout: timeout,
          logger,
        })
      : undefined;

  /** MRs for the fix, on this project; needs DEVSECFLOW_GITLAB_TOKEN (CI_JOB_TOKEN cannot push). */
  const changeRequests = (): ChangeRequests | undefined =>
    token && job.projectId
      ? createGitLabChangeRequests({
          host: job.host,
          auth: { token },
          projectId: job.projectId,
          ...(job.defaultBranch ? { defaultBranch: job.defaultBranch } : {}),
          queryTimeout: timeout,
          logger,
        })
      : undefined;

  return {
    name: 'gitlab',
    logger,
    job,
    context,
    changedLines,
    publish,
    approvals,
    reviewDeployment,
    issueTracker,
    changeRequests,
  };
}
