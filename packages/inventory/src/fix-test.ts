// The project's own test command, run after `fix` changed the lockfile: its verdict and the tail of
// its output go into the result and the PR/MR body.
import { spawn } from 'node:child_process';
import { ConfigError } from '@devsecflow/core';

/** What the test command did. */
export interface FixTestResult {
  command: string[];
  passed: boolean;
  /** The exit code; null when it was killed (timeout) or could not start. */
  exitCode: number | null;
  timedOut: boolean;
  /** The last lines of its combined stdout and stderr (at most `TEST_OUTPUT_LINES`), secrets masked. */
  output: string;
}

export const TEST_OUTPUT_LINES = 40;

/**
 * Splits a command line into arguments the way a shell splits words, and nothing more: single and
 * double quotes group, a backslash escapes the next character, and no variable, glob, pipe or
 * redirection is interpreted. Shell syntax is refused so that nobody believes it ran: write
 * `["sh", "-c", "npm ci && npm test"]` for that.
 */
export function splitCommand(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else if ('|&;<>()$`*?'.includes(c)) {
      throw new ConfigError(
        `the test command '${line}' uses shell syntax ('${c}'), which is not run through a shell: give an argv list such as ["sh", "-c", "..."]`,
      );
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new ConfigError(`the test command '${line}' has an unclosed ${quote} quote`);
  if (started) args.push(current);
  return args;
}

/** Masks the values of secret-looking environment variables (tokens, passwords, keys) in text. */
function maskSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= 8 && /TOKEN|SECRET|PASSWORD|PASSWD|_KEY|AUTH|CREDENTIAL/i.test(name)) {
      out = out.split(value).join('***');
    }
  }
  return out;
}

/** Runs `argv` in `cwd` (no shell), killing it after `timeoutMs`; never throws. */
export function runTestCommand(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs: number },
): Promise<FixTestResult> {
  const env = { ...process.env, ...options.env };
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      // Bounded: only the tail is reported.
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    const finish = (exitCode: number | null, extra = '') => {
      const lines = maskSecrets(output + extra, env)
        .trim()
        .split('\n');
      resolve({
        command: argv,
        passed: exitCode === 0 && !timedOut,
        exitCode,
        timedOut,
        output: lines.slice(-TEST_OUTPUT_LINES).join('\n'),
      });
    };
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => {
      clearTimeout(timer);
      finish(null, `\n${argv[0]}: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      finish(code);
    });
  });
}
