import { readFileSync } from 'node:fs';
import type { ChangeRequest, PlatformContext } from '@devsecflow/core';

/** Environment as the Actions runner sets it. Only strings (or missing) are read. */
export type Env = Record<string, string | undefined>;

/** True inside a GitHub Actions job. */
export function isGitHubActions(env: Env = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

const ZERO_SHA = /^0{40}$/;

/** The GitHub-specific view of where the job runs, on top of the core PlatformContext. */
export interface GitHubContext extends PlatformContext {
  platform: 'github';
  owner?: string;
  repo?: string;
  serverUrl: string;
  apiUrl: string;
  workflow?: string;
  job?: string;
  runId?: string;
  runAttempt?: string;
  workspace?: string;
  /** Base commit for changed lines: PR base, merge-group base, push `before`. */
  baseSha?: string;
  /** Number of changed files the event says the PR has (the files API stops at 3,000). */
  changedFiles?: number;
  /** Commit and ref a SARIF upload describes. pull_request_target points them at the PR head. */
  sarifCommit?: string;
  sarifRef?: string;
  /** Commit a status or check run belongs to: the PR head for PRs, else the job's commit. */
  statusCommit?: string;
  /** True when the PR comes from another repository. */
  fork?: boolean;
  /** Non-fatal remarks gathered while reading the context (unreadable payload, untrusted code). */
  warnings: string[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads GITHUB_EVENT_PATH. A missing or unreadable payload is a warning, not a crash. */
export function readEventPayload(env: Env, warnings: string[] = []): Json {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return obj(JSON.parse(readFileSync(path, 'utf8'))) ?? {};
  } catch (e) {
    warnings.push(`could not read the event payload ${path}: ${(e as Error).message.split('\n')[0]}`);
    return {};
  }
}

function changeFromPull(pr: Json): ChangeRequest | undefined {
  const id = num(pr.number);
  if (id === undefined) return undefined;
  const head = obj(pr.head) ?? {};
  const base = obj(pr.base) ?? {};
  return {
    id,
    url: str(pr.html_url),
    title: str(pr.title),
    author: str(obj(pr.user)?.login),
    baseSha: str(base.sha),
    headSha: str(head.sha),
    baseRef: str(base.ref),
    headRef: str(head.ref),
  };
}

/**
 * Builds the context from `GITHUB_*` variables and the event payload. Handles push, pull_request,
 * pull_request_target, merge_group, workflow_dispatch and schedule; other events get the
 * variables only.
 */
export function readGitHubContext(env: Env = process.env, payload?: Json): GitHubContext {
  const warnings: string[] = [];
  const event = payload ?? readEventPayload(env, warnings);
  const eventName = env.GITHUB_EVENT_NAME;
  const repository = env.GITHUB_REPOSITORY ?? str(obj(event.repository)?.full_name);
  const [owner, repo] = repository?.includes('/') ? repository.split('/', 2) : [undefined, undefined];
  const ctx: GitHubContext = {
    platform: 'github',
    repository,
    owner,
    repo,
    commit: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    event: eventName,
    defaultBranch: str(obj(event.repository)?.default_branch),
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    workflow: env.GITHUB_WORKFLOW,
    job: env.GITHUB_JOB,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    workspace: env.GITHUB_WORKSPACE,
    warnings,
  };
  ctx.sarifCommit = ctx.commit;
  ctx.sarifRef = ctx.ref;
  ctx.statusCommit = ctx.commit;

  const pr = obj(event.pull_request);
  if ((eventName === 'pull_request' || eventName === 'pull_request_target') && pr) {
    const change = changeFromPull(pr);
    ctx.change = change;
    ctx.baseSha = change?.baseSha;
    ctx.changedFiles = num(pr.changed_files);
    ctx.statusCommit = change?.headSha ?? ctx.commit;
    const headRepo = str(obj(obj(pr.head)?.repo)?.full_name);
    const baseRepo = str(obj(obj(pr.base)?.repo)?.full_name) ?? repository;
    // A deleted fork has head.repo = null: treat it as foreign.
    ctx.fork = headRepo === undefined || headRepo !== baseRepo;
    if (eventName === 'pull_request_target') {
      // The job runs in the base repository with a write token; GITHUB_SHA/REF are the base
      // branch. Results describe the PR head, so uploads must not land on the base branch.
      if (change) {
        ctx.sarifRef = `refs/pull/${change.id}/head`;
        ctx.sarifCommit = change.headSha ?? ctx.commit;
      }
      if (ctx.fork) {
        ctx.untrustedCode = true;
        warnings.push(
          'pull_request_target runs with a write token and secrets; this pull request comes from a fork, so any ' +
            'code checked out from it is untrusted: scan it, never build or run it in this job',
        );
      }
    }
  } else if (eventName === 'merge_group') {
    const mg = obj(event.merge_group) ?? {};
    ctx.baseSha = str(mg.base_sha);
    ctx.commit = ctx.commit ?? str(mg.head_sha);
    ctx.ref = ctx.ref ?? str(mg.head_ref);
  } else if (eventName === 'push') {
    const before = str(event.before);
    // A new branch or tag has no `before`: there is no change to compare with.
    if (before && !ZERO_SHA.test(before)) ctx.baseSha = before;
    ctx.commit = ctx.commit ?? str(event.after);
    ctx.ref = ctx.ref ?? str(event.ref);
  }
  // workflow_dispatch and schedule carry no change: the GITHUB_* variables are the whole context.
  return ctx;
}
