import type { Logger } from '@devsecflow/core';

export interface TerminalOptions {
  quiet?: boolean;
  debug?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** Colour only on a TTY, never with NO_COLOR (https://no-color.org) or --no-color. */
export function useColor(stream: NodeJS.WriteStream, flag: boolean | undefined, env = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], bold: [1, 22], dim: [2, 22] } as const;
export type Style = keyof typeof CODES;

export function stylist(enabled: boolean) {
  return (style: Style, text: string) =>
    enabled ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text;
}

/**
 * The terminal logger: messages on stderr (stdout stays clean for --json and converted output),
 * with a one-line progress ticker for groups when stderr is a TTY.
 */
export function createTerminalLogger(
  options: TerminalOptions,
  stream: NodeJS.WriteStream = process.stderr,
): Logger {
  const color = stylist(options.color ?? false);
  const tty = Boolean(stream.isTTY) && !options.quiet;
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    debug: (m) => {
      if (options.debug || options.verbose) write(color('dim', m));
    },
    info: (m) => {
      if (!options.quiet) write(m);
    },
    warn: (m) => write(color('yellow', `warning: ${m}`)),
    error: (m) => write(color('red', `error: ${m}`)),
    group: async (title, fn) => {
      if (!tty) {
        if (!options.quiet) write(title);
        return fn();
      }
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      const started = Date.now();
      let i = 0;
      const timer = setInterval(() => {
        const s = ((Date.now() - started) / 1000).toFixed(0);
        stream.write(`\r${frames[i++ % frames.length]} ${title} (${s}s)`);
      }, 120);
      timer.unref();
      try {
        return await fn();
      } finally {
        clearInterval(timer);
        stream.write('\r\u001b[2K');
        write(`${title} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      }
    },
  };
}
