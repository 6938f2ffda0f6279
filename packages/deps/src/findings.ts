import {
  type FindingDraft,
  type Identifier,
  packageFingerprint,
  type Severity,
  severityRank,
} from '@devsecflow/core';
import { fixedVersions, smallestFix } from './osv/match.js';
import { vulnSeverity } from './osv/severity.js';
import type { OsvVuln } from './osv/types.js';
import { purlFor } from './purl.js';
import type { ExtractedPackage } from './types.js';
import { comparatorFor } from './versions.js';

/** Groups records that describe the same flaw: ids and aliases connected in any direction. */
export function groupByAlias(vulns: OsvVuln[]): OsvVuln[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const v of vulns) {
    add(v.id);
    for (const a of v.aliases ?? []) {
      add(a);
      const ra = find(a);
      const rv = find(v.id);
      if (ra !== rv) parent.set(ra, rv);
    }
  }
  const groups = new Map<string, OsvVuln[]>();
  for (const v of vulns) {
    const r = find(v.id);
    const g = groups.get(r);
    if (g) {
      if (!g.some((x) => x.id === v.id)) g.push(v);
    } else groups.set(r, [v]);
  }
  return [...groups.values()];
}

function idRank(id: string): number {
  if (id.startsWith('GHSA-')) return 0;
  if (id.startsWith('MAL-')) return 1;
  if (id.startsWith('CVE-')) return 3;
  return 2;
}

/** The id a merged finding is known by: a GHSA if any, else another OSV id, else the CVE. */
export function primaryId(ids: string[]): string {
  return [...ids].sort((a, b) => idRank(a) - idRank(b) || a.localeCompare(b))[0]!;
}

function identifierFor(id: string): Identifier {
  if (id.startsWith('GHSA-')) return { type: 'ghsa', value: id, url: `https://github.com/advisories/${id}` };
  if (id.startsWith('CVE-')) return { type: 'cve', value: id, url: `https://nvd.nist.gov/vuln/detail/${id}` };
  return { type: 'osv', value: id, url: `https://osv.dev/vulnerability/${id}` };
}

function label(p: ExtractedPackage): string {
  return `${p.name}@${p.version}`;
}

/** A package with the records that affect it. */
export interface PackageMatch {
  pkg: ExtractedPackage;
  vulns: OsvVuln[];
}

/**
 * One finding per package and flaw: records that alias each other (GHSA, CVE, PYSEC, ...) merge.
 * The fix names the smallest version that clears this flaw and the smallest that clears every
 * known flaw of the package; for transitive packages it names the direct dependency to bump.
 */
export function buildFindings(matches: PackageMatch[]): FindingDraft[] {
  const out: FindingDraft[] = [];
  // one package version often appears at many places of a tree: its advisories' fixes are the same
  const fixCache = new Map<string, string | undefined>();
  const memoFix = (vs: OsvVuln[], q: { ecosystem: string; name: string; version: string }) => {
    const k = `${q.ecosystem}\0${q.name}\0${q.version}\0${vs.map((v) => `${v.id}@${v.modified}`).join(',')}`;
    if (!fixCache.has(k)) fixCache.set(k, smallestFix(vs, q));
    return fixCache.get(k);
  };
  for (const { pkg, vulns } of matches) {
    if (vulns.length === 0) continue;
    const query = { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version };
    const cmp = comparatorFor(pkg.ecosystem);
    const fixAll = memoFix(vulns, query);
    for (const group of groupByAlias(vulns)) {
      const ids = [...new Set(group.flatMap((v) => [v.id, ...(v.aliases ?? [])]))];
      const id = primaryId(ids);
      const primary = group.find((v) => v.id === id) ?? group[0]!;
      let severity: Severity = 'info';
      let best: ReturnType<typeof vulnSeverity> | undefined;
      for (const v of group) {
        const s = vulnSeverity(v);
        if (
          !best ||
          severityRank(s.severity) > severityRank(severity) ||
          (s.cvss && !best.cvss && s.severity === severity)
        ) {
          best = s;
          severity = s.severity;
        }
      }
      const cwes = new Set<string>();
      for (const v of group) {
        const c = v.database_specific?.cwe_ids;
        if (Array.isArray(c)) for (const x of c) if (typeof x === 'string') cwes.add(x);
      }
      const fix = memoFix(group, query);
      const fixes = [
        ...new Set(group.flatMap((v) => fixedVersions(v, query)).filter((f) => cmp(f, pkg.version) > 0)),
      ].sort(cmp);
      const summary = primary.summary ?? group.find((v) => v.summary)?.summary ?? `${id} in ${pkg.name}`;
      const malicious = group.some((v) => v.id.startsWith('MAL-'));
      const directDep =
        pkg.dependencyPath && pkg.dependencyPath.length > 1 ? pkg.dependencyPath[0] : undefined;
      let fixSummary: string;
      if (malicious) {
        fixSummary = `Remove ${pkg.name}: it is a malicious package. Treat any machine that installed it as compromised.`;
      } else if (fix) {
        fixSummary = `Upgrade ${pkg.name} from ${pkg.version} to ${fix}`;
        if (fixAll && fixAll !== fix)
          fixSummary += ` (${fixAll} also fixes the ${vulns.length - group.length} other advisories on ${label(pkg)})`;
        fixSummary += '.';
      } else {
        fixSummary = `No fixed version of ${pkg.name} is known for ${id}.`;
      }
      if (directDep && !malicious) {
        const directName = directDep.slice(0, directDep.lastIndexOf('@'));
        fixSummary += ` ${pkg.name} is a transitive dependency (${pkg.dependencyPath!.join(' > ')}): bump the direct dependency ${directName} to a release that depends on ${pkg.name} ${fix ? `>= ${fix}` : 'with the fix'}, or override ${pkg.name}.`;
      }
      const purl = purlFor(pkg.ecosystem, pkg.name, pkg.version);
      const references = [...new Set(group.flatMap((v) => (v.references ?? []).map((r) => r.url)))].slice(
        0,
        25,
      );
      const draft: FindingDraft = {
        fingerprint: packageFingerprint(id, pkg.ecosystem, pkg.name, pkg.version, pkg.manifest),
        ruleId: id,
        title: summary,
        message: `${label(pkg)} (${pkg.direct ? 'direct' : 'transitive'}, ${pkg.scope}) in ${pkg.manifest} is affected by ${ids.join(', ')}: ${summary}`,
        severity,
        confidence: 'high',
        location: { path: pkg.manifest, startLine: pkg.line ?? 1 },
        package: {
          ecosystem: pkg.ecosystem,
          name: pkg.name,
          version: pkg.version,
          ...(purl ? { purl } : {}),
          direct: pkg.direct,
          scope: pkg.scope,
          ...(pkg.dependencyPath ? { dependencyPath: pkg.dependencyPath } : {}),
          manifest: pkg.manifest,
        },
        identifiers: [
          ...ids.sort((a, b) => idRank(a) - idRank(b) || a.localeCompare(b)).map(identifierFor),
          ...[...cwes].sort().map((c): Identifier => ({ type: 'cwe', value: c })),
        ],
        fix: { summary: fixSummary, ...(fixes.length ? { versions: fixes } : {}) },
        references,
        properties: {
          advisories: group.map((v) => ({ id: v.id, modified: v.modified })),
          severityBasis: best?.basis ?? 'unknown',
          ...(fixAll ? { fixesAllAdvisories: fixAll } : {}),
        },
      };
      if (best?.cvss) draft.cvss = best.cvss;
      out.push(draft);
    }
  }
  return out;
}
