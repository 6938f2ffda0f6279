import { createHash } from 'node:crypto';
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
import {
  Branches,
  Commits,
  MergeRequestNotes,
  MergeRequests,
  Projects,
  Repositories,
  RepositoryFiles,
} from '@gitbeaker/rest';
import { type ApiAuth, describeApiError, httpStatus } from './api.js';

/*
 * Proposing a change (the fix) as a merge request, entirely through the REST API: no clone, no
 * `git push`. The files become one commit on top of the base branch (Commits API with `actions`,
 * `start_branch` = the base, `force` when the branch exists so it is rewritten rather than stacked),
 * and one opened MR from that branch carries it, found again by source branch (or by the key's
 * hidden marker) and updated, never duplicated. Proposing the same files again writes nothing: the
 * branch is compared with the base (its one commit's parent, its changed paths, their blob ids).
 */

export interface GitLabChangeRequestsOptions {
  /** Server root, e.g. https://gitlab.com (see `hostFromApiUrl`). */
  host: string;
  /** A token with the `api` scope and the Developer role: CI_JOB_TOKEN cannot push or open MRs. */
  auth: ApiAuth;
  /** Numeric id or full path of the project. */
  projectId: string | number;
  /** Base when the proposal names none; default: the project's default branch (GET /projects/:id). */
  defaultBranch?: string;
  /** Timeout of one API call, ms. Default 30 s. */
  queryTimeout?: number;
  logger?: Logger;
}

/** GitLab refuses a merge request description longer than this many characters. */
export const MR_DESCRIPTION_LIMIT = 1_048_576;

/** git's blob id of a text: equal ids mean equal content, without downloading the file. */
export function gitBlobId(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
}

/** Descriptions compared as text: line endings and trailing blank lines may change on the way through the API. */
const sameText = (a: string | null | undefined, b: string) =>
  (a ?? '').replace(/\r\n/g, '\n').trimEnd() === b.replace(/\r\n/g, '\n').trimEnd();

interface RawBranch {
  name: string;
  commit: { id: string; parent_ids?: string[] };
}

interface RawMergeRequest {
  iid: number;
  title: string;
  description?: string | null;
  web_url?: string;
  source_branch: string;
  target_branch: string;
  project_id: number;
  source_project_id: number;
  labels?: string[];
}

/**
 * The GitLab `ChangeRequests` for one project. The token needs the `api` scope and at least the
 * Developer role (push a branch, open an MR); a failure is a one-line UserError naming the call,
 * the status and what the token lacks.
 */
