/** The logging surface a stage sees. Platforms implement it (terminal, Actions log, GitLab log). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A collapsible group where the platform has one. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** Logger that writes to stderr (stdout is kept for machine output). */
export function createConsoleLogger(opts: { debug?: boolean; quiet?: boolean } = {}): Logger {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return {
    debug: (m) => {
      if (opts.debug) write(`debug: ${m}`);
    },
    info: (m) => {
      if (!opts.quiet) write(m);
    },
    warn: (m) => write(`warning: ${m}`),
    error: (m) => write(`error: ${m}`),
    group: async (title, fn) => {
      if (!opts.quiet) write(title);
      return fn();
    },
  };
}

/** A logger that records lines, for tests. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    group: async (title, fn) => {
      lines.push(title);
      return fn();
    },
  };
}
