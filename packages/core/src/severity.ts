/** Severities from most to least severe. The one list every schema, table and sort derives from. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Higher is more severe. */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** Sort comparator: most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}

/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return RANK[s] >= RANK[threshold];
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/**
 * CVSS v3.x / v4.0 qualitative rating scale (FIRST): 0 none, 0.1-3.9 low, 4.0-6.9 medium,
 * 7.0-8.9 high, 9.0-10.0 critical. A score of 0 maps to `info`.
 */
export function severityFromCvssScore(score: number): Severity {
  if (!Number.isFinite(score) || score <= 0) return 'info';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/**
 * GitHub code scanning reads `properties.security-severity` (a CVSS-like score as a string) and
 * ranks it with the same scale as CVSS. Returns undefined when the value is not a number.
 */
export function severityFromSecuritySeverity(value: unknown): Severity | undefined {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN;
  return Number.isFinite(n) ? severityFromCvssScore(n) : undefined;
}

/** SARIF `level` (error / warning / note / none) to a severity, as GitHub maps them without a score. */
export function severityFromSarifLevel(level: unknown): Severity {
  switch (level) {
    case 'error':
      return 'high';
    case 'warning':
      return 'medium';
    case 'note':
      return 'low';
    case 'none':
      return 'info';
    default:
      // SARIF's default level is "warning" (§3.27.10).
      return 'medium';
  }
}

/** GitLab security report severities (`Critical` ... `Info`, `Unknown`). Unknown maps to medium. */
export function severityFromGitlab(value: unknown): Severity {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  if (isSeverity(v)) return v;
  return 'medium';
}

/** A representative score per severity, used where a format needs a number (SARIF security-severity). */
export const SEVERITY_SCORE: Record<Severity, number> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  info: 0.0,
};

/** SARIF `level` for a severity. */
export function sarifLevelFor(s: Severity): 'error' | 'warning' | 'note' {
  if (s === 'critical' || s === 'high') return 'error';
  if (s === 'medium') return 'warning';
  return 'note';
}
