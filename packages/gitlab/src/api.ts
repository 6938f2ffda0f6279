import {
  Commits,
  GitbeakerRequestError,
  GroupMembers,
  MergeRequestApprovals,
  MergeRequestNotes,
  MergeRequests,
} from '@gitbeaker/rest';

/** The few gitbeaker resources the platform uses, sharing one host and token. */
export interface GitLabApi {
  notes: InstanceType<typeof MergeRequestNotes<false>>;
  mergeRequests: InstanceType<typeof MergeRequests<false>>;
  commits: InstanceType<typeof Commits<false>>;
  approvals: InstanceType<typeof MergeRequestApprovals<false>>;
  groupMembers: InstanceType<typeof GroupMembers<false>>;
}

export type ApiAuth = { token: string } | { jobToken: string } | Record<string, never>;

/** Builds the gitbeaker resources for `host` (the server root, see `hostFromApiUrl`). */
export function createApi(host: string, auth: ApiAuth, queryTimeout = 30_000): GitLabApi {
  // Rate limits: gitbeaker queues requests per its defaults; we make a handful per job.
  const options = { host, queryTimeout, ...auth };
  return {
    notes: new MergeRequestNotes(options),
    mergeRequests: new MergeRequests(options),
    commits: new Commits(options),
    approvals: new MergeRequestApprovals(options),
    groupMembers: new GroupMembers(options),
  };
}

/** HTTP status of a failed gitbeaker call, when the server answered. */
export function httpStatus(error: unknown): number | undefined {
  if (error instanceof GitbeakerRequestError) {
    const response = (error.cause as { response?: { status?: unknown } } | undefined)?.response;
    if (typeof response?.status === 'number') return response.status;
  }
  return undefined;
}

/**
 * One line describing a failed call, without the request (its headers hold the token).
 * `what` names the call ("creating the MR note").
 */
export function describeApiError(error: unknown, what: string): string {
  const status = httpStatus(error);
  const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : String(error);
  if (status !== undefined) return `GitLab API ${status} while ${what}${detail ? `: ${detail}` : ''}`;
  return `GitLab API unreachable while ${what}: ${detail}`;
}
