import { execFile } from 'node:child_process';
import type { ChangedFile } from '@devsecflow/core';
import { parseUnifiedDiff } from '@devsecflow/core';

export interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs git with an argument array (never a shell), without prompts, and never throws. */
export function git(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 512 * 1024 * 1024,
        // No credential prompt can hang a CI job; no pager, no locale-dependent messages.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** True when `rev` names a commit present in the local clone. */
export async function hasCommit(rev: string, cwd: string): Promise<boolean> {
  const r = await git(['cat-file', '-e', `${rev}^{commit}`], cwd);
  return r.ok;
}

/** A full or abbreviated commit sha: the only kind of revision we fetch by name from a remote. */
export function isSha(rev: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(rev);
}

/** Fetches one commit (no history) so a shallow clone can diff against it. */
export async function fetchCommit(sha: string, cwd: string): Promise<GitResult> {
  return git(['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', sha], cwd);
}

/** Changed files and added lines between `base` and HEAD, paths relative to `cwd`. */
export async function gitChangedFiles(base: string, cwd: string): Promise<ChangedFile[] | GitResult> {
  const r = await git(
    [
      '-c',
      'core.quotePath=false',
      'diff',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--unified=0',
      '--find-renames',
      // Paths relative to the scanned directory, like findings' paths (and nothing outside it).
      '--relative',
      '--src-prefix=a/',
      '--dst-prefix=b/',
      base,
      'HEAD',
      '--',
    ],
    cwd,
  );
  if (!r.ok) return r;
  return parseUnifiedDiff(r.stdout);
}

/** Where `cwd` sits inside its repository (`sub/dir/`), or '' at the top or outside git. */
export async function repoPrefix(cwd: string): Promise<string> {
  const r = await git(['rev-parse', '--show-prefix'], cwd);
  return r.ok ? r.stdout.trim() : '';
}
