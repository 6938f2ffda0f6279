import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGitHubActions, readGitHubContext } from './context.js';
import { eventPath } from './test-helpers.js';

const base = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'Codertocat/Hello-World',
  GITHUB_SHA: '1111111111111111111111111111111111111111',
  GITHUB_WORKFLOW: 'security',
  GITHUB_RUN_ID: '42',
};

describe('isGitHubActions', () => {
  it('is true only when GITHUB_ACTIONS=true', () => {
    expect(isGitHubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(isGitHubActions({ GITLAB_CI: 'true' })).toBe(false);
    expect(isGitHubActions({})).toBe(false);
  });
});

describe('readGitHubContext', () => {
  it('reads a pull_request event', () => {
    const ctx = readGitHubContext({
      ...base,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_EVENT_PATH: eventPath('pull_request.opened'),
    });
    expect(ctx).toMatchObject({
      platform: 'github',
      repository: 'Codertocat/Hello-World',
      owner: 'Codertocat',
      repo: 'Hello-World',
      commit: base.GITHUB_SHA,
      ref: 'refs/pull/2/merge',
      event: 'pull_request',
      defaultBranch: 'master',
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      fork: false,
      sarifRef: 'refs/pull/2/merge',
      statusCommit: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      changedFiles: 1,
    });
    expect(ctx.change).toEqual({
      id: 2,
      url: 'https://github.com/Codertocat/Hello-World/pull/2',
      title: 'Update the README with new information.',
      author: 'Codertocat',
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      baseRef: 'master',
      headRef: 'changes',
    });
    expect(ctx.untrustedCode).toBeUndefined();
    expect(ctx.warnings).toEqual([]);
  });

  it('flags a fork pull_request_target as untrusted and points uploads at the PR head', () => {
    const ctx = readGitHubContext({
      ...base,
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_REF: 'refs/heads/master',
      GITHUB_EVENT_PATH: eventPath('pull_request_target.fork'),
    });
    expect(ctx.untrustedCode).toBe(true);
    expect(ctx.fork).toBe(true);
    expect(ctx.sarifRef).toBe('refs/pull/2/head');
    expect(ctx.sarifCommit).toBe('ec26c3e57ca3a959ca5aad62de7213c562f8c821');
    expect(ctx.warnings.join('\n')).toMatch(/untrusted/);
  });

  it('reads a merge_group event', () => {
    const ctx = readGitHubContext({
      ...base,
      GITHUB_EVENT_NAME: 'merge_group',
      GITHUB_SHA: undefined,
      GITHUB_EVENT_PATH: eventPath('merge_group'),
    });
    expect(ctx.baseSha).toBe('380387fbc80638b734a49e1be1c4dfec1c01b33c');
    expect(ctx.commit).toBe('2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d');
    expect(ctx.ref).toBe('refs/heads/gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64');
    expect(ctx.change).toBeUndefined();
  });

  it('reads a push: a created branch has no base', () => {
    const ctx = readGitHubContext({
      ...base,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventPath('push'),
    });
    expect(ctx.baseSha).toBeUndefined();
    const withRef = readGitHubContext({
      ...base,
      GITHUB_REF: undefined,
      GITHUB_SHA: undefined,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventPath('push'),
    });
    expect(withRef.ref).toBe('refs/heads/master');
    expect(withRef.commit).toBe('6113728f27ae82c7b1a177c8d03f9e96e0adf246');
  });

  it('reads a push to an existing branch: base is `before`', () => {
    const payload = JSON.parse(readFileSync(eventPath('push'), 'utf8'));
    payload.before = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
    const ctx = readGitHubContext({ ...base, GITHUB_EVENT_NAME: 'push' }, payload);
    expect(ctx.baseSha).toBe('f95f852bd8fca8fcc58a9a2d6c842781e32a215e');
  });

  it.each(['workflow_dispatch', 'schedule'])('reads %s from the variables only', (event) => {
    const ctx = readGitHubContext({
      ...base,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventPath(event),
    });
    expect(ctx.commit).toBe(base.GITHUB_SHA);
    expect(ctx.ref).toBe('refs/heads/main');
    expect(ctx.baseSha).toBeUndefined();
    expect(ctx.change).toBeUndefined();
  });

  it('warns, and keeps going, when the payload cannot be read', () => {
    const ctx = readGitHubContext({
      ...base,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: '/nonexistent/event.json',
    });
    expect(ctx.warnings[0]).toMatch(/could not read the event payload \/nonexistent\/event.json/);
    expect(ctx.repository).toBe('Codertocat/Hello-World');
  });
});
