import { type ChangedFile, patchToRanges } from '@devsecflow/core';

// Unified-diff parsing is core's (parseUnifiedDiff, patchToRanges); this maps GitLab's MR diffs API.

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
    files.push({ path: d.new_path, lines: patchToRanges(body) ?? [] });
  }
  return files;
}
