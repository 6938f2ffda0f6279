import { Octokit } from '@octokit/rest';

// Planted for the quick start: a checksum-valid but fake classic GitHub token.
const octokit = new Octokit({ auth: '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' });

export async function listRepos(org: string) {
  return octokit.repos.listForOrg({ org });
}
