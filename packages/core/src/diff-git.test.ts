import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUnifiedDiff, patchToRanges, unquoteGitPath } from './diff.js';

describe('patchToRanges', () => {
  it('reads the added lines of a pull-request files patch', () => {
    const real = [
      '@@ -1,3 +1,4 @@',
      ' line one',
      '-old two',
      '+new two',
      '+inserted',
      ' line three',
      '@@ -10,2 +11,3 @@ function x() {',
      ' ten',
      '+eleven and a half',
      ' eleven',
      '\\ No newline at end of file',
    ].join('\n');
    expect(patchToRanges(real)).toEqual([
      { start: 2, end: 3 },
      { start: 12, end: 12 },
    ]);
  });

  it('returns undefined for text without hunks', () => {
    expect(patchToRanges('Binary files differ')).toBeUndefined();
  });

  it('handles a hunk header without counts', () => {
    expect(patchToRanges('@@ -0,0 +1 @@\n+only line')).toEqual([{ start: 1, end: 1 }]);
  });
});

describe('unquoteGitPath', () => {
  it('decodes octal UTF-8 escapes and C escapes', () => {
    expect(unquoteGitPath('"b/caf\\303\\251 \\"x\\"\\ty"')).toBe('b/café "x"\ty');
    expect(unquoteGitPath('b/plain')).toBe('b/plain');
  });
});

describe('parseUnifiedDiff', () => {
  it('parses real git diff output: added, modified, deleted, renamed, binary, quoted paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsf-diff-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
        cwd: dir,
        encoding: 'utf8',
      });
    git('init', '-q');
    writeFileSync(join(dir, 'keep.js'), 'a\nb\nc\nd\ne\n');
    writeFileSync(join(dir, 'gone.js'), 'x\n');
    writeFileSync(join(dir, 'old-name.js'), 'one\ntwo\nthree\nfour\nfive\nsix\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD').trim();
    writeFileSync(join(dir, 'keep.js'), 'a\nB\nc\nd\ne\nf\ng\n');
    writeFileSync(join(dir, 'new file é.js'), '1\n2\n');
    writeFileSync(join(dir, 'img.bin'), Buffer.from([0, 1, 2, 0, 255]));
    git('rm', '-q', 'gone.js');
    git('mv', 'old-name.js', 'new-name.js');
    writeFileSync(join(dir, 'new-name.js'), 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n');
    git('add', '.');
    git('commit', '-qm', 'change');
    const out = git('diff', '--no-color', '--no-ext-diff', '--unified=0', '-M', `${base}...HEAD`);
    const files = parseUnifiedDiff(out);
    expect(files).toEqual(
      expect.arrayContaining([
        {
          path: 'keep.js',
          lines: [
            { start: 2, end: 2 },
            { start: 6, end: 7 },
          ],
        },
        { path: 'new file é.js', lines: [{ start: 1, end: 2 }] },
        { path: 'img.bin', lines: 'all' },
        { path: 'new-name.js', lines: [{ start: 7, end: 7 }] },
      ]),
    );
    expect(files.map((f) => f.path)).not.toContain('gone.js');
    expect(files).toHaveLength(4);
  });
});
