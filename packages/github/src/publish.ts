import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import type { Logger, PublishOptions, Report } from '@devsecflow/core';
import { toMarkdown } from '@devsecflow/formats';
import { type AnnotationLevel, selectAnnotations } from './annotations.js';
import { describeHttp } from './changed-lines.js';
import type { GitHubContext } from './context.js';
import { gatePassed, stageTitle } from './markdown.js';
import type { Octokit } from './octokit.js';
import { addLineHashes, assignCategories, SARIF_LIMITS, type SarifLimits, splitSarif } from './sarif.js';

/** GitHub's size limits for what publishing writes. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const COMMENT_LIMIT_CHARS = 65_536;

export interface PublishSettings {
  ctx: GitHubContext;
  octokit: Octokit | undefined;
  logger: Logger;
  root: string;
  env: Record<string, string | undefined>;
  statusKind: 'status' | 'check-run';
  sarifCategory: string;
  sarifWait: { intervalMs: number; timeoutMs: number } | false;
  sarifLimits: SarifLimits;
  annotationLimits?: Record<AnnotationLevel, number>;
  commentAuthor?: string;
}

function runUrl(ctx: GitHubContext): string | undefined {
  return ctx.repository && ctx.runId
    ? `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}`
    : undefined;
}

const status = (e: unknown) => (e as { status?: number }).status;

export interface SummaryOptions {
  /** Size limit of the whole text, measured by `measure`. */
  budget: number;
  /** Characters (comments) or UTF-8 bytes (the job summary). */
  measure?: (text: string) => number;
  marker?: string;
  files?: Record<string, string>;
}

/**
 * The Markdown every GitHub surface shows: @devsecflow/formats' toMarkdown (verdict, violations,
 * table per stage and severity, findings most severe first, honestly truncated) plus what only the
 * platform knows (diff filter state, report files, the run link), within `budget`.
 */
export function summaryMarkdown(
  reports: readonly Report[],
  ctx: GitHubContext,
  opts: SummaryOptions,
): string {
  const measure = opts.measure ?? ((t: string) => t.length);
  const notes: string[] = [];
  for (const r of reports) {
    if (r.diff && !r.diff.applied && r.diff.reason)
      notes.push(`_${stageTitle(r.stage)}: diff filter off (${r.diff.reason.replace(/[_*`<>[\]]/g, ' ')})._`);
  }
  const files = Object.entries(opts.files ?? {}).filter(
    ([k]) => k.startsWith('json:') || k.startsWith('sarif'),
  );
  if (files.length)
    notes.push(`Report files: ${files.map(([, p]) => `\`${p.replace(/`/g, "'")}\``).join(', ')}`);
  const url = runUrl(ctx);
  if (url) notes.push(`[Workflow run](${url})`);
  const footer = notes.length ? `\n${notes.join('\n\n')}\n` : '';
  const linkBase =
    ctx.repository && ctx.statusCommit
      ? `${ctx.serverUrl}/${ctx.repository}/blob/${ctx.statusCommit}/`
      : undefined;
  const title = `DevSecFlow: ${gatePassed(reports) ? '✅ gate passed' : '❌ gate failed'}`;
  // toMarkdown caps characters; multi-byte text can need a tighter cap to fit a byte budget.
  let maxChars = opts.budget - measure(footer);
  for (let i = 0; i < 6 && maxChars > 0; i++) {
    const text =
      toMarkdown(reports, {
        maxChars,
        title,
        ...(opts.marker ? { marker: opts.marker } : {}),
        ...(linkBase ? { linkBase } : {}),
      }) + footer;
    const size = measure(text);
    if (size <= opts.budget) return text;
    maxChars = Math.floor((maxChars * opts.budget) / size) - 64;
  }
  return `${opts.marker ? `<!-- ${opts.marker} -->\n` : ''}## ${title}\n\nThe report is too large to show here; see the report files.\n`;
}

export function emitAnnotations(reports: readonly Report[], s: PublishSettings): void {
  const { annotations, omitted } = selectAnnotations(reports, s.ctx.workspace, s.annotationLimits);
  const emit = { error: core.error, warning: core.warning, notice: core.notice };
  for (const a of annotations) emit[a.level](a.message, a.properties);
  const left = omitted.error + omitted.warning + omitted.notice;
  if (left > 0) {
    s.logger.info(
      `${left} more finding${left === 1 ? '' : 's'} not annotated (GitHub shows 10 annotations per level and step); see the job summary and reports`,
    );
  }
}

