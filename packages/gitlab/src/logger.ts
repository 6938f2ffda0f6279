import type { Logger } from '@devsecflow/core';

const ESC = '\u001b';
const YELLOW = `${ESC}[33;1m`;
const RED = `${ESC}[31;1m`;
const RESET = `${ESC}[0m`;

export interface GitLabLoggerOptions {
  /** Where lines go; the job log collects stderr and stdout alike. Default: stderr. */
  write?: (text: string) => void;
  debug?: boolean;
  /** Sections start collapsed (default true): long output stays one line until opened. */
  collapsed?: boolean;
  /** Values that must never appear in the log (tokens): replaced by `[MASKED]`. */
  secrets?: readonly string[];
  /** Clock for section timestamps (seconds since the epoch). */
  now?: () => number;
}

/** GitLab accepts letters, digits, `_`, `.` and `-` in a section name. */
export function sectionName(title: string, counter: number): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return `devsecflow_${counter}${slug ? `_${slug}` : ''}`;
}

/** One printable line: no CR/LF or escape that could end the section early or fake log output. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

export function sectionStart(name: string, title: string, collapsed: boolean, at: number): string {
  const opts = collapsed ? '[collapsed=true]' : '';
  return `${ESC}[0Ksection_start:${at}:${name}${opts}\r${ESC}[0K${oneLine(title)}`;
}

export function sectionEnd(name: string, at: number): string {
  return `${ESC}[0Ksection_end:${at}:${name}\r${ESC}[0K`;
}

/**
 * A Logger for GitLab job logs: warnings and errors coloured, `group()` as a collapsible section
 * (https://docs.gitlab.com/ci/jobs/job_logs/#custom-collapsible-sections). Known secrets are masked
 * in every line, whatever GitLab's own masking is set to.
 */
export function createGitLabLogger(options: GitLabLoggerOptions = {}): Logger {
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  const collapsed = options.collapsed ?? true;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  let counter = 0;
  const mask = (text: string) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[MASKED]');
    return out;
  };
  const line = (text: string) => write(`${mask(text)}\n`);
  return {
    debug: (m) => {
      if (options.debug) line(`debug: ${m}`);
    },
    info: (m) => line(m),
    warn: (m) => line(`${YELLOW}warning:${RESET} ${m}`),
    error: (m) => line(`${RED}error:${RESET} ${m}`),
    group: async (title, fn) => {
      counter++;
      const name = sectionName(title, counter);
      line(sectionStart(name, mask(title), collapsed, now()));
      try {
        return await fn();
      } finally {
        line(sectionEnd(name, now()));
      }
    },
  };
}

/**
 * Wraps another Logger (the CLI's terminal logger) for a GitLab job: every line is masked and
 * `group()` becomes a collapsible section, written through the wrapped logger's `info`.
 */
export function withGitLabSections(
  base: Logger,
  options: Pick<GitLabLoggerOptions, 'secrets' | 'collapsed' | 'now'> = {},
): Logger {
  const collapsed = options.collapsed ?? true;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const mask = (text: string) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[MASKED]');
    return out;
  };
  let counter = 0;
  return {
    debug: (m) => base.debug(mask(m)),
    info: (m) => base.info(mask(m)),
    warn: (m) => base.warn(mask(m)),
    error: (m) => base.error(mask(m)),
    group: async (title, fn) => {
      counter++;
      const name = sectionName(title, counter);
      base.info(sectionStart(name, mask(title), collapsed, now()));
      try {
        return await fn();
      } finally {
        base.info(sectionEnd(name, now()));
      }
    },
  };
}
