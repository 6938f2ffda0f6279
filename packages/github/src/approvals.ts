import type { Approval, Logger } from '@devsecflow/core';
import type { Octokit } from './octokit.js';

/*
 * Deployment gates on GitHub: who approved the change being deployed (pull request reviews and
 * team membership), and the environment's own gate (review a run's pending deployment, set a
 * deployment status). Separate functions so the platform and the CLI can wire them as they need.
 */

export interface RepoRef {
  octokit: Octokit;
  owner: string;
  repo: string;
}

export interface ListApprovalsOptions extends RepoRef {
  /** The commit being deployed. */
  commit: string;
  /** The pull request, when the run is for one. Otherwise the PR is found from the commit (push after merge). */
  pullNumber?: number;
  /** Teams whose membership to look up: `org/team-slug`, or `team-slug` in the repository owner. */
  teams?: string[];
  logger?: Logger;
}

interface PullLike {
  number: number;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  head: { sha: string };
  user?: { login?: string } | null;
}

interface ReviewLike {
  user?: { login?: string } | null;
  state?: string;
  submitted_at?: string;
  commit_id?: string | null;
}

const STATES: Record<string, Approval['state']> = {
  APPROVED: 'approved',
  CHANGES_REQUESTED: 'changes_requested',
  DISMISSED: 'dismissed',
  COMMENTED: 'commented',
};

function status(e: unknown): number | undefined {
  const s = (e as { status?: unknown })?.status;
  return typeof s === 'number' ? s : undefined;
}

function describe(e: unknown, what: string): string {
  const s = status(e);
  const msg = ((e as Error)?.message ?? String(e)).split('\n')[0]!.slice(0, 200);
  return s ? `GitHub API ${s} while ${what}: ${msg}` : `GitHub API unreachable while ${what}: ${msg}`;
}

/** Calls the API, turning any failure into one line naming the call (never the token). */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new Error(describe(e, what));
  }
}

/** The pull request the deployed commit comes from: its head, or the commit it was merged as. */
async function findPull(o: ListApprovalsOptions): Promise<PullLike | undefined> {
  const { octokit, owner, repo, commit } = o;
  if (o.pullNumber !== undefined) {
    const { data } = await call(`reading pull request #${o.pullNumber}`, () =>
      octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner,
        repo,
        pull_number: o.pullNumber!,
      }),
    );
    return data as PullLike;
  }
  const { data } = await call(`listing the pull requests of commit ${commit.slice(0, 12)}`, () =>
    octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', {
      owner,
      repo,
      commit_sha: commit,
      per_page: 100,
    }),
  );
  const pulls = data as PullLike[];
  return (
    pulls.find((p) => p.merged_at && p.merge_commit_sha === commit) ??
    pulls.find((p) => p.head.sha === commit)
  );
}

/** `org/slug` for a configured team. */
function teamRef(team: string, owner: string): { org: string; slug: string } {
  const t = team.replace(/^@/, '');
  const i = t.indexOf('/');
  return i < 0 ? { org: owner, slug: t } : { org: t.slice(0, i), slug: t.slice(i + 1) };
}

/** True when `user` is an active member of the team; 404 means not a member (or not visible). */
async function isMember(o: RepoRef, team: string, user: string): Promise<boolean> {
  const { org, slug } = teamRef(team, o.owner);
  try {
    const { data } = await o.octokit.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', {
      org,
      team_slug: slug,
      username: user,
    });
    return (data as { state?: string }).state === 'active';
  } catch (e) {
    if (status(e) === 404) return false;
    throw new Error(
      `${describe(e, `reading ${user}'s membership of team ${org}/${slug}`)} (the token needs organization members: read, e.g. a GitHub App or a read:org token; GITHUB_TOKEN cannot read teams)`,
    );
  }
}

/**
 * Human approvals of the change being deployed, in core's Approval shape. Each reviewer's latest
 * decisive review counts (a later comment does not replace an approval, as on GitHub). `commit` is
 * the deployed commit when the review was on it, or on the pull request head it was built from (the
 * merge or squash commit, or the open PR's test merge commit); otherwise the reviewed commit, so a policy requiring approval of the deployed commit
 * ignores it as stale. Reviews by the pull request's author are dropped. `teams` lists the named
 * teams the reviewer is an active member of. No pull request: no approvals. API failures throw one
 * line naming the call.
 */