export function writeSummary(reports: readonly Report[], options: PublishOptions, s: PublishSettings): void {
  const file = s.env.GITHUB_STEP_SUMMARY;
  if (!file) {
    s.logger.debug('GITHUB_STEP_SUMMARY is not set: no job summary');
    return;
  }
  let used = 0;
  try {
    used = statSync(file).size;
  } catch {
    // A missing file is created by the append.
  }
  const text = summaryMarkdown(reports, s.ctx, {
    budget: SUMMARY_LIMIT_BYTES - used,
    measure: (t) => Buffer.byteLength(t, 'utf8'),
    files: options.files,
  });
  appendFileSync(file, text);
}

/** The hidden marker's text: the comment belongs to this workflow and this set of stages. */
function commentKey(ctx: GitHubContext, reports: readonly Report[]): string {
  const workflow = (ctx.workflow ?? 'workflow').replace(/[^\w .+/]/g, '_').slice(0, 100);
  const stages = reports.map((r) => r.stage).join('+') || 'none';
  return `devsecflow:comment workflow="${workflow}" stages="${stages}"`;
}

async function whoAmI(octokit: Octokit, s: PublishSettings): Promise<string | undefined> {
  if (s.commentAuthor) return s.commentAuthor;
  try {
    const { data } = await octokit.request('GET /user');
    return data.login;
  } catch {
    // GITHUB_TOKEN and App tokens cannot read /user: match bot authors instead.
    return undefined;
  }
}

/** One comment per workflow and stage set: found by its hidden marker and author, edited in place. */
export async function upsertComment(reports: readonly Report[], s: PublishSettings) {
  const { ctx, octokit, logger } = s;
  const change = ctx.change;
  if (!change || !ctx.owner || !ctx.repo) return;
  if (!octokit) {
    logger.warn('no GitHub token: the pull request comment was skipped');
    return;
  }
  const key = commentKey(ctx, reports);
  const marker = `<!-- ${key} -->`;
  const body = summaryMarkdown(reports, ctx, { budget: COMMENT_LIMIT_CHARS, marker: key });
  const repo = { owner: ctx.owner, repo: ctx.repo };
  try {
    const login = await whoAmI(octokit, s);
    const comments = (await octokit.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repo,
      issue_number: change.id,
      per_page: 100,
    })) as { id: number; body?: string; user?: { login?: string; type?: string } | null }[];
    const mine = comments.find(
      (c) => c.body?.startsWith(marker) && (login ? c.user?.login === login : c.user?.type === 'Bot'),
    );
    if (mine) {
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        ...repo,
        comment_id: mine.id,
        body,
      });
      logger.info(`updated the DevSecFlow comment on pull request #${change.id}`);
    } else {
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: change.id,
        body,
      });
      logger.info(`commented on pull request #${change.id}`);
    }
  } catch (e) {
    const code = status(e);
    const why =
      code === 403 || code === 404
        ? ctx.fork && ctx.event === 'pull_request'
          ? 'pull requests from forks get a read-only token'
          : 'the token cannot write comments: grant `permissions: pull-requests: write`'
        : describeHttp(e);
    logger.warn(`could not comment on pull request #${change.id} (${why}); the job summary has the results`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Uploads the run's SARIF files to code scanning, split within the limits, and waits for processing. */
export async function uploadSarif(reports: readonly Report[], options: PublishOptions, s: PublishSettings) {
  const { ctx, octokit, logger } = s;
  const files = Object.entries(options.files)
    .filter(([k]) => k === 'sarif' || k.startsWith('sarif:') || k.startsWith('sarif-'))
    .map(([, p]) => p);
  if (files.length === 0) {
    logger.debug('no SARIF file was written: nothing to upload to code scanning');
    return;
  }
  if (!octokit || !ctx.owner || !ctx.repo) {
    logger.warn('no GitHub token: the SARIF upload to code scanning was skipped');
    return;
  }
  if (!ctx.sarifCommit || !ctx.sarifRef) {
    logger.warn('GITHUB_SHA or GITHUB_REF is not set: the SARIF upload to code scanning was skipped');
    return;
  }
  const secretsOnly = reports.length > 0 && reports.every((r) => r.stage === 'secrets');
  for (const file of [...new Set(files)]) {
    let sarif: Record<string, unknown>;
    try {
      sarif = JSON.parse(readFileSync(resolve(file), 'utf8'));
    } catch (e) {
      logger.warn(
        `could not read ${file} for the code scanning upload: ${(e as Error).message.split('\n')[0]}`,
      );
      continue;
    }
    // A line hash of a line holding a secret would publish a weak digest of it: leave those out.
    const isSecrets = (run: Record<string, unknown>) =>
      secretsOnly ||
      /secret/i.test(String((run as { tool?: { driver?: { name?: string } } }).tool?.driver?.name));
    await addLineHashes(sarif, s.root, isSecrets);
    const stages = reports.map((r) => r.stage);
    const renamed = s.sarifCategory !== 'devsecflow' ? s.sarifCategory.replace(/\/+$/, '') : undefined;
    assignCategories(
      sarif,
      stages.length === 1 ? `${s.sarifCategory}/${stages[0]}` : s.sarifCategory,
      renamed,
    );
    const { parts, dropped, notes } = splitSarif(sarif, s.sarifLimits);
    for (const n of notes) logger.warn(`code scanning upload of ${file}: ${n}`);
    if (dropped > 0)
      logger.warn(
        `${dropped} results were left out of the code scanning upload (limits); the report files have all of them`,
      );
    for (const part of parts) {
      try {
        const { data } = await octokit.request('POST /repos/{owner}/{repo}/code-scanning/sarifs', {
          owner: ctx.owner,
          repo: ctx.repo,
          commit_sha: ctx.sarifCommit,
          ref: ctx.sarifRef,
          sarif: part.payload,
          tool_name: 'DevSecFlow',
        });
        logger.info(
          `uploaded ${part.results} results (${part.categories.join(', ')}) to code scanning: ${data.id}`,
        );
        if (s.sarifWait && data.id) await waitForProcessing(octokit, ctx, data.id, s);
      } catch (e) {
        const code = status(e);
        if (code === 403) {
          logger.warn(
            ctx.fork && ctx.event === 'pull_request'
              ? 'code scanning upload refused (403): pull requests from forks get a read-only token; results are in the job summary'
              : 'code scanning upload refused (403): give the job `permissions: security-events: write` (and `contents: read`); private repositories also need GitHub Code Security enabled',
          );
        } else if (code === 404) {
          logger.warn(
            `code scanning upload failed (404): code scanning is not available for ${ctx.repository}; enable it under Settings > Advanced Security, or set upload-sarif: false`,
          );
        } else {
          logger.warn(`code scanning upload failed (${describeHttp(e)})`);
        }
        return;
      }
    }
  }
}

async function waitForProcessing(octokit: Octokit, ctx: GitHubContext, id: string, s: PublishSettings) {
  if (!s.sarifWait) return;
  const deadline = Date.now() + s.sarifWait.timeoutMs;
  for (;;) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}', {
      owner: ctx.owner!,
      repo: ctx.repo!,
      sarif_id: id,
    });
    const d = data as { processing_status?: string; errors?: string[] | null };
    if (d.processing_status === 'complete') {
      s.logger.info(`code scanning processed upload ${id}`);
      return;
    }
    if (d.processing_status === 'failed') {
      s.logger.warn(
        `code scanning could not process upload ${id}: ${(d.errors ?? []).join('; ') || 'no reason given'}`,
      );
      return;
    }
    if (Date.now() >= deadline) {
      s.logger.info(`code scanning is still processing upload ${id}; not waiting longer`);
      return;
    }
    await sleep(s.sarifWait.intervalMs);
  }
}

