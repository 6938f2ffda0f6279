import type { ChangedFile, LineRange } from '@devsecflow/core';

/*
 * Unified-diff reading for the diff-aware filter. Only added lines count as changed: context lines
 * are unchanged and deleted lines no longer exist in the new file. Core will export
 * `parseUnifiedDiff`; until it does, this is the package's own parser.
 */

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** Adds a line to sorted ranges, merging with the last one when adjacent. */
function pushLine(ranges: LineRange[], line: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last.end + 1 === line) last.end = line;
  else if (!last || line > last.end) ranges.push({ start: line, end: line });
}

/**
 * Added-line ranges of one file's patch body (the hunks only, as the pull-request files API gives
 * `patch`). Returns undefined when the text has no hunk header at all.
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
  const p = unquoteGitPath(path.trim());
  return p.replace(/^[ab]\//, '');
}

/**
 * Changed files and added-line ranges of `git diff` output (any context size). Deleted files are
 * left out; binary files count as changed everywhere (`lines: 'all'`).
 */
export function parseGitDiff(text: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let current: { path?: string; body: string[]; binary: boolean; deleted: boolean } | undefined;
  const flush = () => {
    if (!current || current.deleted || !current.path) return;
    if (current.binary) {
      files.push({ path: current.path, lines: 'all' });
      return;
    }
    files.push({ path: current.path, lines: patchToRanges(current.body.join('\n')) ?? [] });
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      flush();
      current = { body: [], binary: false, deleted: false };
      // Fallback path from the header, for binary files and pure renames without ---/+++ lines.
      const m = /^diff --git (?:"(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(line);
      if (m) current.path = stripPrefix(m[1]!);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      if (target === '/dev/null') current.deleted = true;
      else current.path = stripPrefix(target);
    } else if (line.startsWith('rename to ')) {
      current.path = unquoteGitPath(line.slice('rename to '.length));
    } else if (line.startsWith('deleted file mode')) {
      current.deleted = true;
    } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
      current.binary = true;
    } else if (line.startsWith('--- ')) {
      // old path: not needed
    } else {
      current.body.push(line);
    }
  }
  flush();
  return files;
}
