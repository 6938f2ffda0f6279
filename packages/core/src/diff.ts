import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from './errors.js';
import { normalisePath } from './fingerprint.js';
import type { ChangedFile, DiffInfo, LineRange } from './platform.js';

const execFileAsync = promisify(execFile);

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** Adds a line to sorted ranges, merging with the last one when adjacent. */
function pushLine(ranges: LineRange[], line: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last.end + 1 === line) last.end = line;
  else if (!last || line > last.end) ranges.push({ start: line, end: line });
}

/**
 * Added-line ranges of one file's hunks (a GitHub pull-request file's `patch`, a GitLab MR diff).
 * Only added lines count: context lines are unchanged and deleted lines no longer exist. Hunk
 * headers' line counts bound each hunk, so trailing text is never miscounted. Undefined when the
 * text has no hunk header at all.
 */
export function patchToRanges(patch: string): LineRange[] | undefined {
  const ranges: LineRange[] = [];
  let sawHunk = false;
  let next = 0;
  let remaining = 0;
  for (const line of patch.split(/\r?\n/)) {
    const m = HUNK.exec(line);
    if (m) {
      sawHunk = true;
      next = Number(m[1]);
      remaining = m[2] === undefined ? 1 : Number(m[2]);
      continue;
    }
    if (!sawHunk || remaining <= 0) continue;
    const c = line[0];
    if (c === '+') {
      pushLine(ranges, next);
      next++;
      remaining--;
    } else if (c === ' ' || line === '') {
      next++;
      remaining--;
    }
    // '-' lines and '\ No newline at end of file' do not move the new-file counter.
  }
  return sawHunk ? ranges : undefined;
}

/** Reverses git's C-style path quoting ("a\tb", octal escapes for non-ASCII bytes). */
export function unquoteGitPath(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"')) return raw;
  const bytes: number[] = [];
  const body = raw.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const n = body[i + 1] ?? '';
    if (/[0-7]/.test(n)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[n] ?? n.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(path: string): string {
  return normalisePath(unquoteGitPath(path.trim().replace(/\t.*$/, '')).replace(/^[ab]\//, ''));
}

/**
 * Parses a unified diff (`git diff` with any context size, or plain `diff -u`) into the added-line
 * ranges of the new side. Deleted files are left out; binary files count as changed everywhere
 * (`lines: 'all'`), pure renames as changed nowhere; git-quoted paths are unquoted. `defaultPath` names the
 * file when the text is one file's hunks without headers (GitHub / GitLab per-file patches).
 */
export function parseUnifiedDiff(text: string, defaultPath?: string): ChangedFile[] {
  if (defaultPath !== undefined && !/^(diff --git |\+\+\+ )/m.test(text)) {
    return [{ path: normalisePath(defaultPath), lines: patchToRanges(text) ?? [] }];
  }
  const files: ChangedFile[] = [];
  type Current = { path?: string; body: string[]; binary: boolean; deleted: boolean };
  let current: Current | undefined;
  const flush = () => {
    if (!current || current.deleted || !current.path) return;
    // A pure rename or mode change has no added lines; a binary file is changed everywhere.
    if (current.binary) files.push({ path: current.path, lines: 'all' });
    else files.push({ path: current.path, lines: patchToRanges(current.body.join('\n')) ?? [] });
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('diff --git ')) {
      flush();
      current = { body: [], binary: false, deleted: false };
      // Fallback path from the header, for binary files and pure renames without ---/+++ lines.
      const m = /^diff --git (?:"(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(line);
      if (m) current.path = stripPrefix(m[1]!);
      continue;
    }
    // A plain unified diff (no git header): a new file starts at its ---/+++ pair.
    if (
      line.startsWith('--- ') &&
      lines[i + 1]?.startsWith('+++ ') &&
      (!current || current.body.length > 0)
    ) {
      flush();
      current = { body: [], binary: false, deleted: false };
      continue;
    }
    if (!current) continue;
    if (line.startsWith('+++ ') && current.body.length === 0) {
      const target = line.slice(4).replace(/\t.*$/, '');
      if (target === '/dev/null') current.deleted = true;
      else current.path = stripPrefix(target);
    } else if (line.startsWith('--- ') && current.body.length === 0) {
      // The old path: not needed.
    } else if (line.startsWith('rename to ')) {
      current.path = normalisePath(unquoteGitPath(line.slice('rename to '.length)));
    } else if (line.startsWith('deleted file mode')) {
      current.deleted = true;
    } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
      current.binary = true;
    } else if (
      line.startsWith('new file mode') ||
      line.startsWith('index ') ||
      line.startsWith('similarity index') ||
      line.startsWith('rename from ') ||
      line.startsWith('old mode') ||
      line.startsWith('new mode')
    ) {
      // Extended header lines.
    } else {
      current.body.push(line);
    }
  }
  flush();
  return files;
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
