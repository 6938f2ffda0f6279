import { type Cvss, type Severity, severityFromCvssScore } from '@devsecflow/core';
import cvssCalculator from 'ae-cvss-calculator';

// ae-cvss-calculator is CommonJS without static named exports Node's ESM loader can see.
const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator;

import type { OsvSeverity, OsvVuln } from './types.js';

/** Base score of a CVSS vector (v2, v3.0, v3.1, v4.0) via ae-cvss-calculator; undefined if it does not parse. */
export function cvssScore(vector: string): { version: string; score: number } | undefined {
  try {
    if (vector.startsWith('CVSS:4.0/'))
      return { version: '4.0', score: new Cvss4P0(vector).calculateScores().overall ?? 0 };
    if (vector.startsWith('CVSS:3.1/'))
      return { version: '3.1', score: new Cvss3P1(vector).calculateScores().base ?? 0 };
    if (vector.startsWith('CVSS:3.0/'))
      return { version: '3.0', score: new Cvss3P0(vector).calculateScores().base ?? 0 };
    if (/^(AV:|\(AV:)/.test(vector))
      return { version: '2.0', score: new Cvss2(vector).calculateScores().base ?? 0 };
  } catch {
    return undefined;
  }
  return undefined;
}

const PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

/** The record's best CVSS (newest version first), with its computed score. */
export function bestCvss(severities: OsvSeverity[] | undefined): Cvss | undefined {
  const list = [...(severities ?? [])].sort(
    (a, b) => PREFERENCE.indexOf(a.type) - PREFERENCE.indexOf(b.type),
  );
  for (const s of list) {
    if (!PREFERENCE.includes(s.type)) continue;
    const r = cvssScore(s.score);
    if (r) return { version: r.version, vector: s.score, score: r.score };
  }
  return undefined;
}

const DB_SEVERITY: Record<string, Severity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  LOW: 'low',
};

/**
 * Severity of one record: malicious-package records (MAL-) are critical; then the CVSS score; then
 * the database's own rating (GHSA `database_specific.severity`, or per-package `ecosystem_specific`).
 */
export function vulnSeverity(v: OsvVuln): { severity: Severity; cvss?: Cvss; basis: string } {
  if (v.id.startsWith('MAL-')) return { severity: 'critical', basis: 'malicious package' };
  const cvss = bestCvss([...(v.severity ?? []), ...(v.affected ?? []).flatMap((a) => a.severity ?? [])]);
  if (cvss?.score !== undefined)
    return { severity: severityFromCvssScore(cvss.score), cvss, basis: `CVSS ${cvss.version}` };
  const db = [
    v.database_specific?.severity,
    ...(v.affected ?? []).map((a) => a.ecosystem_specific?.severity ?? a.database_specific?.severity),
  ].find((s): s is string => typeof s === 'string' && DB_SEVERITY[s.toUpperCase()] !== undefined);
  if (db) return { severity: DB_SEVERITY[db.toUpperCase()]!, basis: 'database rating' };
  return { severity: 'medium', basis: 'no rating in the advisory' };
}
