import { createHash } from 'node:crypto';
import {
  compareSeverity,
  type Finding,
  type Identifier,
  type Report,
  SEVERITIES,
  SEVERITY_SCORE,
  type Severity,
  severityRank,
} from '@devsecflow/core';

export { STAGE_TITLES } from '@devsecflow/core';

/** A numeric score for a finding: its CVSS score when it has one, else the severity's representative score. */
export function findingScore(f: Finding): number {
  const s = f.cvss?.score;
  return typeof s === 'number' && Number.isFinite(s) ? s : SEVERITY_SCORE[f.severity];
}

/** The CWE numbers a finding carries (from identifiers of type `cwe`), without duplicates. */
export function cweNumbers(f: Pick<Finding, 'identifiers'>): string[] {
  const out = new Set<string>();
  for (const id of f.identifiers) {
    if (id.type !== 'cwe') continue;
    const m = /(\d+)/.exec(id.value);
    if (m?.[1]) out.add(String(Number(m[1])));
  }
  return [...out];
}

/** `CWE-79` identifier with MITRE's link. */
export function cweIdentifier(num: string | number): Identifier {
  const n = String(Number(num));
  return { type: 'cwe', value: `CWE-${n}`, url: `https://cwe.mitre.org/data/definitions/${n}.html` };
}

// Code-unit order, not localeCompare: the same on every machine and much faster.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Most severe first, then stage, path, line and rule so output order is stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareSeverity(a.severity, b.severity) ||
    cmp(a.stage, b.stage) ||
    cmp(a.location?.path ?? a.package?.manifest ?? '', b.location?.path ?? b.package?.manifest ?? '') ||
    (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

/** Count of unsuppressed findings per severity, plus suppressed ones. */
export function severityCounts(
  findings: readonly Finding[],
): Record<Severity, number> & { suppressed: number } {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppression) suppressed++;
    else counts[f.severity]++;
  }
  return { ...counts, suppressed };
}

/** The most severe of a list (info when empty). */
export function maxSeverity(list: Iterable<Severity>): Severity {
  let best: Severity = 'info';
  for (const s of list) if (severityRank(s) > severityRank(best)) best = s;
  return best;
}

/**
 * A UUID derived from a name (RFC 4122 version 5 layout over SHA-1), so the same finding gets the same
 * id in every run: GitLab uses the vulnerability id to follow a finding across pipelines.
 */
export function deterministicUuid(name: string): string {
  const h = createHash('sha1').update('devsecflow').update('\u0000').update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** GitLab's scan time format: `YYYY-MM-DDTHH:MM:SS` in UTC, no zone, no milliseconds. */
export function gitlabTime(iso: string): string {
  const d = new Date(iso);
  const t = Number.isNaN(d.getTime()) ? new Date(0) : d;
  return t.toISOString().slice(0, 19);
}

/** Cuts a string to `max` UTF-16 units, ending with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** True for absolute http(s) URLs: the only links our outputs render as links. */
export function isHttpUrl(s: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(s);
}

/** `path:line` (or the manifest, or the package) for one-line displays. */
export function whereOf(f: Finding): string {
  if (f.location) return `${f.location.path}:${f.location.startLine}`;
  if (f.package) return `${f.package.manifest} (${f.package.name}@${f.package.version})`;
  return '';
}

/** Findings of all reports, flattened. */
export function allFindings(reports: readonly Report[]): Finding[] {
  return reports.flatMap((r) => r.findings);
}

/** Lower-case slug for ids: letters, digits and dashes. */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'tool'
  );
}
