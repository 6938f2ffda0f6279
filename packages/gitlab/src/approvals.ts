import type { Approval, Logger } from '@devsecflow/core';
import { Commits, Deployments, GroupMembers, MergeRequestApprovals, MergeRequests } from '@gitbeaker/rest';
import { type ApiAuth, describeApiError, httpStatus } from './api.js';

/*
 * Deployment gates on GitLab: who approved the merge request being deployed (MR approvals, mapped
 * to the commit they were given on, and group membership), and protected environments' deployment
 * approvals (approve or reject a blocked deployment with the reasons).
 */

export interface GitLabConnection {
  /** Server root, e.g. https://gitlab.com (see `hostFromApiUrl`). */
  host: string;
  auth: ApiAuth;
  queryTimeout?: number;
}

export interface ListApprovalsOptions extends GitLabConnection {
  projectId: string | number;
  /** The commit being deployed. */
  commit: string;
  /** The MR, when the pipeline is for one. Otherwise the MR is found from the commit (pipeline after merge). */
  mergeRequestIid?: number;
  /** Groups (full paths, e.g. `acme/release-managers`) whose membership to look up. */
  groups?: string[];
  logger?: Logger;
}

interface MrLike {
  iid: number;
  sha?: string | null;
  state?: string;
  merge_commit_sha?: string | null;
  squash_commit_sha?: string | null;
  author?: { username?: string } | null;
}

interface ApprovedBy {
  user?: { id?: number; username?: string };
  approved_at?: string;
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new Error(describeApiError(e, what));
  }
}

function resources(c: GitLabConnection) {
  const options = { host: c.host, queryTimeout: c.queryTimeout ?? 30_000, ...c.auth };
  return {
    mergeRequests: new MergeRequests(options),
    approvals: new MergeRequestApprovals(options),
    commits: new Commits(options),
    groupMembers: new GroupMembers(options),
    deployments: new Deployments(options),
  };
}

const mergedAs = (mr: MrLike, commit: string) =>
  mr.state === 'merged' && (mr.merge_commit_sha === commit || mr.squash_commit_sha === commit);

/**
 * Human approvals of the merge request being deployed, in core's Approval shape. GitLab keeps one
 * approval per user; its commit is the MR head at `approved_at` (from the MR's diff versions), or,
 * on servers that do not return `approved_at`, the current head when the project resets approvals
 * on push, else unknown (a policy requiring approval of the deployed commit then ignores it). An
 * approval of the head that was merged as the deployed commit counts as approval of that commit.
 * The MR author's approval is dropped. `teams` lists the named groups the approver belongs to
 * (inherited membership counts). No MR: no approvals. API failures throw one line naming the call.
 */
