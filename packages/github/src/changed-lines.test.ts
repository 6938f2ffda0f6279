import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@devsecflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { gitChangedLines } from './changed-lines.js';
import { createGitHubPlatform } from './platform.js';
import { eventPath, tmp } from './test-helpers.js';
import { type FakeGitHub, startFakeGitHub } from './testing/fake-github.js';

let server: FakeGitHub | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function gitRepo(): { dir: string; git: (...a: string[]) => string } {
  const dir = tmp('dsf-git-');
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'init.defaultBranch=main', ...args],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
  git('init', '-q');
  return { dir, git };
}

const env = (api: string, event = 'pull_request', extra: Record<string, string> = {}) => ({
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'Codertocat/Hello-World',
  GITHUB_EVENT_NAME: event,
  GITHUB_EVENT_PATH: eventPath('pull_request.opened'),
  GITHUB_SHA: '1111111111111111111111111111111111111111',
  GITHUB_REF: 'refs/pull/2/merge',
  GITHUB_API_URL: api,
  ...extra,
});

describe('changedLines on a pull request', () => {
  it('reads every page of the files API and parses the patches', async () => {
    const pullFiles = Array.from({ length: 250 }, (_, i) => ({
      filename: `src/f${i}.js`,
      status: 'modified',
      patch: `@@ -1,2 +1,3 @@\n a\n+b${i}\n c`,
    }));
    pullFiles.push({ filename: 'gone.js', status: 'removed', patch: '@@ -1 +0,0 @@\n-x' });
    pullFiles.push({ filename: 'logo.png', status: 'added' } as (typeof pullFiles)[number]);
    server = await startFakeGitHub({ pullFiles });
    const platform = createGitHubPlatform({
      env: env(server.url),
      token: 'ghs_test',
      logger: createMemoryLogger(),
    });
    const diff = await platform.changedLines();
    expect(diff.available).toBe(true);
    if (!diff.available) return;
    expect(diff.base).toBe('f95f852bd8fca8fcc58a9a2d6c842781e32a215e');
    expect(diff.files).toHaveLength(251);
    expect(diff.files[0]).toEqual({ path: 'src/f0.js', lines: [{ start: 2, end: 2 }] });
    expect(diff.files.find((f) => f.path === 'logo.png')).toEqual({ path: 'logo.png', lines: 'all' });
    expect(diff.files.some((f) => f.path === 'gone.js')).toBe(false);
    const pages = server.requests.filter((r) => r.route === 'listFiles');
    expect(pages.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(pages[0]!.path).toBe('/repos/Codertocat/Hello-World/pulls/2/files');
    expect(pages[0]!.headers.authorization).toBe('token ghs_test');
  });

  it('falls back to git diff at the 3,000-file cap', async () => {
    const { dir, git } = gitRepo();
    writeFileSync(join(dir, 'a.js'), '1\n2\n3\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const baseSha = git('rev-parse', 'HEAD').trim();
    writeFileSync(join(dir, 'a.js'), '1\n2\n3\n4\n');
    git('commit', '-qam', 'head');
    const payload = JSON.parse(readFileSync(eventPath('pull_request.opened'), 'utf8'));
    payload.pull_request.base.sha = baseSha;
    const eventFile = join(dir, '..', `${dir.split('/').pop()}-event.json`);
    writeFileSync(eventFile, JSON.stringify(payload));
    server = await startFakeGitHub({
      pullFiles: Array.from({ length: 3100 }, (_, i) => ({
        filename: `f${i}`,
        status: 'added',
        patch: '@@ -0,0 +1 @@\n+x',
      })),
    });
    const platform = createGitHubPlatform({
      env: env(server.url, 'pull_request', { GITHUB_EVENT_PATH: eventFile }),
      token: 't',
      root: dir,
      logger: createMemoryLogger(),
    });
    const diff = await platform.changedLines();
    expect(diff).toEqual({
      available: true,
      base: baseSha,
      files: [{ path: 'a.js', lines: [{ start: 4, end: 4 }] }],
    });
    expect(server.requests.filter((r) => r.route === 'listFiles')).toHaveLength(30);
  });

  it('says why when the base is not in a shallow checkout', async () => {
    const { dir, git } = gitRepo();
    writeFileSync(join(dir, 'a.js'), '1\n');
    git('add', '.');
    git('commit', '-qm', 'only');
    server = await startFakeGitHub();
    server.fail('listFiles', 500, 'Server Error');
    const platform = createGitHubPlatform({
      env: env(server.url),
      token: 't',
      root: dir,
      logger: createMemoryLogger(),
    });
    const diff = await platform.changedLines();
    expect(diff.available).toBe(false);
    if (diff.available) return;
    expect(diff.reason).toMatch(/could not list the files of pull request #2 \(HTTP 500/);
    expect(diff.reason).toMatch(/base commit f95f852bd8fc is not in the checkout .*fetch-depth: 0/);
  });
});

describe('changedLines on other events', () => {
  it('has nothing to compare on workflow_dispatch', async () => {
    const platform = createGitHubPlatform({
      env: {
        ...env('http://127.0.0.1:9'),
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_EVENT_PATH: eventPath('workflow_dispatch'),
      },
      logger: createMemoryLogger(),
    });
    const diff = await platform.changedLines();
    expect(diff).toEqual({
      available: false,
      reason: expect.stringMatching(/workflow_dispatch event has no change/),
    });
  });

  it('diffs an explicit base with git', async () => {
    const { dir, git } = gitRepo();
    writeFileSync(join(dir, 'a.js'), '1\n');
    git('add', '.');
    git('commit', '-qm', 'one');
    git('tag', 'v1');
    writeFileSync(join(dir, 'b.js'), 'new\n');
    git('add', '.');
    git('commit', '-qm', 'two');
    const diff = await gitChangedLines(dir, 'v1');
    expect(diff).toEqual({
      available: true,
      base: 'v1',
      files: [{ path: 'b.js', lines: [{ start: 1, end: 1 }] }],
    });
  });

  it('refuses a base that git would read as an option', async () => {
    const diff = await gitChangedLines(tmp(), '--output=/tmp/x');
    expect(diff.available).toBe(false);
  });
});