/** A commit status or a check run with the gate verdict. */
export async function setStatus(reports: readonly Report[], s: PublishSettings) {
  const { ctx, octokit, logger } = s;
  if (!octokit || !ctx.owner || !ctx.repo || !ctx.statusCommit) {
    logger.warn('no GitHub token or commit: the gate status was not set');
    return;
  }
  const passed = gatePassed(reports);
  const name = `devsecflow/${reports.map((r) => r.stage).join('+') || 'gate'}`;
  const violations = reports.flatMap(
    (r) => r.gate?.violations.map((v) => `${stageTitle(r.stage)}: ${v.message}`) ?? [],
  );
  const description = (passed ? 'gate passed' : `gate failed: ${violations[0] ?? ''}`).slice(0, 140);
  const repo = { owner: ctx.owner, repo: ctx.repo };
  try {
    if (s.statusKind === 'check-run') {
      await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
        ...repo,
        name,
        head_sha: ctx.statusCommit,
        status: 'completed',
        conclusion: passed ? 'success' : 'failure',
        details_url: runUrl(ctx),
        output: {
          title: description,
          summary: summaryMarkdown(reports, ctx, { budget: COMMENT_LIMIT_CHARS }),
        },
      });
    } else {
      await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        ...repo,
        sha: ctx.statusCommit,
        state: passed ? 'success' : 'failure',
        context: name,
        description,
        target_url: runUrl(ctx),
      });
    }
  } catch (e) {
    const code = status(e);
    const perm = s.statusKind === 'check-run' ? 'checks: write' : 'statuses: write';
    logger.warn(
      code === 403 || code === 404
        ? `could not set the ${s.statusKind === 'check-run' ? 'check run' : 'commit status'} (${code}): grant \`permissions: ${perm}\``
        : `could not set the gate status (${describeHttp(e)})`,
    );
  }
}

export { SARIF_LIMITS };
