import { createMemoryLogger } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { createPlatform, detectPlatform } from './platforms.js';

describe('platform selection', () => {
  it('detects GitHub Actions and GitLab CI from their variables', () => {
    expect(detectPlatform({ GITHUB_ACTIONS: 'true' })).toBe('github');
    expect(detectPlatform({ GITLAB_CI: 'true' })).toBe('gitlab');
    expect(detectPlatform({ CI: 'true' })).toBe('local');
  });

  it('builds the named platform', async () => {
    const logger = createMemoryLogger();
    expect((await createPlatform('local', '/tmp', logger, {})).name).toBe('local');
    expect(
      (await createPlatform('auto', '/tmp', logger, { GITLAB_CI: 'true', CI_PROJECT_ID: '1' })).name,
    ).toBe('gitlab');
    expect(
      (await createPlatform('github', '/tmp', logger, { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'o/r' }))
        .name,
    ).toBe('github');
  });
});
