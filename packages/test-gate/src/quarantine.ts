import type { TestCaseResult } from './junit.js';

/** A known-flaky test that may fail without failing the gate, until it expires. */
export interface QuarantineEntry {
  /** Test name, or `classname::name`; `*` matches any run of characters and `?` one. */
  test: string;
  owner: string;
  /** ISO date (inclusive: the entry still holds on that day, UTC) or date-time. */
  expires: string;
  reason: string;
}

export interface CompiledQuarantine {
  entry: QuarantineEntry;
  /** Index in the configured list, for config error positions. */
  index: number;
  expired: boolean;
  test(c: Pick<TestCaseResult, 'classname' | 'name'>): boolean;
}

/**
 * Test names are full of glob metacharacters (`[`, `(`, `{`, `!`), so only `*` and `?` are
 * special here: a name can be pasted from a report as it is.
 */
export function testPattern(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** The moment an entry stops holding: the end of its day for a plain date. */
export function expiryTime(expires: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T23:59:59.999Z`) : Date.parse(expires);
}

export function compileQuarantine(entries: QuarantineEntry[], now: Date): CompiledQuarantine[] {
  return entries.map((entry, index) => {
    const re = testPattern(entry.test);
    const qualified = entry.test.includes('::');
    return {
      entry,
      index,
      expired: !(expiryTime(entry.expires) >= now.getTime()),
      test: (c) => re.test(qualified ? `${c.classname ?? ''}::${c.name}` : c.name),
    };
  });
}

/** The first active (unexpired) entry that matches the case. */
export function findQuarantine(
  list: CompiledQuarantine[],
  c: Pick<TestCaseResult, 'classname' | 'name'>,
): CompiledQuarantine | undefined {
  return list.find((q) => !q.expired && q.test(c));
}