export async function listApprovals(o: ListApprovalsOptions): Promise<Approval[]> {
  const pull = await findPull(o);
  if (!pull) {
    o.logger?.info(`no pull request found for commit ${o.commit.slice(0, 12)}: no approvals to read`);
    return [];
  }
  const { octokit, owner, repo } = o;
  const reviews = (await call(`listing the reviews of pull request #${pull.number}`, () =>
    octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner,
      repo,
      pull_number: pull.number,
      per_page: 100,
    }),
  )) as ReviewLike[];
  const author = pull.user?.login?.toLowerCase();
  // merge_commit_sha is the merge (or squash) commit once merged, and the test merge commit of the
  // current head while open (what GITHUB_SHA is on pull_request events): either way it was built
  // from the head, so a review of the head is a review of it.
  const mergedAsCommit = pull.merge_commit_sha === o.commit;
  const latest = new Map<string, Approval>();
  for (const r of [...reviews].sort(
    (a, b) => Date.parse(a.submitted_at ?? '0') - Date.parse(b.submitted_at ?? '0'),
  )) {
    const user = r.user?.login;
    const state = STATES[r.state ?? ''];
    if (!user || !state) continue;
    if (user.toLowerCase() === author) {
      o.logger?.debug(`ignoring ${user}'s review: author of #${pull.number}`);
      continue;
    }
    const prev = latest.get(user.toLowerCase());
    if (state === 'commented' && prev && prev.state !== 'commented') continue;
    const reviewed = r.commit_id ?? undefined;
    const onDeployed = reviewed === o.commit || (mergedAsCommit && reviewed === pull.head.sha);
    const commit = onDeployed ? o.commit : reviewed;
    latest.set(user.toLowerCase(), { user, state, at: r.submitted_at ?? '', ...(commit ? { commit } : {}) });
  }
  const approvals = [...latest.values()];
  for (const a of approvals) {
    if (a.state !== 'approved' || !o.teams?.length) continue;
    const teams: string[] = [];
    for (const t of o.teams) if (await isMember(o, t, a.user)) teams.push(t);
    if (teams.length) a.teams = teams;
  }
  return approvals;
}

export interface ReviewPendingDeploymentOptions extends RepoRef {
  /** The workflow run whose job waits on the environment (GITHUB_RUN_ID of that run). */
  runId: number;
  /** Environment name, as in the job's `environment:`. */
  environment: string;
  state: 'approved' | 'rejected';
  /** Shown on the run: the decision and its reasons. Trimmed to GitHub's comment size. */
  comment: string;
  /** Wait for the deployment to become pending (the deploy job may not have started yet). Default: no wait. */
  wait?: { intervalMs: number; timeoutMs: number };
}

export type ReviewResult =
  | { reviewed: true; state: 'approved' | 'rejected'; environmentId: number }
  | { reviewed: false; reason: string };

interface PendingDeployment {
  environment?: { id?: number; name?: string };
  current_user_can_approve?: boolean;
}

const MAX_COMMENT = 65_000;

/**
 * Approves or rejects a run's deployment waiting on a GitHub environment with required reviewers
 * (`POST /repos/{o}/{r}/actions/runs/{run_id}/pending_deployments`). The token must belong to a
 * required reviewer of that environment: the job's GITHUB_TOKEN cannot. Returns why nothing was
 * reviewed (no pending deployment, token may not approve); API failures throw one line.
 */
export async function reviewPendingDeployment(o: ReviewPendingDeploymentOptions): Promise<ReviewResult> {
  const { octokit, owner, repo, runId } = o;
  const deadline = Date.now() + (o.wait?.timeoutMs ?? 0);
  let pending: PendingDeployment | undefined;
  for (;;) {
    const { data } = await call(`listing the pending deployments of run ${runId}`, () =>
      octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', {
        owner,
        repo,
        run_id: runId,
      }),
    );
    pending = (data as PendingDeployment[]).find(
      (d) => d.environment?.name?.toLowerCase() === o.environment.toLowerCase(),
    );
    if (pending || !o.wait || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, o.wait!.intervalMs));
  }
  if (!pending?.environment?.id) {
    return {
      reviewed: false,
      reason: `no deployment to ${o.environment} is waiting for review in run ${runId}`,
    };
  }
  if (pending.current_user_can_approve === false) {
    return {
      reviewed: false,
      reason: `the token's user is not a required reviewer of the ${o.environment} environment, so it cannot ${o.state === 'approved' ? 'approve' : 'reject'} the deployment`,
    };
  }
  const environmentId = pending.environment.id;
  await call(`reviewing the pending deployment to ${o.environment} in run ${runId}`, () =>
    octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments', {
      owner,
      repo,
      run_id: runId,
      environment_ids: [environmentId],
      state: o.state,
      comment: o.comment.length > MAX_COMMENT ? `${o.comment.slice(0, MAX_COMMENT - 1)}…` : o.comment,
    }),
  );
  return { reviewed: true, state: o.state, environmentId };
}

export interface DeploymentStatusOptions extends RepoRef {
  commit: string;
  environment: string;
  state: 'success' | 'failure' | 'error' | 'inactive' | 'in_progress' | 'queued' | 'pending';
  /** Up to 140 characters on GitHub; longer text is cut. */
  description: string;
  logUrl?: string;
}

/**
 * Sets the status of the latest deployment of `commit` to `environment` (the one GitHub created for
 * the environment job), e.g. `failure` with the first reason when the policy blocks it. Returns the
 * deployment id, or undefined when there is no such deployment.
 */
export async function setDeploymentStatus(o: DeploymentStatusOptions): Promise<number | undefined> {
  const { octokit, owner, repo } = o;
  const { data } = await call(`listing deployments of ${o.commit.slice(0, 12)} to ${o.environment}`, () =>
    octokit.request('GET /repos/{owner}/{repo}/deployments', {
      owner,
      repo,
      sha: o.commit,
      environment: o.environment,
      per_page: 1,
    }),
  );
  const deployment = (data as { id: number }[])[0];
  if (!deployment) return undefined;
  await call(`setting the status of deployment ${deployment.id}`, () =>
    octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      owner,
      repo,
      deployment_id: deployment.id,
      state: o.state,
      description: o.description.length > 140 ? `${o.description.slice(0, 139)}…` : o.description,
      ...(o.logUrl ? { log_url: o.logUrl } : {}),
    }),
  );
  return deployment.id;
}
