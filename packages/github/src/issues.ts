import {
  hasIssueMarker,
  type IssueDraft,
  type IssueRef,
  type IssueTracker,
  type Logger,
  type TrackedIssue,
} from '@devsecflow/core';
import type { Octokit } from './octokit.js';

/*
 * The monitor's issue tracker on GitHub Issues (REST). An issue is found again by the hidden marker
 * `<!-- key -->` in its body, among the issues carrying our label: listing is strongly consistent,
 * while the search API's index lags, so a retry right after a create could open a duplicate.
 */

export interface GitHubIssueTrackerOptions {
  /** The client the platform built (`createOctokit`), carrying the token. */
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Label every tracked issue carries, and the only one `find` lists. Default `devsecflow`. */
  label?: string;
  logger?: Logger;
}

/** The label the monitor's issues carry (its `issueDraft` adds it too). */
export const DEFAULT_ISSUE_LABEL = 'devsecflow';

interface HttpError {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: unknown[] } };
}

/** GitHub's one-line message of a failed call; never the request (its headers carry the token). */
function messageOf(e: unknown): string {
  const err = e as HttpError;
  const msg = err.response?.data?.message ?? (e instanceof Error ? e.message : String(e));
  return msg
    .split('\n')[0]!
    .replace(/\s+-\s+https:\/\/docs\.github\.com\S*$/, '')
    .slice(0, 300);
}

const statusOf = (e: unknown): number | undefined => {
  const s = (e as HttpError).status;
  return typeof s === 'number' ? s : undefined;
};

/**
 * The GitHub `IssueTracker` for `owner/repo`. Calls that fail throw one line naming the call and
 * the HTTP status; a 401/403 also names the permission the token needs (`issues: write`).
 * Assignees GitHub refuses (not collaborators, unknown users) are dropped, with a warning, rather
 * than failing the create.
 */
export function createGitHubIssueTracker(options: GitHubIssueTrackerOptions): IssueTracker {
  const { octokit, owner, repo } = options;
  const label = options.label ?? DEFAULT_ISSUE_LABEL;
  const log = options.logger;
  const where = `${owner}/${repo}`;

  const fail = (what: string, e: unknown, permission: 'read' | 'write'): Error => {
    const status = statusOf(e);
    const hint =
      status === 401
        ? ' The token was rejected (invalid or expired).'
        : status === 403
          ? ` The token needs the "issues: ${permission}" permission on ${where} (workflow: permissions: issues: ${permission}).`
          : '';
    // A plain Error without `cause`: the Octokit error keeps the request, headers included.
    return new Error(`GitHub API ${status ?? 'unreachable'} while ${what}: ${messageOf(e)}.${hint}`);
  };

  const call = async <T>(what: string, permission: 'read' | 'write', fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw fail(what, e, permission);
    }
  };

  const labelsOf = (draft: IssueDraft) => [...new Set([...draft.labels, label])];
  const number = (issue: IssueRef) => {
    const n = Number(issue.id);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a GitHub issue number: "${issue.id}"`);
    return n;
  };

  return {
    async find(key: string): Promise<TrackedIssue | undefined> {
      return call(`listing the "${label}" issues of ${where}`, 'read', async () => {
        const found: TrackedIssue[] = [];
        const pages = octokit.paginate.iterator(octokit.rest.issues.listForRepo, {
          owner,
          repo,
          labels: label,
          state: 'all',
          per_page: 100,
        });
        for await (const page of pages) {
          for (const i of page.data) {
            // The issues API lists pull requests too.
            if (i.pull_request || !hasIssueMarker(i.body, key)) continue;
            found.push({
              id: String(i.number),
              url: i.html_url,
              state: i.state === 'closed' ? 'closed' : 'open',
            });
          }
          // An open match is the one to reuse; stop paging as soon as there is one.
          if (found.some((f) => f.state === 'open')) break;
        }
        if (found.length > 1)
          log?.debug(`${found.length} issues carry the key ${key}: using #${found[0]!.id}`);
        return found.find((f) => f.state === 'open') ?? found[0];
      });
    },

    async create(draft: IssueDraft): Promise<IssueRef> {
      const what = `creating the issue "${draft.title.slice(0, 80)}" in ${where}`;
      const post = (assignees: string[]) =>
        octokit.rest.issues.create({
          owner,
          repo,
          title: draft.title,
          body: draft.body,
          labels: labelsOf(draft),
          ...(assignees.length ? { assignees } : {}),
        });
      let res: Awaited<ReturnType<typeof post>>;
      try {
        res = await post(draft.assignees);
      } catch (e) {
        // 422: an assignee is not a user who can be assigned here. The issue matters more.
        if (statusOf(e) !== 422 || draft.assignees.length === 0) throw fail(what, e, 'write');
        log?.warn(
          `GitHub refused the assignees ${draft.assignees.map((a) => `@${a}`).join(', ')} on ${where} (${messageOf(e)}); creating the issue without assignees`,
        );
        res = await call(what, 'write', () => post([]));
      }
      const applied = res.data.labels.map((l) => (typeof l === 'string' ? l : l.name));
      if (!applied.includes(label))
        log?.warn(
          `GitHub did not apply the label "${label}" to issue #${res.data.number} on ${where} (it drops labels for tokens without push access): the monitor cannot find this issue again if its state store is lost`,
        );
      return { id: String(res.data.number), url: res.data.html_url };
    },

    async update(issue: IssueRef, draft: IssueDraft): Promise<void> {
      const n = number(issue);
      await call(`updating issue #${n} in ${where}`, 'write', () =>
        octokit.rest.issues.update({
          owner,
          repo,
          issue_number: n,
          title: draft.title,
          body: draft.body,
          labels: labelsOf(draft),
          state: 'open',
        }),
      );
    },

    async close(issue: IssueRef, comment: string): Promise<void> {
      const n = number(issue);
      await call(`commenting on issue #${n} in ${where}`, 'write', () =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: n, body: comment }),
      );
      await call(`closing issue #${n} in ${where}`, 'write', () =>
        octokit.rest.issues.update({
          owner,
          repo,
          issue_number: n,
          state: 'closed',
          state_reason: 'completed',
        }),
      );
    },
  };
}
