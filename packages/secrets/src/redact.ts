import { createHash } from 'node:crypto';

/**
 * Salt of the secret hash. It is public on purpose: a baseline written on one machine must match on
 * another, and the hash only has to keep the value out of reports and baselines. Set
 * `DEVSECFLOW_SECRETS_SALT` (the same everywhere the baseline is used) to make low-entropy values
 * such as short passwords impractical to brute-force from a shared baseline.
 */
export const DEFAULT_SECRET_SALT = 'devsecflow-secrets-v1';

export function secretSalt(override?: string): string {
  return override ?? process.env.DEVSECFLOW_SECRETS_SALT ?? DEFAULT_SECRET_SALT;
}

/** sha256(salt + NUL + value), hex. What findings and baselines carry instead of the value. */
export function hashSecret(value: string, salt = secretSalt()): string {
  return createHash('sha256').update(salt).update('\u0000').update(value).digest('hex');
}

/**
 * The masked preview shown to people: the first 4 characters (2 for values shorter than 24, none
 * below 12), four `*`, then the length: `ghp_****…(40)`. Short values show nothing of themselves
 * because a few characters of an 8-character password is a large part of it.
 */
export function maskSecret(value: string): string {
  const shown = value.length >= 24 ? 4 : value.length >= 12 ? 2 : 0;
  // Never show a line break or control character of a multi-line key.
  const head = value.slice(0, shown).replace(/[\u0000-\u001f]/g, '');
  return `${head}****…(${value.length})`;
}

/**
 * Replaces each range (start/end are offsets into `line`) with its mask, then trims the line to
 * at most `max` characters around the first range.
 */
export function redactLine(
  line: string,
  ranges: { start: number; end: number; mask: string }[],
  max = 200,
): string {
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  let firstAt = -1;
  for (const r of sorted) {
    const start = Math.max(r.start, pos);
    if (start >= r.end) continue;
    out += line.slice(pos, start);
    if (firstAt < 0) firstAt = out.length;
    out += r.mask;
    pos = Math.max(pos, r.end);
  }
  out += line.slice(pos);
  out = out.trim();
  if (out.length <= max) return out;
  const anchor = Math.max(0, Math.min(firstAt < 0 ? 0 : firstAt - 40, out.length - max));
  return `${anchor > 0 ? '…' : ''}${out.slice(anchor, anchor + max)}${anchor + max < out.length ? '…' : ''}`;
}
