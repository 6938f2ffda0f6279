import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertSafeRevision,
  gitDiff,
  isChangedLine,
  parseUnifiedDiff,
  patchToRanges,
  unquoteGitPath,
} from './diff.js';
import { makeTree } from './test-helpers.js';

const GIT_DIFF = `diff --git a/src/a.js b/src/a.js
index 1111111..2222222 100644
--- a/src/a.js
+++ b/src/a.js
@@ -1,0 +2,2 @@ function x() {
+const a = 1;
+const b = 2;
@@ -10 +12 @@
-old
+new
diff --git a/gone.js b/gone.js
deleted file mode 100644
--- a/gone.js
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/new.txt b/new.txt
new file mode 100644
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,3 @@
+1
+2
+3
`;

describe('parseUnifiedDiff', () => {
  it('reads added and changed lines of the new side', () => {
    expect(parseUnifiedDiff(GIT_DIFF)).toEqual([
      {
        path: 'src/a.js',
        lines: [
          { start: 2, end: 3 },
          { start: 12, end: 12 },
        ],
      },
      { path: 'new.txt', lines: [{ start: 1, end: 3 }] },
    ]);
  });

  it('reads a GitHub patch with context lines and no headers', () => {
    const patch = '@@ -1,4 +1,5 @@\n a\n-b\n+B\n+C\n c\n d';
    expect(parseUnifiedDiff(patch, 'x.js')).toEqual([{ path: 'x.js', lines: [{ start: 2, end: 3 }] }]);
  });

  it('answers line membership', () => {
    const files = parseUnifiedDiff(GIT_DIFF);
    expect(isChangedLine(files, 'src/a.js', 3)).toBe(true);
    expect(isChangedLine(files, 'src/a.js', 4)).toBe(false);
    expect(isChangedLine(files, './src/a.js', 12)).toBe(true);
    expect(isChangedLine(files, 'other.js', 1)).toBe(false);
  });
});

describe('patchToRanges', () => {
  it('counts only added lines in new-file numbering, across an empty context line', () => {
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
    expect(patchToRanges(diff)).toEqual([
      { start: 2, end: 3 },
      { start: 22, end: 22 },
    ]);
  });

  it('reads single-line hunk headers, and never mistakes --- / +++ lines inside a hunk for headers', () => {
    expect(patchToRanges('@@ -3 +3 @@\n-a\n+b\n')).toEqual([{ start: 3, end: 3 }]);
    expect(patchToRanges('@@ -0,0 +1,2 @@\n+a\n+b\n')).toEqual([{ start: 1, end: 2 }]);
    expect(patchToRanges('@@ -1,2 +1,2 @@\n--- old\n++++ new\n ctx\n')).toEqual([{ start: 1, end: 1 }]);
    expect(patchToRanges('no hunks')).toBeUndefined();
  });
});

describe('parseUnifiedDiff edge cases', () => {
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
    expect(parseUnifiedDiff(text)).toEqual([
      { path: 'src/a.js', lines: [{ start: 6, end: 7 }] },
      { path: 'new.js', lines: [{ start: 1, end: 1 }] },
      { path: 'logo.png', lines: 'all' },
      { path: 'tést.js', lines: [{ start: 1, end: 1 }] },
      { path: 'renamed.js', lines: [] },
    ]);
  });

  it('reads a plain `diff -u` without git headers', () => {
    const text =
      '--- a.txt\t2026-01-01\n+++ a.txt\t2026-01-02\n@@ -1 +1,2 @@\n a\n+b\n--- b.txt\n+++ b.txt\n@@ -0,0 +1 @@\n+c\n';
    expect(parseUnifiedDiff(text)).toEqual([
      { path: 'a.txt', lines: [{ start: 2, end: 2 }] },
      { path: 'b.txt', lines: [{ start: 1, end: 1 }] },
    ]);
  });

  it('unquotes C-style escapes', () => {
    expect(unquoteGitPath('"a\\tb\\"c\\\\d"')).toBe('a\tb"c\\d');
    expect(unquoteGitPath('plain.js')).toBe('plain.js');
  });
});

describe('gitDiff', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, stdio: 'pipe' });

  it('finds changed lines against a base, and untracked files', async () => {
    const root = makeTree({ 'a.js': 'one\ntwo\nthree\n' });
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '.');
    git(root, 'commit', '-qm', 'base');
    writeFileSync(join(root, 'a.js'), 'one\ntwo\nTWO and a half\nthree\n');
    writeFileSync(join(root, 'b.js'), 'x\n');
    const d = await gitDiff(root, 'main');
    expect(d).toEqual({
      available: true,
      base: 'main',
      files: [
        { path: 'a.js', lines: [{ start: 3, end: 3 }] },
        { path: 'b.js', lines: 'all' },
      ],
    });
    const missing = await gitDiff(root, 'no-such-branch');
    expect(missing).toMatchObject({ available: false, reason: expect.stringMatching(/not in this clone/) });
  });

  it('refuses revisions that look like options', () => {
    expect(() => assertSafeRevision('--output=/tmp/x')).toThrow(/expects a git revision/);
    expect(() => assertSafeRevision('main')).not.toThrow();
  });
});
