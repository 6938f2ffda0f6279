import type { ChangedFile, LineRange } from '@devsecflow/core';

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** Adds `line` to `ranges`, extending the last range when it is adjacent. */
function addLine(ranges: LineRange[], line: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last.end + 1 === line) last.end = line;
  else ranges.push({ start: line, end: line });
}

/**
 * The added lines (new-file numbering, 1-based, inclusive ranges) of the hunks of one file's diff,
 * as GitLab's MR diffs API returns it in `diff` (hunks only, no `diff --git` header). Context and
 * removed lines do not count: a finding is "introduced" only on a line the change wrote.
 */
export function addedLinesOfHunks(diff: string): LineRange[] {
  const ranges: LineRange[] = [];
  let newLine = 0;
  let remaining = 0;
  for (const line of diff.split('\n')) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      newLine = Number(hunk[1]);
      remaining = hunk[2] === undefined ? 1 : Number(hunk[2]);
      continue;
    }
    if (remaining <= 0) continue;
    const kind = line[0];
    if (kind === '+') {
      addLine(ranges, newLine);
      newLine++;
      remaining--;
    } else if (kind === ' ' || (kind === undefined && line === '')) {
      // An empty line inside a hunk is a context line whose leading space was stripped.
      newLine++;
      remaining--;
    }
    // '-' (removed) and '\' (no newline at end of file) do not advance the new file.
  }
  return ranges;
}

/** Undoes git's C-style quoting of unusual paths (`"a/t\303\251st.js"`). */
export function unquoteGitPath(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"')) return raw;
  const body = raw.slice(1, -1);
  const bytes: number[] = [];
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(path: string): string {
  const p = unquoteGitPath(path.trim());
  return p.startsWith('b/') || p.startsWith('a/') ? p.slice(2) : p;
}

/**
 * Changed files and added lines of a multi-file `git diff` (unified format, any context size).
 * Deleted files are left out; binary files count as wholly changed.
 */
export function parseGitDiff(text: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let current: { path?: string; deleted: boolean; binary: boolean; hunks: string[] } | undefined;
  const flush = () => {
    if (!current || current.deleted || !current.path) return;
    if (current.binary) files.push({ path: current.path, lines: 'all' });
    else files.push({ path: current.path, lines: addedLinesOfHunks(current.hunks.join('\n')) });
  };
  let inHunk = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      flush();
      current = { deleted: false, binary: false, hunks: [] };
      inHunk = false;
      continue;
    }
    if (!current) continue;
    if (!inHunk) {
      if (line.startsWith('+++ ')) {
        const target = line.slice(4);
        if (target === '/dev/null') current.deleted = true;
        else current.path = stripPrefix(target);
        continue;
      }
      if (line.startsWith('rename to ')) current.path = unquoteGitPath(line.slice('rename to '.length));
      else if (line.startsWith('copy to ')) current.path = unquoteGitPath(line.slice('copy to '.length));
      else if (line.startsWith('deleted file mode')) current.deleted = true;
      else if (line.startsWith('Binary files ') && line.endsWith(' differ')) {
        current.binary = true;
        const m = / and (.+) differ$/.exec(line);
        if (m?.[1] && m[1] !== '/dev/null') current.path = stripPrefix(m[1]);
        else if (m?.[1] === '/dev/null') current.deleted = true;
      }
    }
    if (line.startsWith('@@ ')) inHunk = true;
    if (inHunk) current.hunks.push(line);
  }
  flush();
  return files;
}

/** One entry of `GET /projects/:id/merge_requests/:iid/diffs`. */
export interface MergeRequestDiff {
  old_path: string;
  new_path: string;
  diff: string;
  new_file?: boolean;
  renamed_file?: boolean;
  deleted_file?: boolean;
  too_large?: boolean | null;
  collapsed?: boolean | null;
}

/** Changed files of an MR from its API diffs; files GitLab did not send the diff of count as wholly changed. */
export function changedFilesFromMrDiffs(diffs: readonly MergeRequestDiff[]): ChangedFile[] {
  const files: ChangedFile[] = [];
  for (const d of diffs) {
    if (d.deleted_file) continue;
    const body = d.diff ?? '';
    if (d.too_large || d.collapsed || /^Binary files .* differ$/m.test(body)) {
      files.push({ path: d.new_path, lines: 'all' });
      continue;
    }
    if (body === '') {
      // A pure rename or mode change writes no line; a new empty file has none to write.
      if (d.new_file) files.push({ path: d.new_path, lines: 'all' });
      continue;
    }
    files.push({ path: d.new_path, lines: addedLinesOfHunks(body) });
  }
  return files;
}
