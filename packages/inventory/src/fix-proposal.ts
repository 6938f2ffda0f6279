// The PR/MR a fix becomes: one per project directory, found again by its key and updated in place.
import type { ChangeProposal, FileChange } from '@devsecflow/core';
import type { FixResult } from './fix.js';

/** True when the fix changed something worth proposing: applied without errors and cleared an advisory. */
export function proposable(result: FixResult): boolean {
  return (
    !result.dryRun && result.errors.length === 0 && result.commands.length > 0 && result.cleared.length > 0
  );
}

/**
 * The proposal for a fix of the project at `dir` (repository-relative, `.` for the root): the new
 * package.json and lockfile on `<branch>/<dir or manager>`, the fix markdown as the body.
 */
export function fixProposal(
  result: FixResult,
  options: {
    dir: string;
    body: string;
    files: FileChange[];
    branch: string;
    labels: string[];
    base?: string;
  },
): ChangeProposal {
  const where = options.dir === '.' ? '' : options.dir;
  const applied = result.steps.filter((s) => s.action !== 'manual');
  const names = [...new Set(applied.map((s) => s.name))];
  const slug = where ? where.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') : result.manager;
  const failing = result.test && !result.test.passed ? ' (tests failing)' : '';
  const title = `Security: upgrade ${names.join(', ')}${where ? ` in ${where}` : ''}${failing}`;
  return {
    key: `devsecflow-fix:${where || '.'}`,
    branch: `${options.branch.replace(/\/+$/, '')}/${slug}`,
    ...(options.base ? { base: options.base } : {}),
    title: title.length > 200 ? `${title.slice(0, 197)}...` : title,
    body: options.body,
    labels: options.labels,
    commitMessage: [
      `fix(deps): upgrade ${applied.map((s) => `${s.name} ${s.from} -> ${s.to}`).join(', ')}`,
      '',
      `Clears ${result.cleared.join(', ')}.`,
    ].join('\n'),
    files: options.files.map((f) => ({ path: where ? `${where}/${f.path}` : f.path, content: f.content })),
  };
}