export function createGitLabChangeRequests(options: GitLabChangeRequestsOptions): ChangeRequests {
  const { projectId } = options;
  const log = options.logger;
  const resource = { host: options.host, queryTimeout: options.queryTimeout ?? 30_000, ...options.auth };
  const projects = new Projects(resource);
  const branches = new Branches(resource);
  const files = new RepositoryFiles(resource);
  const repositories = new Repositories(resource);
  const commits = new Commits(resource);
  const mergeRequests = new MergeRequests(resource);
  const notes = new MergeRequestNotes(resource);
  const where = `project ${projectId}`;

  const fail = (what: string, e: unknown): UserError => {
    const status = httpStatus(e);
    const hint =
      status === 401
        ? ' The token was rejected (invalid, expired or revoked): set DEVSECFLOW_GITLAB_TOKEN to a project access token with the "api" scope.'
        : status === 403
          ? ` The token needs the "api" scope and at least the Developer role on ${where} (push a branch, open a merge request), and a role allowed to push if the branch is protected (DEVSECFLOW_GITLAB_TOKEN; CI_JOB_TOKEN cannot push).`
          : status === 404
            ? ` ${where} does not exist or the token cannot see it.`
            : '';
    // No `cause`: gitbeaker's error keeps the request, token header included.
    // GitLab gives some validation messages as a JSON list (`["..."]`): say them as text.
    const line = describeApiError(e, what).replace(/\["(.*)"\]$/, (_m, inner: string) =>
      inner.replace(/","/g, '; '),
    );
    return new UserError(`${line}${/[.!?]$/.test(line) ? '' : '.'}${hint}`);
  };
  const call = async <T>(what: string, fn: () => Promise<unknown>): Promise<T> => {
    try {
      return (await fn()) as T;
    } catch (e) {
      throw fail(what, e);
    }
  };
  /** The answer, or undefined on 404 (no such branch or file). */
  const maybe = async <T>(what: string, fn: () => Promise<unknown>): Promise<T | undefined> => {
    try {
      return (await fn()) as T;
    } catch (e) {
      // "404 Branch Not Found" / "404 File Not Found" mean absent; "404 Project Not Found" is an error.
      if (httpStatus(e) === 404 && !/project not found/i.test(String((e as Error).message))) return undefined;
      throw fail(what, e);
    }
  };
  const branch = (name: string) =>
    maybe<RawBranch>(`reading branch "${name}" of ${where}`, () => branches.show(projectId, name));
  const blobAt = async (path: string, ref: string) =>
    (
      await maybe<{ blob_id: string }>(`reading ${path} on ${ref} of ${where}`, () =>
        files.show(projectId, path, ref),
      )
    )?.blob_id;

  /** Whether the branch is exactly one commit on `baseSha` changing exactly `changed` to these blobs. */
  const branchHolds = async (
    head: RawBranch,
    baseSha: string,
    want: Map<string, string>,
  ): Promise<boolean> => {
    const parents = head.commit.parent_ids ?? [];
    if (parents.length !== 1 || parents[0] !== baseSha) return false;
    const cmp = await call<{ diffs?: Array<{ new_path: string; old_path: string }> }>(
      `comparing ${head.name} with its base in ${where}`,
      () => repositories.compare(projectId, baseSha, head.commit.id),
    );
    const paths = new Set((cmp.diffs ?? []).flatMap((d) => [d.new_path, d.old_path]));
    if (paths.size !== want.size || [...paths].some((p) => !want.has(p))) return false;
    for (const [path, blob] of want) if ((await blobAt(path, head.name)) !== blob) return false;
    return true;
  };

  /** The opened MR from `branch` in this project, and other opened MRs carrying the key (an earlier branch). */
  const openMergeRequests = async (p: ChangeProposal) => {
    const sameProject = (mr: RawMergeRequest) => mr.source_project_id === mr.project_id;
    const own = (
      await call<RawMergeRequest[]>(`listing the open merge requests from ${p.branch} in ${where}`, () =>
        mergeRequests.all({ projectId, sourceBranch: p.branch, state: 'opened', perPage: 100 }),
      )
    ).find((mr) => sameProject(mr) && mr.source_branch === p.branch);
    if (own) return { own, superseded: [] as RawMergeRequest[] };
    const all = await call<RawMergeRequest[]>(`listing the open merge requests of ${where}`, () =>
      mergeRequests.all({ projectId, state: 'opened', perPage: 100 }),
    );
    return {
      own: undefined,
      superseded: all.filter(
        (mr) => sameProject(mr) && mr.source_branch !== p.branch && hasIssueMarker(mr.description, p.key),
      ),
    };
  };

  return {
    async propose(input: ChangeProposal): Promise<ProposedChange> {
      const prepared = prepareChangeProposal(input);
      const p = { ...prepared, body: fitChangeBody(prepared.body, prepared.key, MR_DESCRIPTION_LIMIT) };
      const base =
        p.base ??
        options.defaultBranch ??
        (await call<{ default_branch: string }>(`reading ${where}`, () => projects.show(projectId)))
          .default_branch;
      const baseBranch = await branch(base);
      if (!baseBranch) throw new UserError(`GitLab: base branch "${base}" does not exist in ${where}`);
      const head = await branch(p.branch);

      // What the files are on the base decides create or update, since the commit starts there.
      const want = new Map<string, string>();
      const actions: Array<{ action: 'create' | 'update'; filePath: string; content: string }> = [];
      for (const f of p.files) {
        const onBase = await blobAt(f.path, base);
        const blob = gitBlobId(f.content);
        if (onBase === blob) continue;
        want.set(f.path, blob);
        actions.push({
          action: onBase ? 'update' : 'create',
          filePath: f.path,
          content: f.content,
        });
      }
      if (actions.length === 0)
        throw new UserError(`GitLab: nothing to propose on ${where}: ${base} already has these files`);

      const branchUnchanged = head !== undefined && (await branchHolds(head, baseBranch.commit.id, want));
      if (!branchUnchanged) {
        const commit = (force: boolean) =>
          commits.create(projectId, p.branch, p.commitMessage, actions, {
            startBranch: base,
            ...(force ? { force: true } : {}),
          });
        const what = `committing to branch "${p.branch}" of ${where}`;
        try {
          await commit(head !== undefined);
        } catch (e) {
          // Another run created the branch since we looked: ours replaces it, as for an existing one.
          if (
            head !== undefined ||
            httpStatus(e) !== 400 ||
            !/already exists/i.test(String((e as Error).message))
          )
            throw fail(what, e);
          await call(what, () => commit(true));
        }
        log?.info(`${head ? 'force-updated' : 'created'} branch ${p.branch} in ${where}`);
      }

      const { own, superseded } = await openMergeRequests(p);
      if (own) {
        const have = own.labels ?? [];
        const missing = p.labels.filter((l) => !have.includes(l));
        const edit =
          own.title !== p.title ||
          !sameText(own.description, p.body) ||
          own.target_branch !== base ||
          missing.length > 0;
        if (edit)
          await call(`updating merge request !${own.iid} in ${where}`, () =>
            mergeRequests.edit(projectId, own.iid, {
              title: p.title,
              description: p.body,
              targetBranch: base,
              // Added, not replaced: labels people put on the MR stay.
              ...(missing.length ? { addLabels: missing.join(',') } : {}),
            }),
          );
        return {
          id: String(own.iid),
          ...(own.web_url ? { url: own.web_url } : {}),
          created: false,
          unchanged: branchUnchanged && !edit,
        };
      }

      const created = await call<RawMergeRequest>(
        `opening the merge request from ${p.branch} into ${base} in ${where}`,
        () =>
          mergeRequests.create(projectId, p.branch, base, p.title, {
            description: p.body,
            removeSourceBranch: true,
            ...(p.labels.length ? { labels: p.labels.join(',') } : {}),
          }),
      );
      for (const old of superseded) {
        // The same fix from an earlier branch: say where it went, then close it.
        await call(`commenting on merge request !${old.iid} in ${where}`, () =>
          notes.create(projectId, old.iid, `Superseded by !${created.iid}.`),
        );
        await call(`closing merge request !${old.iid} in ${where}`, () =>
          mergeRequests.edit(projectId, old.iid, { stateEvent: 'close' }),
        );
        log?.info(`closed merge request !${old.iid} (${old.source_branch}): superseded by !${created.iid}`);
      }
      log?.info(`opened merge request !${created.iid} from ${p.branch} into ${base} in ${where}`);
      return {
        id: String(created.iid),
        ...(created.web_url ? { url: created.web_url } : {}),
        created: true,
        unchanged: false,
      };
    },
  };
}
