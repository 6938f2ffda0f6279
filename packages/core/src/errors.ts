/** Process exit codes, one place. */
export const EXIT = {
  passed: 0,
  gateFailed: 1,
  usage: 2,
  stageIncomplete: 3,
} as const;

export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

function where(pos: SourcePosition | undefined): string {
  if (!pos) return '';
  let s = pos.file;
  if (pos.line !== undefined) s += `:${pos.line}`;
  if (pos.line !== undefined && pos.column !== undefined) s += `:${pos.column}`;
  return `${s}: `;
}

/**
 * A mistake the user can fix: bad config, bad flags, a malformed input file. Printed as one line,
 * `file:line:col: what is wrong (what was expected)`, never with a stack trace. Exit code 2.
 */
export class UserError extends Error {
  override name = 'UserError';
  readonly position: SourcePosition | undefined;
  readonly exitCode: number = EXIT.usage;

  constructor(message: string, position?: SourcePosition, options?: { cause?: unknown }) {
    super(`${where(position)}${message}`, options);
    this.position = position;
  }
}

/** devsecflow.yml (or a preset it extends) is invalid. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
}

/** An input file (SARIF, report, lockfile, JUnit...) cannot be read as what it claims to be. */
export class InputError extends UserError {
  override name = 'InputError';
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** One line for any thrown value; internal faults say so and point at --debug. */
export function describeError(e: unknown, debug = false): string {
  if (isUserError(e)) return e.message;
  if (e instanceof Error) {
    if (debug) return e.stack ?? e.message;
    return `internal error: ${e.message} (run with --debug for the stack trace)`;
  }
  return `internal error: ${String(e)}`;
}
