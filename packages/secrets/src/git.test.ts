import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyScanStats } from './files.js';
import { AddedLinesParser, scanGitHistory, scanStaged, unquoteGitPath, validateRev } from './git.js';
import { hashSecret } from './redact.js';
import { FAKES, rng } from './test-fakes.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  }).trim();
}

const ghp = FAKES['github-pat']!.fake(rng(21)).value;
const slack = FAKES['slack-bot-token']!.fake(rng(22)).value;
let repo: string;
let root: string;
let added: string;

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'dsf-secrets-git-'));
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# demo\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'root');
  root = git(repo, 'rev-parse', 'HEAD');
  // Commit 2 adds a secret (line 3 of a new file); commit 3 deletes the file again.
  writeFileSync(join(repo, 'deploy.sh'), `#!/bin/sh\necho deploying\nexport GH_TOKEN=${ghp}\n`);
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'add deploy script');
  added = git(repo, 'rev-parse', 'HEAD');
  git(repo, 'rm', '-q', 'deploy.sh');
  git(repo, 'commit', '-q', '-m', 'remove deploy script');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('scanGitHistory', () => {
  it('finds a secret added and removed again since a revision, with its commit and line', async () => {
    const { matches, stats } = await scanGitHistory({ cwd: repo, since: root });
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({
      ruleId: 'github-pat',
      path: 'deploy.sh',
      commit: added,
      startLine: 3,
      secretHash: hashSecret(ghp),
    });
    expect(stats.commitsScanned).toBe(2);
    expect(JSON.stringify(matches)).not.toContain(ghp);
  });

  it('scans all of history when no revision is given', async () => {
    const { matches, stats } = await scanGitHistory({ cwd: repo });
    expect(matches.map((m) => m.commit)).toEqual([added]);
    expect(stats.commitsScanned).toBe(3);
  });

  it('finds nothing when the range starts after the secret was added', async () => {
    const { matches } = await scanGitHistory({ cwd: repo, since: added });
    expect(matches).toEqual([]);
  });

  it('refuses revisions that look like options and names unknown ones', async () => {
    expect(() => validateRev('--output=/tmp/x')).toThrow(/must be a commit/);
    await expect(scanGitHistory({ cwd: repo, since: '-p' })).rejects.toThrow(/must be a commit/);
    await expect(scanGitHistory({ cwd: repo, since: 'no-such-branch' })).rejects.toThrow(
      /'--since no-such-branch' is not a commit/,
    );
  });

  it('says so when the directory is not a repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsf-secrets-norepo-'));
    try {
      await expect(scanGitHistory({ cwd: dir })).rejects.toThrow(/not inside a git repository/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scanGitHistory on a second repository', () => {
  it('attributes a secret re-added later to the oldest commit, and finds multi-line keys', async () => {
    const r2 = mkdtempSync(join(tmpdir(), 'dsf-secrets-git2-'));
    try {
      git(r2, 'init', '-q', '-b', 'main');
      writeFileSync(join(r2, 'a.env'), `TOKEN=${ghp}\n`);
      git(r2, 'add', '.');
      git(r2, 'commit', '-q', '-m', 'add');
      const first = git(r2, 'rev-parse', 'HEAD');
      writeFileSync(join(r2, 'a.env'), 'TOKEN=\n');
      git(r2, 'commit', '-q', '-am', 'remove');
      const key = FAKES['private-key']!.fake(rng(5));
      writeFileSync(join(r2, 'a.env'), `TOKEN=${ghp}\n`);
      writeFileSync(join(r2, 'id_rsa'), `${key.text}`);
      git(r2, 'add', '.');
      git(r2, 'commit', '-q', '-m', 're-add');
      const { matches } = await scanGitHistory({ cwd: r2 });
      const byRule = Object.fromEntries(matches.map((m) => [m.ruleId, m]));
      expect(matches.filter((m) => m.ruleId === 'github-pat')).toHaveLength(1);
      expect(byRule['github-pat']!.commit).toBe(first);
      expect(byRule['private-key']).toMatchObject({
        path: 'id_rsa',
        startLine: 1,
        secretHash: hashSecret(key.value),
      });
    } finally {
      rmSync(r2, { recursive: true, force: true });
    }
  });
});

describe('scanStaged', () => {
  it('finds secrets in staged lines only, with new-file line numbers', async () => {
    writeFileSync(join(repo, 'README.md'), `# demo\n\nslack: ${slack}\n`);
    writeFileSync(join(repo, 'unstaged.txt'), `token ${ghp}\n`);
    git(repo, 'add', 'README.md');
    const { matches } = await scanStaged({ cwd: repo });
    expect(matches.map((m) => [m.ruleId, m.path, m.startLine, m.commit])).toEqual([
      ['slack-bot-token', 'README.md', 3, undefined],
    ]);
  });
});

describe('AddedLinesParser', () => {
  it('reads hunks, quoted paths, no-newline markers and skips over-long lines', () => {
    const files: [string | undefined, string, string[], number[]][] = [];
    const stats = emptyScanStats();
    const p = new AddedLinesParser(
      (c, path, lines, nos) => files.push([c, path, [...lines], [...nos]]),
      () => {},
      50,
      stats,
    );
    p.push(
      [
        '\u0000commit abc',
        'diff --git "a/we ird\\tname" "b/we ird\\tname"',
        '--- /dev/null',
        '+++ "b/we ird\\tname"',
        '@@ -0,0 +1,2 @@',
        '+first',
        `+${'x'.repeat(200)}`,
        '\\ No newline at end of file',
        'diff --git a/b.txt b/b.txt',
        '--- a/b.txt',
        '+++ b/b.txt',
        '@@ -3 +3 @@',
        '-old',
        '++++ starts with pluses',
        '',
      ].join('\n'),
    );
    p.end();
    expect(files).toEqual([
      ['abc', 'we ird\tname', ['first', ''], [1, 2]],
      ['abc', 'b.txt', ['+++ starts with pluses'], [3]],
    ]);
    expect(stats.linesSkippedTooLong).toBe(1);
    expect(unquoteGitPath('"caf\\303\\251.txt"')).toBe('café.txt');
  });

  it('drops the added lines of a file beyond the size limit and counts it as too large', () => {
    const files: string[] = [];
    const stats = emptyScanStats();
    const p = new AddedLinesParser(
      (_c, path) => files.push(path),
      () => {},
      1000,
      stats,
      100,
    );
    const big = Array.from({ length: 20 }, () => `+${'y'.repeat(20)}`);
    p.push(
      [
        'diff --git a/big b/big',
        '+++ b/big',
        '@@ -0,0 +1,20 @@',
        ...big,
        'diff --git a/s b/s',
        '+++ b/s',
        '@@ -0,0 +1 @@',
        '+small',
        '',
      ].join('\n'),
    );
    p.end();
    expect(files).toEqual(['s']);
    expect(stats.skippedTooLarge).toBe(1);
  });
});
