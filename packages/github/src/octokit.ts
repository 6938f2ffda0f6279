import { getOctokit } from '@actions/github';

/** The client the platform uses: @actions/github's Octokit (REST methods + pagination). */
export type Octokit = ReturnType<typeof getOctokit>;

/** An Octokit for `baseUrl` (GITHUB_API_URL: GitHub.com, GHE.com or GHES). */
export function createOctokit(token: string, baseUrl: string): Octokit {
  return getOctokit(token, { baseUrl, userAgent: 'devsecflow' });
}
