import {
  type ChangeProposal,
  type ChangeRequests,
  fitChangeBody,
  hasIssueMarker,
  type Logger,
  type ProposedChange,
  prepareChangeProposal,
  UserError,
} from '@devsecflow/core';
import type { Octokit } from './octokit.js';

/*
 * Proposing a change (the fix) as a pull request, entirely through the REST API: no clone, no
 * `git push`, so it works from any job with a token. The files become one commit on top of the base
 * branch (Git Data API: blobs, a tree on the base tree, a commit), and the proposal's branch points
 * at it, created or force-updated. One open PR from that branch carries it, found again by its head
 * (or by the key's hidden marker) and updated, never duplicated. Proposing the same files again
 * writes nothing: the new tree is compared with the tree the branch already has.
 */

export interface GitHubChangeRequestsOptions {
  /** The client the platform built (`createOctokit`), carrying the token. */
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Base when the proposal names none; default: the repository's default branch (GET /repos). */
  defaultBranch?: string;
  logger?: Logger;
}

/** GitHub refuses a pull request body longer than this many characters (422). */
export const PULL_BODY_LIMIT = 65_536;

/** The fine-grained permission each call needs, named in the error when the token lacks it. */
type Permission = 'contents: read' | 'contents: write' | 'pull-requests: read' | 'pull-requests: write';

interface HttpError {
  status?: number;
  message?: string;
  response?: { data?: { message?: string; errors?: Array<{ message?: string } | string> } };
}

const statusOf = (e: unknown): number | undefined => {
  const s = (e as HttpError).status;
  return typeof s === 'number' ? s : undefined;
};

/** GitHub's message of a failed call with its validation details; never the request (headers carry the token). */
function messageOf(e: unknown): string {
  const data = (e as HttpError).response?.data;
  const main = data?.message ?? (e instanceof Error ? e.message : String(e));
  const details = (data?.errors ?? [])
    .map((d) => (typeof d === 'string' ? d : d.message))
    .filter((d): d is string => Boolean(d));
  return [main, ...details]
    .join(': ')
    .split('\n')[0]!
    .replace(/\s+-\s+https:\/\/docs\.github\.com\S*$/, '')
    .slice(0, 300);
}

/** The one-line error of a failed call: the call, the status, GitHub's message and what to change. */
function apiError(what: string, e: unknown, permission: Permission, where: string): UserError {
  const status = statusOf(e);
  const message = messageOf(e);
  let hint = '';
  if (status === 401) hint = ' The token was rejected (invalid or expired).';
  else if (status === 403 && /not permitted to create or approve pull requests/i.test(message))
    hint = ` Allow it in ${where}'s settings (Actions > General > Workflow permissions: "Allow GitHub Actions to create and approve pull requests"), or use a GitHub App or personal token.`;
  else if (status === 403)
    hint = ` The token needs the "${permission}" permission on ${where} (workflow: permissions: contents: write, pull-requests: write).`;
  else if (status === 404)
    hint = ` ${where} does not exist or the token cannot see it (a token without access to a private repository gets 404).`;
  // No `cause`: the Octokit error keeps the request, headers included.
  const sentence = /[.!?]$/.test(message) ? message : `${message}.`;
  return new UserError(`GitHub API ${status ?? 'unreachable'} while ${what}: ${sentence}${hint}`);
}

interface OpenPull {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  head: { ref: string; repo?: { full_name?: string } | null };
  base: { ref: string };
  labels: Array<{ name?: string } | string>;
}

/** Bodies compared as text: line endings and trailing blank lines may change on the way through the API. */
const sameText = (a: string | null | undefined, b: string) =>
  (a ?? '').replace(/\r\n/g, '\n').trimEnd() === b.replace(/\r\n/g, '\n').trimEnd();

const labelNames = (pr: OpenPull) => pr.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));

/**
 * The GitHub `ChangeRequests` for `owner/repo`. The token needs `contents: write` (branch and
 * commit) and `pull-requests: write` (the PR and its labels); a failure is a one-line UserError
 * naming the call, the status and the permission or setting to change. Commits made with the
 * workflow's GITHUB_TOKEN do not start other workflows: use a GitHub App token for CI on the PR.
 * Files are written as regular (100644) files.
 */
