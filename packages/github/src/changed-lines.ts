import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChangedFile, DiffInfo } from '@devsecflow/core';
import { parseUnifiedDiff, patchToRanges } from '@devsecflow/core';
import type { GitHubContext } from './context.js';
import type { Octokit } from './octokit.js';

const execFileAsync = promisify(execFile);

/** The pull-request files API lists at most this many files. */
export const PULL_FILES_CAP = 3000;

/** A revision git would read as an option must never reach it. */
function safeRevision(rev: string): boolean {
  return rev.length > 0 && !rev.startsWith('-') && !/[\s\0]/.test(rev);
}

/**
 * Changed lines between `base` (via its merge base) and HEAD from the local checkout, with an
 * argument array (no shell). Unavailable, with the fix, when the base is not in the clone.
 */
export async function gitChangedLines(root: string, base: string): Promise<DiffInfo> {
  if (!safeRevision(base))
    return { available: false, reason: `'${base.slice(0, 80)}' is not a git revision` };
  try {
    await execFileAsync('git', ['cat-file', '-e', `${base}^{commit}`], { cwd: root });
  } catch {
    return {
      available: false,
      reason: `the base commit ${base.slice(0, 12)} is not in the checkout (use actions/checkout with fetch-depth: 0, or fetch the base); the diff filter is off`,
    };
  }
  try {
    const { stdout } = await execFileAsync(
      'git',
      [
        '-c',
        'core.quotePath=false',
        'diff',
        '--no-color',
        '--no-ext-diff',
        '--unified=0',
        '-M',
        `${base}...HEAD`,
        '--',
      ],
      { cwd: root, maxBuffer: 512 * 1024 * 1024 },
    );
    return { available: true, base, files: parseUnifiedDiff(stdout) };
  } catch (e) {
    return {
      available: false,
      reason: `git diff against ${base.slice(0, 12)} failed (${(e as Error).message.split('\n')[0]}); the diff filter is off`,
    };
  }
}

interface PullFile {
  filename: string;
  status: string;
  changes?: number;
  patch?: string;
}

/**
 * Changed lines of the current pull request from the paginated files API. Past the API's 3,000-file
 * cap (or when the API fails) it falls back to `git diff` against the PR base.
 */
export async function pullRequestChangedLines(
  octokit: Octokit | undefined,
  ctx: GitHubContext,
  root: string,
): Promise<DiffInfo> {
  const change = ctx.change!;
  const fallback = async (why: string): Promise<DiffInfo> => {
    if (!ctx.baseSha)
      return {
        available: false,
        reason: `${why}, and the event names no base commit; the diff filter is off`,
      };
    const info = await gitChangedLines(root, ctx.baseSha);
    return info.available ? info : { available: false, reason: `${why}; ${info.reason}` };
  };
  if ((ctx.changedFiles ?? 0) > PULL_FILES_CAP) {
    return fallback(`pull request #${change.id} changes ${ctx.changedFiles} files, more than the API lists`);
  }
  if (!octokit || !ctx.owner || !ctx.repo) return fallback('no GitHub token to read the pull request files');
  let list: PullFile[];
  try {
    list = (await octokit.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      owner: ctx.owner,
      repo: ctx.repo,
      pull_number: change.id,
      per_page: 100,
    })) as PullFile[];
  } catch (e) {
    return fallback(`could not list the files of pull request #${change.id} (${describeHttp(e)})`);
  }
  if (list.length >= PULL_FILES_CAP) {
    return fallback(`pull request #${change.id} lists ${list.length} files, the API's cap`);
  }
  const files: ChangedFile[] = [];
  for (const f of list) {
    if (f.status === 'removed') continue;
    // No patch: a pure rename (0 changes), a binary file or a diff too large for the API to
    // include; the last two count as changed everywhere.
    const lines = f.patch ? (patchToRanges(f.patch) ?? 'all') : f.changes === 0 ? [] : 'all';
    files.push({ path: f.filename, lines });
  }
  return { available: true, base: ctx.baseSha, files };
}

/** One line for an Octokit error: status and GitHub's message. */
export function describeHttp(e: unknown): string {
  const err = e as { status?: number; message?: string };
  const msg = (err.message ?? String(e)).split('\n')[0]!.slice(0, 300);
  return err.status ? `HTTP ${err.status}: ${msg}` : msg;
}
