import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@devsecflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { changedFilesFromMrDiffs } from './diff.js';
import { createGitLabPlatform } from './platform.js';

describe('changedFilesFromMrDiffs', () => {
  it('treats too-large and collapsed diffs as wholly changed and skips pure renames', () => {
    expect(
      changedFilesFromMrDiffs([
        { old_path: 'a', new_path: 'a', diff: '', too_large: true },
        { old_path: 'b', new_path: 'b', diff: '', collapsed: true },
        { old_path: 'c', new_path: 'd', diff: '', renamed_file: true },
        { old_path: 'e', new_path: 'e', diff: '', new_file: true },
        { old_path: 'f', new_path: 'f', diff: '@@ -1 +1 @@\n-a\n+b\n' },
        { old_path: 'g', new_path: 'g', diff: '@@ -1 +0,0 @@\n-a\n', deleted_file: true },
      ]),
    ).toEqual([
      { path: 'a', lines: 'all' },
      { path: 'b', lines: 'all' },
      { path: 'e', lines: 'all' },
      { path: 'f', lines: [{ start: 1, end: 1 }] },
    ]);
  });
});

describe('changedLines with git', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const run = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
    });

  function makeOrigin(): { origin: string; base: string; head: string } {
    const origin = mkdtempSync(join(tmpdir(), 'dsf-gl-origin-'));
    dirs.push(origin);
    run(origin, 'init', '-q', '-b', 'main');
    run(origin, 'config', 'user.email', 't@example.com');
    run(origin, 'config', 'user.name', 't');
    run(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    writeFileSync(join(origin, 'app.js'), 'one\ntwo\nthree\n');
    run(origin, 'add', '.');
    run(origin, 'commit', '-q', '-m', 'base');
    const base = run(origin, 'rev-parse', 'HEAD').trim();
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(origin, `pad${i}.txt`), `${i}\n`);
      run(origin, 'add', '.');
      run(origin, 'commit', '-q', '-m', `pad ${i}`);
    }
    writeFileSync(join(origin, 'app.js'), 'one\ntwo changed\nthree\nfour\n');
    writeFileSync(join(origin, 'new file.js'), 'a\nb\n');
    mkdirSync(join(origin, 'sub'));
    writeFileSync(join(origin, 'sub', 'lib.js'), 'x\n');
    run(origin, 'add', '.');
    run(origin, 'commit', '-q', '-m', 'head');
    return { origin, base, head: run(origin, 'rev-parse', 'HEAD').trim() };
  }

  const expected = [
    {
      path: 'app.js',
      lines: [
        { start: 2, end: 2 },
        { start: 4, end: 4 },
      ],
    },
    { path: 'new file.js', lines: [{ start: 1, end: 2 }] },
    { path: 'pad0.txt', lines: [{ start: 1, end: 1 }] },
    { path: 'pad1.txt', lines: [{ start: 1, end: 1 }] },
    { path: 'pad2.txt', lines: [{ start: 1, end: 1 }] },
    { path: 'sub/lib.js', lines: [{ start: 1, end: 1 }] },
  ];

  it('diffs locally when the clone has the base, and fetches it into a shallow clone that lacks it', async () => {
    const { origin, base } = makeOrigin();
    const env = { GITLAB_CI: 'true', CI_MERGE_REQUEST_IID: '3', CI_MERGE_REQUEST_DIFF_BASE_SHA: base };

    const full = createGitLabPlatform({ env, cwd: origin, logger: createMemoryLogger() });
    expect(await full.changedLines()).toEqual({ available: true, base, files: expected });

    const parent = mkdtempSync(join(tmpdir(), 'dsf-gl-clone-'));
    dirs.push(parent);
    run(parent, 'clone', '-q', '--depth=1', `file://${origin}`, 'clone');
    const clone = join(parent, 'clone');
    expect(() =>
      execFileSync('git', ['cat-file', '-e', `${base}^{commit}`], { cwd: clone, stdio: 'ignore' }),
    ).toThrow();
    const shallow = createGitLabPlatform({ env, cwd: clone, logger: createMemoryLogger() });
    expect(await shallow.changedLines()).toEqual({ available: true, base, files: expected });

    // Scanning a subdirectory: paths relative to it, nothing from outside.
    const sub = createGitLabPlatform({ env, cwd: join(clone, 'sub'), logger: createMemoryLogger() });
    expect(await sub.changedLines()).toEqual({
      available: true,
      base,
      files: [{ path: 'lib.js', lines: [{ start: 1, end: 1 }] }],
    });
  });

  it('refuses an option-looking --diff-base before it reaches git', async () => {
    const platform = createGitLabPlatform({ env: { GITLAB_CI: 'true' }, logger: createMemoryLogger() });
    await expect(platform.changedLines('--output=/tmp/x')).rejects.toThrow(
      /--diff-base expects a git revision/,
    );
  });

  it('reports the diff filter off, with the reason, when the base cannot be fetched', async () => {
    const { origin } = makeOrigin();
    const missing = 'd'.repeat(40);
    const platform = createGitLabPlatform({
      env: { GITLAB_CI: 'true', CI_MERGE_REQUEST_IID: '3', CI_MERGE_REQUEST_DIFF_BASE_SHA: missing },
      cwd: origin,
      logger: createMemoryLogger(),
    });
    const info = await platform.changedLines();
    expect(info.available).toBe(false);
    if (info.available) return;
    expect(info.reason).toContain(`the clone lacks ${missing.slice(0, 12)}`);
    expect(info.reason).toContain('no token to read the MR diffs API (set DEVSECFLOW_GITLAB_TOKEN)');
  });
});