export function createGitHubChangeRequests(options: GitHubChangeRequestsOptions): ChangeRequests {
  const { octokit, owner, repo } = options;
  const log = options.logger;
  const where = `${owner}/${repo}`;

  const call = async <T>(what: string, permission: Permission, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw apiError(what, e, permission, where);
    }
  };

  /** The commit a branch points at, or undefined when there is no such branch. */
  const branchHead = async (branch: string): Promise<string | undefined> => {
    try {
      // Octokit percent-encodes the whole ref (`heads%2Ffix%23x`), which GitHub decodes.
      const res = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
      return res.data.object.sha;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw apiError(`reading branch "${branch}" of ${where}`, e, 'contents: read', where);
    }
  };

  const treeOf = async (sha: string): Promise<string> =>
    (
      await call(`reading commit ${sha.slice(0, 12)} of ${where}`, 'contents: read', () =>
        octokit.rest.git.getCommit({ owner, repo, commit_sha: sha }),
      )
    ).data.tree.sha;

  /** The open PR from `branch`, and other open PRs carrying the key (an earlier branch of this fix). */
  const openPulls = async (p: ChangeProposal): Promise<{ own?: OpenPull; superseded: OpenPull[] }> => {
    const own = (
      await call(`listing the open pull requests from ${p.branch} in ${where}`, 'pull-requests: read', () =>
        octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${p.branch}`, per_page: 100 }),
      )
    ).data as OpenPull[];
    const mine = own.find((pr) => pr.head.ref === p.branch);
    if (mine) return { own: mine, superseded: [] };
    const all = (await call(`listing the open pull requests of ${where}`, 'pull-requests: read', () =>
      octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 }),
    )) as OpenPull[];
    // Only branches of this repository: a fork's PR is someone else's to close.
    const ours = (pr: OpenPull) => pr.head.repo?.full_name?.toLowerCase() === where.toLowerCase();
    return {
      superseded: all.filter((pr) => ours(pr) && pr.head.ref !== p.branch && hasIssueMarker(pr.body, p.key)),
    };
  };

  return {
    async propose(input: ChangeProposal): Promise<ProposedChange> {
      const prepared = prepareChangeProposal(input);
      const p = { ...prepared, body: fitChangeBody(prepared.body, prepared.key, PULL_BODY_LIMIT) };
      const base =
        p.base ??
        options.defaultBranch ??
        (await call(`reading ${where}`, 'contents: read', () => octokit.rest.repos.get({ owner, repo }))).data
          .default_branch;
      const baseSha = await branchHead(base);
      if (!baseSha) {
        // GitHub answers 404 alike for a missing branch and a repository the token cannot see.
        if (p.base ?? options.defaultBranch)
          await call(`reading ${where}`, 'contents: read', () => octokit.rest.repos.get({ owner, repo }));
        throw new UserError(`GitHub: base branch "${base}" does not exist in ${where}`);
      }
      const baseTree = await treeOf(baseSha);
      const headSha = await branchHead(p.branch);

      // Blobs and trees are content-addressed: writing them again is harmless and changes nothing visible.
      const entries: Array<{ path: string; mode: '100644'; type: 'blob'; sha: string }> = [];
      for (const f of p.files) {
        const blob = await call(`uploading ${f.path} to ${where}`, 'contents: write', () =>
          octokit.rest.git.createBlob({ owner, repo, content: f.content, encoding: 'utf-8' }),
        );
        entries.push({ path: f.path, mode: '100644', type: 'blob', sha: blob.data.sha });
      }
      const tree = (
        await call(`creating the tree of ${p.branch} in ${where}`, 'contents: write', () =>
          octokit.rest.git.createTree({ owner, repo, base_tree: baseTree, tree: entries }),
        )
      ).data.sha;
      if (tree === baseTree)
        throw new UserError(`GitHub: nothing to propose on ${where}: ${base} already has these files`);

      const branchUnchanged = headSha !== undefined && (await treeOf(headSha)) === tree;
      if (!branchUnchanged) {
        const commit = (
          await call(`creating the commit for ${p.branch} in ${where}`, 'contents: write', () =>
            octokit.rest.git.createCommit({
              owner,
              repo,
              message: p.commitMessage,
              tree,
              parents: [baseSha],
            }),
          )
        ).data.sha;
        await writeBranch(p.branch, commit, headSha !== undefined);
        log?.info(
          `${headSha ? 'force-updated' : 'created'} branch ${p.branch} in ${where} at ${commit.slice(0, 12)}`,
        );
      }

      const { own, superseded } = await openPulls(p);
      if (own) {
        const edit = own.title !== p.title || !sameText(own.body, p.body) || own.base.ref !== base;
        if (edit)
          await call(`updating pull request #${own.number} in ${where}`, 'pull-requests: write', () =>
            octokit.rest.pulls.update({
              owner,
              repo,
              pull_number: own.number,
              title: p.title,
              body: p.body,
              base,
            }),
          );
        const have = labelNames(own);
        const missing = p.labels.filter((l) => !have.includes(l));
        await addLabels(own.number, missing);
        return {
          id: String(own.number),
          url: own.html_url,
          created: false,
          unchanged: branchUnchanged && !edit && missing.length === 0,
        };
      }

      const created = (
        await call(
          `opening the pull request from ${p.branch} into ${base} in ${where}`,
          'pull-requests: write',
          () =>
            octokit.rest.pulls.create({ owner, repo, title: p.title, body: p.body, head: p.branch, base }),
        )
      ).data;
      await addLabels(created.number, p.labels);
      for (const old of superseded) {
        // The same fix from an earlier branch: say where it went, then close it.
        await call(`commenting on pull request #${old.number} in ${where}`, 'pull-requests: write', () =>
          octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: old.number,
            body: `Superseded by #${created.number}.`,
          }),
        );
        await call(`closing pull request #${old.number} in ${where}`, 'pull-requests: write', () =>
          octokit.rest.pulls.update({ owner, repo, pull_number: old.number, state: 'closed' }),
        );
        log?.info(`closed pull request #${old.number} (${old.head.ref}): superseded by #${created.number}`);
      }
      log?.info(`opened pull request #${created.number} from ${p.branch} into ${base} in ${where}`);
      return { id: String(created.number), url: created.html_url, created: true, unchanged: false };
    },
  };

  async function writeBranch(branch: string, sha: string, exists: boolean): Promise<void> {
    const update = () =>
      call(`force-updating branch "${branch}" of ${where}`, 'contents: write', () =>
        octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true }),
      );
    if (exists) {
      await update();
      return;
    }
    try {
      await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
    } catch (e) {
      // Another run created it since we looked: ours replaces it, as an update would.
      if (statusOf(e) === 422 && /already exists/i.test(messageOf(e))) await update();
      else throw apiError(`creating branch "${branch}" in ${where}`, e, 'contents: write', where);
    }
  }

  async function addLabels(number: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    // Added, not replaced: labels people put on the PR stay.
    await call(`labelling pull request #${number} in ${where}`, 'pull-requests: write', () =>
      octokit.rest.issues.addLabels({ owner, repo, issue_number: number, labels }),
    );
  }
}
