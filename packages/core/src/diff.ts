import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from './errors.js';
import { normalisePath } from './fingerprint.js';
import type { ChangedFile, DiffInfo, LineRange } from './platform.js';

const execFileAsync = promisify(execFile);

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses a unified diff (git diff, a PR file's `patch`, a GitLab MR diff) into the added/changed
 * line ranges of the new side. Deleted-only hunks add no lines; renamed files keep the new path.
 * `defaultPath` names the file when the text is one file's hunks without headers (GitHub patches).
 */
export function parseUnifiedDiff(text: string, defaultPath?: string): ChangedFile[] {
  const files = new Map<string, LineRange[]>();
  let current: string | undefined = defaultPath !== undefined ? normalisePath(defaultPath) : undefined;
  let newLine = 0;
  let inHunk = false;
  let run: LineRange | undefined;

  const ranges = (path: string) => {
    let r = files.get(path);
    if (!r) {
      r = [];
      files.set(path, r);
    }
    return r;
  };
  const closeRun = () => {
    if (run && current !== undefined) ranges(current).push(run);
    run = undefined;
  };

  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      closeRun();
      inHunk = false;
      current = undefined;
      continue;
    }
    if (!inHunk && line.startsWith('+++ ')) {
      closeRun();
      const target = line.slice(4).replace(/\t.*$/, '');
      current = target === '/dev/null' ? undefined : normalisePath(target.replace(/^b\//, ''));
      if (current !== undefined) ranges(current);
      continue;
    }
    if (line.startsWith('@@')) {
      closeRun();
      const m = HUNK.exec(line);
      if (!m) continue;
      newLine = Number(m[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk || current === undefined) continue;
    if (line.startsWith('+')) {
      if (run && run.end === newLine - 1) run.end = newLine;
      else {
        closeRun();
        run = { start: newLine, end: newLine };
      }
      newLine++;
    } else if (line.startsWith(' ')) {
      closeRun();
      newLine++;
    } else if (line.startsWith('-') || line.startsWith('\\')) {
      // A removed line or "\ No newline at end of file": the new side does not advance.
    } else if (line === '') {
      // Trailing newline of the text or an empty context line some tools emit without the space.
      closeRun();
    } else {
      closeRun();
      inHunk = false;
    }
  }
  closeRun();
  return [...files.entries()].map(([path, lines]) => ({ path, lines }));
}

/** True when `line` of `path` is inside the change. */
export function isChangedLine(
  diff: ChangedFile[] | Map<string, ChangedFile>,
  path: string,
  line: number,
): boolean {
  const file =
    diff instanceof Map ? diff.get(normalisePath(path)) : diff.find((f) => f.path === normalisePath(path));
  if (!file) return false;
  if (file.lines === 'all') return true;
  return file.lines.some((r) => line >= r.start && line <= r.end);
}

/** Refuses revisions that git would read as options: `--output=/etc/x` must never reach git. */
export function assertSafeRevision(rev: string, flag = '--diff-base'): void {
  if (!rev || rev.startsWith('-') || /[\s\0]/.test(rev)) {
    throw new UserError(
      `${flag} expects a git revision (a branch, tag or commit), got '${rev.slice(0, 80)}'`,
    );
  }
}

/**
 * Changed lines between `base` and the working tree through `git diff` (argument array, no shell).
 * Unavailable (with the reason) when the base is not in the clone, e.g. a shallow CI checkout.
 */
export async function gitDiff(root: string, base: string): Promise<DiffInfo> {
  assertSafeRevision(base);
  try {
    await execFileAsync('git', ['rev-parse', '--verify', '--quiet', `${base}^{commit}`], { cwd: root });
  } catch {
    return {
      available: false,
      reason: `git revision '${base}' is not in this clone (shallow checkout? fetch it first); the diff filter is off`,
    };
  }
  try {
    const { stdout: mergeBase } = await execFileAsync('git', ['merge-base', base, 'HEAD'], { cwd: root });
    const from = mergeBase.trim() || base;
    const { stdout } = await execFileAsync(
      'git',
      ['diff', '--no-color', '--no-ext-diff', '--unified=0', '--relative', from, '--'],
      { cwd: root, maxBuffer: 512 * 1024 * 1024 },
    );
    const files = parseUnifiedDiff(stdout);
    // Untracked files are entirely new to the change.
    const { stdout: untracked } = await execFileAsync(
      'git',
      ['ls-files', '--others', '--exclude-standard', '-z'],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    for (const p of untracked.split('\0').filter(Boolean))
      files.push({ path: normalisePath(p), lines: 'all' });
    return { available: true, base, files };
  } catch (e) {
    return {
      available: false,
      reason: `git diff against '${base}' failed: ${(e as Error).message.split('\n')[0]}`,
    };
  }
}
