import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSafeRevision, gitDiff, isChangedLine, parseUnifiedDiff } from './diff.js';
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
