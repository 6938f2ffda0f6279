import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Runs a built action (dist/index.js) the way the Actions runner does: a child process with
 * INPUT_* variables (upper-cased, hyphens kept), GITHUB_* variables, the event payload file and
 * fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Returns what the step produced.
 */

export interface ActionProcessOptions {
  /** Path of the bundled dist/index.js. */
  main: string;
  inputs?: Record<string, string>;
  eventName: string;
  eventPath: string;
  apiUrl: string;
  workspace: string;
  token?: string;
  env?: Record<string, string>;
}

export interface ActionProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Reads a GITHUB_OUTPUT file (`name<<delimiter` blocks, or `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

export async function runActionProcess(o: ActionProcessOptions): Promise<ActionProcessResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dsf-step-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_REPOSITORY_OWNER: 'Codertocat',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: o.eventPath,
    GITHUB_SHA: '1111111111111111111111111111111111111111',
    GITHUB_REF: o.eventName === 'pull_request' ? 'refs/pull/2/merge' : 'refs/heads/main',
    GITHUB_WORKFLOW: 'security',
    GITHUB_JOB: 'scan',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: o.apiUrl,
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    RUNNER_TOOL_CACHE: join(dir, 'toolcache'),
    ...(o.token ? { 'INPUT_GITHUB-TOKEN': o.token } : {}),
    ...Object.fromEntries(Object.entries(o.inputs ?? {}).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...o.env,
  };
  const child = spawn(process.execPath, [o.main], {
    cwd: o.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}
