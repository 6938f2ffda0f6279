import type { ChangeRequest, PlatformContext } from '@devsecflow/core';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** True inside a GitLab CI job (the runner always sets `GITLAB_CI=true`). */
export function isGitLabCi(env: Env = process.env): boolean {
  return env.GITLAB_CI === 'true';
}

/** What a job knows about itself, read once from the predefined `CI_*` variables. */
export interface GitLabJobInfo {
  /** API root, e.g. `https://gitlab.example.com/api/v4`. */
  apiUrl: string;
  /** gitbeaker's `host`: the server root under which it appends `/api/v4/`. */
  host: string;
  /** Project the pipeline runs in (id preferred: it survives renames). */
  projectId?: string;
  projectPath?: string;
  projectUrl?: string;
  commit?: string;
  ref?: string;
  defaultBranch?: string;
  pipelineSource?: string;
  pipelineId?: number;
  jobName?: string;
  jobUrl?: string;
  /** The merge request, in MR pipelines. */
  mergeRequest?: {
    iid: number;
    /** Project the MR lives in (the target: differs from `projectId` in fork pipelines). */
    projectId: string;
    url?: string;
    title?: string;
    diffBaseSha?: string;
    sourceBranch?: string;
    sourceBranchSha?: string;
    targetBranch?: string;
    sourceProjectId?: string;
  };
}

const DEFAULT_API = 'https://gitlab.com/api/v4';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function positiveInt(value: string | undefined): number | undefined {
  const v = nonEmpty(value);
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n > 0 ? n : undefined;
}

/**
 * gitbeaker builds every URL as `[host, 'api', 'v4', resource].join('/')`, so its `host` is the
 * server root (with any relative URL root such as `/gitlab`) and must not end with a slash.
 */
export function hostFromApiUrl(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  return trimmed.replace(/\/api\/v4$/, '');
}

/** Reads the predefined CI variables of a GitLab job. Missing values stay undefined. */
export function readJobInfo(env: Env = process.env): GitLabJobInfo {
  const apiUrl =
    nonEmpty(env.CI_API_V4_URL) ??
    (nonEmpty(env.CI_SERVER_URL)
      ? `${nonEmpty(env.CI_SERVER_URL)?.replace(/\/+$/, '')}/api/v4`
      : DEFAULT_API);
  const projectId = nonEmpty(env.CI_PROJECT_ID) ?? nonEmpty(env.CI_PROJECT_PATH);
  const info: GitLabJobInfo = {
    apiUrl,
    host: hostFromApiUrl(apiUrl),
    projectId,
    projectPath: nonEmpty(env.CI_PROJECT_PATH),
    projectUrl: nonEmpty(env.CI_PROJECT_URL),
    commit: nonEmpty(env.CI_COMMIT_SHA),
    ref: nonEmpty(env.CI_COMMIT_REF_NAME) ?? nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME),
    defaultBranch: nonEmpty(env.CI_DEFAULT_BRANCH),
    pipelineSource: nonEmpty(env.CI_PIPELINE_SOURCE),
    pipelineId: positiveInt(env.CI_PIPELINE_ID),
    jobName: nonEmpty(env.CI_JOB_NAME),
    jobUrl: nonEmpty(env.CI_JOB_URL),
  };
  const iid = positiveInt(env.CI_MERGE_REQUEST_IID);
  if (iid !== undefined) {
    const mrProject =
      nonEmpty(env.CI_MERGE_REQUEST_PROJECT_ID) ?? nonEmpty(env.CI_MERGE_REQUEST_PROJECT_PATH);
    const mrProjectUrl = nonEmpty(env.CI_MERGE_REQUEST_PROJECT_URL) ?? info.projectUrl;
    info.mergeRequest = {
      iid,
      projectId: mrProject ?? projectId ?? '',
      url: mrProjectUrl ? `${mrProjectUrl}/-/merge_requests/${iid}` : undefined,
      title: nonEmpty(env.CI_MERGE_REQUEST_TITLE),
      diffBaseSha: nonEmpty(env.CI_MERGE_REQUEST_DIFF_BASE_SHA),
      sourceBranch: nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME),
      sourceBranchSha: nonEmpty(env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA),
      targetBranch: nonEmpty(env.CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
      sourceProjectId: nonEmpty(env.CI_MERGE_REQUEST_SOURCE_PROJECT_ID),
    };
  }
  return info;
}

/** The platform-neutral context core expects. */
export function toPlatformContext(info: GitLabJobInfo): PlatformContext {
  const mr = info.mergeRequest;
  let change: ChangeRequest | undefined;
  if (mr) {
    change = {
      id: mr.iid,
      url: mr.url,
      title: mr.title,
      baseSha: mr.diffBaseSha,
      // Merged-results pipelines check out a merge commit; the MR's own head is the source sha.
      headSha: mr.sourceBranchSha ?? info.commit,
      baseRef: mr.targetBranch,
      headRef: mr.sourceBranch,
    };
  }
  // A fork MR whose pipeline a maintainer runs in the parent project executes the fork's code
  // with the parent's variables and tokens.
  const untrustedCode =
    mr !== undefined &&
    mr.sourceProjectId !== undefined &&
    mr.sourceProjectId !== mr.projectId &&
    info.projectId === mr.projectId;
  return {
    platform: 'gitlab',
    repository: info.projectPath ?? info.projectId,
    commit: info.commit,
    ref: info.ref,
    event: info.pipelineSource,
    defaultBranch: info.defaultBranch,
    change,
    untrustedCode,
  };
}
