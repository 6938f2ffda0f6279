import { createLocalPlatform, type Logger, type Platform } from '@devsecflow/core';

export const PLATFORM_NAMES = ['auto', 'local', 'github', 'gitlab'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/** Which platform `auto` means here: GitHub Actions, GitLab CI, else the local one. */
export function detectPlatform(env: NodeJS.ProcessEnv): Exclude<PlatformName, 'auto'> {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if (env.GITLAB_CI === 'true') return 'gitlab';
  return 'local';
}

/**
 * The Platform for a run: context, changed lines and publishing (comments, annotations, uploads).
 * The GitHub and GitLab clients load only when used, so a laptop run starts fast.
 */
export async function createPlatform(
  name: PlatformName,
  root: string,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<Platform> {
  const chosen = name === 'auto' ? detectPlatform(env) : name;
  if (chosen === 'github') {
    const { createGitHubPlatform } = await import('@devsecflow/github');
    return createGitHubPlatform({ env, logger, root });
  }
  if (chosen === 'gitlab') {
    const { createGitLabPlatform } = await import('@devsecflow/gitlab');
    return createGitLabPlatform({ env, logger, cwd: root });
  }
  return createLocalPlatform(root, logger);
}
