import {
  hasIssueMarker,
  type IssueDraft,
  type IssueRef,
  type IssueTracker,
  type Logger,
  type TrackedIssue,
} from '@devsecflow/core';
import { IssueNotes, Issues, Users } from '@gitbeaker/rest';
import { type ApiAuth, describeApiError, httpStatus } from './api.js';

/*
 * The monitor's issue tracker on GitLab issues. An issue is found again by the hidden marker
 * `<!-- key -->` in its description, among the project's issues carrying our label (all states,
 * every page): listing is consistent right after a create, unlike the search API's index.
 */

export interface GitLabIssueTrackerOptions {
  /** Server root, e.g. https://gitlab.com (see `hostFromApiUrl`). */
  host: string;
  /** A token with the `api` scope: CI_JOB_TOKEN cannot create issues or notes. */
  auth: ApiAuth;
  /** Numeric id or full path of the project the issues live in. */
  projectId: string | number;
  /** Label every tracked issue carries, and the only one `find` lists. Default `devsecflow`. */
  label?: string;
  /** Timeout of one API call, ms. Default 30 s. */
  queryTimeout?: number;
  logger?: Logger;
}

/** The label the monitor's issues carry (its `issueDraft` adds it too). */
export const DEFAULT_ISSUE_LABEL = 'devsecflow';

interface RawIssue {
  iid: number;
  description?: string | null;
  state?: string;
  web_url?: string;
  labels?: string[];
}

/**
 * The GitLab `IssueTracker` for one project. Calls that fail throw one line naming the call and
 * the HTTP status; a 401/403 also says the token needs the `api` scope (DEVSECFLOW_GITLAB_TOKEN).
 * Assignee handles are resolved to user ids; unknown users are left out, with a warning.
 */
export function createGitLabIssueTracker(options: GitLabIssueTrackerOptions): IssueTracker {
  const { projectId } = options;
  const label = options.label ?? DEFAULT_ISSUE_LABEL;
  const log = options.logger;
  const resource = { host: options.host, queryTimeout: options.queryTimeout ?? 30_000, ...options.auth };
  const issues = new Issues(resource);
  const notes = new IssueNotes(resource);
  const users = new Users(resource);
  const where = `project ${projectId}`;

  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const status = httpStatus(e);
      const hint =
        status === 401
          ? ` The token was rejected (invalid, expired or revoked): set DEVSECFLOW_GITLAB_TOKEN to a project access token with the "api" scope.`
          : status === 403
            ? ` The token needs the "api" scope and at least the Reporter role on ${where} (DEVSECFLOW_GITLAB_TOKEN; CI_JOB_TOKEN cannot write issues).`
            : '';
      // A plain Error without `cause`: gitbeaker's error keeps the request, token header included.
      throw new Error(`${describeApiError(e, what)}.${hint}`);
    }
  };

  const labelsOf = (draft: IssueDraft) => [...new Set([...draft.labels, label])].join(',');
  const iid = (issue: IssueRef) => {
    const n = Number(issue.id);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a GitLab issue iid: "${issue.id}"`);
    return n;
  };

  /** User ids of `@handles`; a handle that is no user is left out (the issue matters more). */
  const assigneeIds = async (handles: string[]): Promise<number[]> => {
    const ids: number[] = [];
    const missing: string[] = [];
    for (const handle of handles) {
      const username = handle.replace(/^@/, '');
      const found = (await call(`looking up the user @${username}`, () =>
        users.all({ username }),
      )) as unknown as Array<{ id: number }>;
      if (found[0]) ids.push(found[0].id);
      else missing.push(`@${username}`);
    }
    if (missing.length)
      log?.warn(`GitLab has no user ${missing.join(', ')}; the issue on ${where} is not assigned to them`);
    return ids;
  };

  return {
    async find(key: string): Promise<TrackedIssue | undefined> {
      const list = (await call(`listing the "${label}" issues of ${where}`, () =>
        issues.all({ projectId, labels: label, state: 'all', perPage: 100 }),
      )) as unknown as RawIssue[];
      const found: TrackedIssue[] = list
        .filter((i) => hasIssueMarker(i.description, key))
        .sort((a, b) => a.iid - b.iid)
        .map((i) => ({
          id: String(i.iid),
          ...(i.web_url ? { url: i.web_url } : {}),
          state: i.state === 'closed' ? 'closed' : 'open',
        }));
      if (found.length > 1) log?.debug(`${found.length} issues carry the key ${key}`);
      // An open match is the one to reuse; else the oldest.
      return found.find((f) => f.state === 'open') ?? found[0];
    },

    async create(draft: IssueDraft): Promise<IssueRef> {
      const ids = draft.assignees.length ? await assigneeIds(draft.assignees) : [];
      const created = (await call(`creating the issue "${draft.title.slice(0, 80)}" on ${where}`, () =>
        issues.create(projectId, draft.title, {
          description: draft.body,
          labels: labelsOf(draft),
          ...(ids.length ? { assigneeIds: ids } : {}),
        }),
      )) as unknown as RawIssue;
      if (Array.isArray(created.labels) && !created.labels.includes(label))
        log?.warn(
          `GitLab did not apply the label "${label}" to issue #${created.iid} on ${where}: the monitor cannot find this issue again if its state store is lost`,
        );
      return { id: String(created.iid), ...(created.web_url ? { url: created.web_url } : {}) };
    },

    async update(issue: IssueRef, draft: IssueDraft): Promise<void> {
      const n = iid(issue);
      // `reopen` on an open issue changes nothing: one call either way.
      await call(`updating issue #${n} on ${where}`, () =>
        issues.edit(projectId, n, {
          title: draft.title,
          description: draft.body,
          labels: labelsOf(draft),
          stateEvent: 'reopen',
        }),
      );
    },

    async close(issue: IssueRef, comment: string): Promise<void> {
      const n = iid(issue);
      await call(`commenting on issue #${n} on ${where}`, () => notes.create(projectId, n, comment));
      await call(`closing issue #${n} on ${where}`, () => issues.edit(projectId, n, { stateEvent: 'close' }));
    },
  };
}
