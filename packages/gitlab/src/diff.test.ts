import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@devsecflow/core';
import { afterAll, describe, expect, it } from 'vitest';
import { addedLinesOfHunks, changedFilesFromMrDiffs, parseGitDiff, unquoteGitPath } from './diff.js';
import { createGitLabPlatform } from './platform.js';

describe('addedLinesOfHunks', () => {
  it('counts only added lines in new-file numbering and merges adjacent ones', () => {
    const diff = [
      '@@ -1,4 +1,5 @@',
      ' keep',
      '-removed',
      '+added 2',
      '+added 3',
      ' keep 4',
      '',
      '@@ -20,2 +21,3 @@ function x() {',
      ' ctx 21',
      '+added 22',
      ' ctx 23',
      '\\ No newline at end of file',
    ].join('\n');
    expect(addedLinesOfHunks(diff)).toEqual([
      { start: 2, end: 3 },
      { start: 22, end: 22 },
    ]);
  });

  it('reads single-line hunk headers without a count', () => {
    expect(addedLinesOfHunks('@@ -3 +3 @@\n-a\n+b\n')).toEqual([{ start: 3, end: 3 }]);
    expect(addedLinesOfHunks('@@ -0,0 +1,2 @@\n+a\n+b\n')).toEqual([{ start: 1, end: 2 }]);
  });

  it('does not mistake a removed "--- " line or an added "+++ " line inside a hunk for a header', () => {
    expect(addedLinesOfHunks('@@ -1,2 +1,2 @@\n--- old\n++++ new\n ctx\n')).toEqual([{ start: 1, end: 1 }]);
  });
});

describe('parseGitDiff', () => {
  it('handles renames, deletions, binaries and quoted paths', () => {
    const text = [
      'diff --git a/src/a.js b/src/a.js',
      'index 1..2 100644',
      '--- a/src/a.js',
      '+++ b/src/a.js',
      '@@ -5,0 +6,2 @@',
      '+x',
      '+y',
      'diff --git a/old.js b/new.js',
      'similarity index 90%',
      'rename from old.js',
      'rename to new.js',
      '--- a/old.js',
      '+++ b/new.js',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      'diff --git a/gone.js b/gone.js',
      'deleted file mode 100644',
      '--- a/gone.js',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-z',
      'diff --git a/logo.png b/logo.png',
      'Binary files a/logo.png and b/logo.png differ',
      'diff --git "a/t\\303\\251st.js" "b/t\\303\\251st.js"',
      '--- "a/t\\303\\251st.js"',
      '+++ "b/t\\303\\251st.js"',
      '@@ -0,0 +1 @@',
      '+ok',
      'diff --git a/moved.js b/renamed.js',
      'similarity index 100%',
      'rename from moved.js',
      'rename to renamed.js',
    ].join('\n');
    expect(parseGitDiff(text)).toEqual([
      { path: 'src/a.js', lines: [{ start: 6, end: 7 }] },
      { path: 'new.js', lines: [{ start: 1, end: 1 }] },
      { path: 'logo.png', lines: 'all' },
      { path: 'tést.js', lines: [{ start: 1, end: 1 }] },
      { path: 'renamed.js', lines: [] },
    ]);
  });

  it('unquotes C-style escapes', () => {
    expect(unquoteGitPath('"a\\tb\\"c\\\\d"')).toBe('a\tb"c\\d');
    expect(unquoteGitPath('plain.js')).toBe('plain.js');
  });
});

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
