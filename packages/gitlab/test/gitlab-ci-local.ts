import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers that run the templates with gitlab-ci-local (shell executor) in a throwaway git repo. */

export const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = join(PKG, '..', '..');
export const CLI = join(REPO, 'packages', 'cli', 'dist', 'devsecflow.js');
const GCL = join(PKG, 'node_modules', '.bin', 'gitlab-ci-local');

/** The CLI from this workspace, as a template's `cli` input. */
export const CLI_COMMAND = `node ${CLI}`;

/**
 * The CLI depends on this package, so this package cannot depend on the CLI to get it built first
 * (a cycle turbo refuses). In a whole-repo run (`pnpm check`) the CLI's build runs beside these
 * tests: in CI (`.ci/run` sets CI), wait for its output rather than fail on the race. Run alone,
 * build it first: without CI set, a missing CLI fails at once.
 */
export async function waitForCli(timeoutMs = process.env.CI ? 15 * 60_000 : 0): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(CLI)) {
    if (Date.now() > until) {
      throw new Error(
        `${CLI} is missing: build the CLI first (pnpm exec turbo run build --filter=devsecflow...)`,
      );
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * A git repository holding `examples/` (when asked), `templates/` (a copy of gitlab-templates/),
 * the given files and `.gitlab-ci.yml`.
 */
export function makeProject(ci: string, files: Record<string, string> = {}, withExamples = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'dsf-gcl-'));
  if (withExamples) {
    // Leave out outputs of local demo runs (git-ignored in the repository).
    cpSync(join(REPO, 'examples'), dir, {
      recursive: true,
      filter: (src) => !/[\\/]\.devsecflow(-out)?([\\/]|$)/.test(src),
    });
  }
  cpSync(join(REPO, 'gitlab-templates'), join(dir, 'templates'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, '.gitlab-ci.yml'), ci);
  writeFileSync(join(dir, '.gitignore'), '.gitlab-ci-local/\n.gitlab-ci-local-home/\n');
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
  return dir;
}

export interface GclResult {
  /** gitlab-ci-local's own exit code (non-zero when a job failed without allow_failure). */
  code: number;
  /** stdout then stderr. */
  output: string;
  stdout: string;
  /** Exit code of each job that ran: 0 when it passed. */
  jobs: Record<string, number>;
}

/** Runs gitlab-ci-local in `dir`: the whole pipeline, or the named jobs. */
export function gitlabCiLocal(
  dir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<GclResult> {
  return new Promise((resolve) => {
    execFile(
      GCL,
      [
        '--force-shell-executor',
        '--no-color',
        '--home',
        join(dir, '.gitlab-ci-local-home'),
        '--ignore-predefined-vars',
        'GITLAB_CI,CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH,CI_DEFAULT_BRANCH,CI_OPEN_MERGE_REQUESTS,CI_MERGE_REQUEST_IID,CI_MERGE_REQUEST_PROJECT_ID,CI_PROJECT_ID,CI_API_V4_URL,CI_JOB_URL',
        ...args,
      ],
      {
        cwd: dir,
        timeout: 240_000,
        maxBuffer: 64 * 1024 * 1024,
        // The job must not see a token or CI settings of whoever runs the tests.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NO_COLOR: '1',
          npm_config_update_notifier: 'false',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const jobs: Record<string, number> = {};
        for (const m of output.matchAll(/^(\S.*?)\s+finished in [^\n]*?(?:\s(?:FAIL|WARN) (\d+))?\s*$/gm)) {
          if (m[1]?.startsWith('parsing ') || m[1] === 'pipeline') continue;
          jobs[m[1] as string] = m[2] === undefined ? 0 : Number(m[2]);
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output, stdout: String(stdout), jobs });
      },
    );
  });
}

/** Where gitlab-ci-local keeps a job's artifacts. */
export function artifactDir(dir: string, job: string, path: string): string {
  return join(dir, '.gitlab-ci-local', 'artifacts', job, path);
}