export async function listApprovals(o: ListApprovalsOptions): Promise<Approval[]> {
  const api = resources(o);
  const pid = o.projectId;
  let mr: MrLike | undefined;
  if (o.mergeRequestIid !== undefined) {
    mr = (await call(`reading merge request !${o.mergeRequestIid}`, () =>
      api.mergeRequests.show(pid, o.mergeRequestIid!),
    )) as unknown as MrLike;
  } else {
    const mrs = (await call(`listing the merge requests of commit ${o.commit.slice(0, 12)}`, () =>
      api.commits.allMergeRequests(pid, o.commit),
    )) as unknown as MrLike[];
    mr = mrs.find((m) => mergedAs(m, o.commit)) ?? mrs.find((m) => m.sha === o.commit);
  }
  if (!mr) {
    o.logger?.info(`no merge request found for commit ${o.commit.slice(0, 12)}: no approvals to read`);
    return [];
  }
  const iid = mr.iid;
  const state = (await call(`reading the approvals of merge request !${iid}`, () =>
    api.approvals.showConfiguration(pid, { mergerequestIId: iid }),
  )) as unknown as { approved_by?: ApprovedBy[] };
  const approvedBy = (state.approved_by ?? []).filter((a) => a.user?.username);
  if (approvedBy.length === 0) return [];

  const versions = (
    (await call(`listing the diff versions of merge request !${iid}`, () =>
      api.mergeRequests.allDiffVersions(pid, iid),
    )) as unknown as { head_commit_sha: string; created_at: string }[]
  )
    .map((v) => ({ sha: v.head_commit_sha, at: Date.parse(v.created_at) }))
    .sort((a, b) => a.at - b.at);
  let resetOnPush: boolean | undefined;
  const headAt = async (approvedAt: string | undefined): Promise<string | undefined> => {
    if (approvedAt) {
      const t = Date.parse(approvedAt);
      return versions.filter((v) => v.at <= t).at(-1)?.sha;
    }
    if (resetOnPush === undefined) {
      const project = (await call('reading the project approval settings', () =>
        api.approvals.showConfiguration(pid),
      )) as unknown as { reset_approvals_on_push?: boolean };
      resetOnPush = project.reset_approvals_on_push === true;
    }
    return resetOnPush ? (mr.sha ?? undefined) : undefined;
  };

  const author = mr.author?.username?.toLowerCase();
  const out: Approval[] = [];
  for (const a of approvedBy) {
    const user = a.user!.username!;
    if (user.toLowerCase() === author) {
      o.logger?.debug(`ignoring ${user}'s approval: author of !${iid}`);
      continue;
    }
    const reviewed = await headAt(a.approved_at);
    const onDeployed =
      reviewed === o.commit || (reviewed !== undefined && reviewed === mr.sha && mergedAs(mr, o.commit));
    const commit = onDeployed ? o.commit : reviewed;
    const approval: Approval = {
      user,
      state: 'approved',
      at: a.approved_at ?? '',
      ...(commit ? { commit } : {}),
    };
    const groups: string[] = [];
    for (const g of o.groups ?? []) {
      if (a.user?.id === undefined) break;
      try {
        await api.groupMembers.show(g, a.user.id, { includeInherited: true });
        groups.push(g);
      } catch (e) {
        if (httpStatus(e) !== 404)
          throw new Error(describeApiError(e, `reading ${user}'s membership of group ${g}`));
      }
    }
    if (groups.length) approval.teams = groups;
    out.push(approval);
  }
  return out;
}

export interface ReviewPendingDeploymentOptions extends GitLabConnection {
  projectId: string | number;
  /** The blocked deployment; found from `environment` + `commit` when not given. */
  deploymentId?: number;
  environment: string;
  commit: string;
  status: 'approved' | 'rejected';
  /** The decision and its reasons, shown on the deployment. */
  comment: string;
  /** Approve on behalf of one of the user's groups (`represented_as`), when approval rules need it. */
  representedAs?: string;
}

export type ReviewResult =
  | { reviewed: true; status: 'approved' | 'rejected'; deploymentId: number }
  | { reviewed: false; reason: string };

/**
 * Approves or rejects a deployment blocked on a protected environment's deployment approvals
 * (`POST /projects/:id/deployments/:deployment_id/approval`). The token's user must be an allowed
 * approver of that environment (CI_JOB_TOKEN cannot approve). Returns why nothing was reviewed
 * when there is no blocked deployment of the commit; API failures throw one line.
 */
export async function reviewPendingDeployment(o: ReviewPendingDeploymentOptions): Promise<ReviewResult> {
  const api = resources(o);
  let id = o.deploymentId;
  if (id === undefined) {
    const blocked = (await call(`listing blocked deployments to ${o.environment}`, () =>
      api.deployments.all(o.projectId, {
        environment: o.environment,
        status: 'blocked',
        orderBy: 'id',
        sort: 'desc',
      }),
    )) as unknown as { id: number; sha?: string }[];
    id = blocked.find((d) => d.sha === o.commit)?.id;
    if (id === undefined) {
      return {
        reviewed: false,
        reason: `no deployment of ${o.commit.slice(0, 12)} to ${o.environment} is waiting for approval`,
      };
    }
  }
  const deploymentId = id;
  await call(
    `${o.status === 'approved' ? 'approving' : 'rejecting'} deployment ${deploymentId} to ${o.environment}`,
    () =>
      api.deployments.setApproval(o.projectId, deploymentId, o.status, {
        comment: o.comment,
        ...(o.representedAs ? { representedAs: o.representedAs } : {}),
      }),
  );
  return { reviewed: true, status: o.status, deploymentId };
}
