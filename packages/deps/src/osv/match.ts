import { comparatorFor, compareSemver, normalizePackageName, type VersionComparator } from '../versions.js';
import type { OsvAffected, OsvEvent, OsvRange, OsvVuln, PackageQuery } from './types.js';

function eventVersion(e: OsvEvent): string | undefined {
  return e.introduced ?? e.fixed ?? e.last_affected ?? e.limit;
}

/**
 * OSV range evaluation (schema "Evaluation" section): walk the events in version order; the last
 * event at or below the version decides. `introduced: 0` is the smallest version, `last_affected`
 * is inclusive, and when `limit` events exist the version must also be below one of them.
 */
export function rangeAffects(range: OsvRange, version: string, cmp: VersionComparator): boolean {
  const events = range.events ?? [];
  const limits = events.filter((e) => e.limit !== undefined).map((e) => e.limit!);
  if (limits.length > 0 && !limits.some((l) => l === '*' || cmp(version, l) < 0)) return false;
  const sorted = events
    .filter((e) => e.limit === undefined && eventVersion(e) !== undefined)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const va = eventVersion(a.e)!;
      const vb = eventVersion(b.e)!;
      if (a.e.introduced === '0') return b.e.introduced === '0' ? a.i - b.i : -1;
      if (b.e.introduced === '0') return 1;
      return cmp(va, vb) || a.i - b.i;
    });
  let affected = false;
  for (const { e } of sorted) {
    if (e.introduced !== undefined) {
      if (e.introduced === '0' || cmp(version, e.introduced) >= 0) affected = true;
    } else if (e.fixed !== undefined) {
      if (cmp(version, e.fixed) >= 0) affected = false;
    } else if (e.last_affected !== undefined) {
      if (cmp(version, e.last_affected) > 0) affected = false;
    }
  }
  return affected;
}

function comparatorForRange(range: OsvRange, ecosystem: string): VersionComparator | undefined {
  if (range.type === 'SEMVER') return compareSemver;
  if (range.type === 'ECOSYSTEM') return comparatorFor(ecosystem);
  return undefined; // GIT ranges name commits, not package versions
}

/** The `affected` entries of a record that are about this package (ecosystem and name rules applied). */
export function affectedEntriesFor(vuln: OsvVuln, pkg: Omit<PackageQuery, 'version'>): OsvAffected[] {
  const eco = pkg.ecosystem;
  const name = normalizePackageName(eco, pkg.name);
  return (vuln.affected ?? []).filter(
    (a) =>
      a.package !== undefined &&
      a.package.ecosystem.split(':')[0] === eco &&
      normalizePackageName(eco, a.package.name) === name,
  );
}

/** True when the record affects the package at this version. Withdrawn records never do. */
export function isAffected(vuln: OsvVuln, pkg: PackageQuery): boolean {
  if (vuln.withdrawn) return false;
  const cmp = comparatorFor(pkg.ecosystem);
  for (const a of affectedEntriesFor(vuln, pkg)) {
    if (a.versions?.some((v) => v === pkg.version || cmp(v, pkg.version) === 0)) return true;
    for (const r of a.ranges ?? []) {
      const c = comparatorForRange(r, pkg.ecosystem);
      if (c && rangeAffects(r, pkg.version, c)) return true;
    }
  }
  return false;
}

/** Every `fixed` version the record names for this package, smallest first. */
export function fixedVersions(vuln: OsvVuln, pkg: Omit<PackageQuery, 'version'>): string[] {
  const cmp = comparatorFor(pkg.ecosystem);
  const out = new Set<string>();
  for (const a of affectedEntriesFor(vuln, pkg)) {
    for (const r of a.ranges ?? []) {
      if (r.type === 'GIT') continue;
      for (const e of r.events ?? []) if (e.fixed !== undefined) out.add(e.fixed);
    }
  }
  return [...out].sort(cmp);
}

/**
 * The smallest version above `pkg.version` that none of `vulns` affects, among the versions the
 * records name as fixed. Undefined when no such version is known.
 */
export function smallestFix(vulns: OsvVuln[], pkg: PackageQuery): string | undefined {
  const cmp = comparatorFor(pkg.ecosystem);
  const candidates = new Set<string>();
  for (const v of vulns)
    for (const f of fixedVersions(v, pkg)) if (cmp(f, pkg.version) > 0) candidates.add(f);
  for (const c of [...candidates].sort(cmp)) {
    if (!vulns.some((v) => isAffected(v, { ...pkg, version: c }))) return c;
  }
  return undefined;
}
