import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import type { Logger } from '@devsecflow/core';

/** Where workflow-command text goes. The runner reads stdout; tests swap it. */
export type Write = (text: string) => void;

const stdout: Write = (text) => {
  process.stdout.write(text);
};

/**
 * Writes `text` so the runner cannot read workflow commands in it: between
 * `::stop-commands::<token>` and `::<token>::`, with a fresh random token. Used for anything a
 * scanned repository or a tool controls (file names, messages, tool output).
 */
export function writeUntrusted(text: string, write: Write = stdout): void {
  const token = randomBytes(16).toString('hex');
  write(`::stop-commands::${token}\n${text.endsWith('\n') ? text : `${text}\n`}::${token}::\n`);
}

/**
 * A Logger for the Actions log. Info and debug lines that could hold a workflow command (`::`) go
 * through `writeUntrusted`; warnings and errors become `::warning::`/`::error::` commands whose data
 * @actions/core escapes, so a message cannot start a new command.
 */
export function createActionsLogger(write: Write = stdout): Logger {
  const info = (m: string) => {
    if (m.includes('::')) writeUntrusted(m, write);
    else core.info(m);
  };
  return {
    debug: (m) => {
      if (m.includes('::')) {
        if (core.isDebug()) writeUntrusted(m, write);
      } else core.debug(m);
    },
    info,
    warn: (m) => core.warning(m),
    error: (m) => core.error(m),
    group: (title, fn) => core.group(title.replace(/::/g, ': :'), fn),
  };
}
