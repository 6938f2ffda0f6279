import { InputError, type ReportError } from '@devsecflow/core';
import { type AdvisorySource, compareVersions } from '@devsecflow/deps';
import { matchComponents } from './match.js';
import { parsePurl } from './sbom.js';
import type { ComponentFilter, InventoryStore } from './types.js';

/** What `devsecflow inventory query` asks; every field given must match. */
export interface InventoryQuery {
  /** A package URL; with a version it matches that version only. */
  purl?: string;
  name?: string;
  ecosystem?: string;
  /**
   * Comparators joined by spaces or commas, e.g. `>=4.0.0 <4.17.21`; `=x` or a bare version is an
   * exact match. Compared with the ecosystem's own ordering (SemVer, PEP 440, Maven, ...).
   */
  versionRange?: string;
  /** An advisory id or alias (GHSA, CVE, OSV ids): deployments whose SBOM it affects. Needs `source`. */
  advisoryId?: string;
  /** Search every recorded deployment, not only each application+environment's latest. */
  history?: boolean;
}

/** One application + environment running a matching package. */
export interface InventoryQueryHit {
  application: string;
  environment: string;
  commit: string;
  time: string;
  owners: string[];
  ecosystem: string;
  name: string;
  version: string;
  purl?: string;
  /** With `advisoryId`: the ids of the matching records (the id asked for may be an alias). */
  advisories?: string[];
}

export interface InventoryQueryResult {
  query: InventoryQuery;
  hits: InventoryQueryHit[];
  /** Advisory lookups that failed: the answer may be incomplete. */
  errors: ReportError[];
}

type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';
interface Comparator {
  op: Op;
  version: string;
}

/** Parses `>=1.2 <2, !=1.5` into comparators; InputError naming the bad token otherwise. */
export function parseVersionRange(range: string): Comparator[] {
  const tokens = range
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  // Accept `>= 1.2` (operator and version split by a space) too.
  const joined: string[] = [];
  for (const t of tokens) {
    const prev = joined[joined.length - 1];
    if (prev !== undefined && /^(<=|>=|<|>|==?|!=)$/.test(prev)) joined[joined.length - 1] = prev + t;
    else joined.push(t);
  }
  if (!joined.length)
    throw new InputError(`version range "${range}" is empty (expected e.g. ">=1.0.0 <1.2.3")`);
  return joined.map((t) => {
    const m = /^(<=|>=|<|>|==?|!=)?([^<>=!\s]+)$/.exec(t);
    if (!m)
      throw new InputError(`version range "${range}": cannot read "${t}" (expected e.g. ">=1.0.0 <1.2.3")`);
    const op = (m[1] === '==' ? '=' : (m[1] ?? '=')) as Op;
    return { op, version: m[2]! };
  });
}

/** True when `version` satisfies every comparator under the ecosystem's ordering. */
export function inVersionRange(ecosystem: string, version: string, range: Comparator[]): boolean {
  return range.every(({ op, version: v }) => {
    const c = compareVersions(ecosystem, version, v);
    switch (op) {
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '=':
        return c === 0;
      // '!='
      default:
        return c !== 0;
    }
  });
}

/**
 * Which applications and environments run a package (by purl, name, ecosystem, version range) or are
 * affected by an advisory (matched against `source` now, so the answer follows current OSV data).
 */
export async function queryInventory(
  store: InventoryStore,
  query: InventoryQuery,
  options: { source?: AdvisorySource; signal?: AbortSignal } = {},
): Promise<InventoryQueryResult> {
  const filter: ComponentFilter = { latestOnly: !query.history };
  if (query.purl !== undefined) {
    const p = parsePurl(query.purl);
    if (!p)
      throw new InputError(`"${query.purl}" is not a package URL (expected e.g. pkg:npm/lodash@4.17.20)`);
    filter.ecosystem = p.ecosystem;
    filter.name = p.name;
    if (p.version) filter.version = p.version;
  }
  if (query.ecosystem !== undefined) {
    if (filter.ecosystem !== undefined && filter.ecosystem !== query.ecosystem) {
      throw new InputError(
        `the purl is a ${filter.ecosystem} package but the ecosystem asked is ${query.ecosystem}`,
      );
    }
    filter.ecosystem = query.ecosystem;
  }
  if (query.name !== undefined) filter.name = query.name;
  const range = query.versionRange === undefined ? undefined : parseVersionRange(query.versionRange);
  if (
    !query.purl &&
    query.name === undefined &&
    query.advisoryId === undefined &&
    query.ecosystem === undefined
  ) {
    throw new InputError('inventory query: give a purl, a name, an ecosystem or an advisory id');
  }
  let hits = await store.findComponents(filter);
  if (range) hits = hits.filter((h) => inVersionRange(h.component.ecosystem, h.component.version, range));
  const advisories = new Map<(typeof hits)[number], string[]>();
  let errors: ReportError[] = [];
  if (query.advisoryId !== undefined) {
    if (!options.source)
      throw new InputError(
        'inventory query by advisory id needs an advisory source (OSV API or --offline-db)',
      );
    const wanted = query.advisoryId.toUpperCase();
    const matched = await matchComponents(hits, options.source, options.signal);
    errors = matched.errors;
    for (const { hit, vulns } of matched.affected) {
      const ids = vulns
        .filter((v) => [v.id, ...(v.aliases ?? [])].some((id) => id.toUpperCase() === wanted))
        .map((v) => v.id);
      if (ids.length) advisories.set(hit, [...new Set(ids)].sort());
    }
    hits = hits.filter((h) => advisories.has(h));
  }
  return {
    query,
    errors,
    hits: hits.map((h) => ({
      application: h.deployment.application,
      environment: h.deployment.environment,
      commit: h.deployment.commit,
      time: h.deployment.time,
      owners: h.deployment.owners,
      ecosystem: h.component.ecosystem,
      name: h.component.name,
      version: h.component.version,
      ...(h.component.purl ? { purl: h.component.purl } : {}),
      ...(advisories.has(h) ? { advisories: advisories.get(h)! } : {}),
    })),
  };
}

/** A plain-text table for terminals: one row per application/environment/package. */
export function formatQueryTable(result: InventoryQueryResult): string {
  const withAdvisories = result.hits.some((h) => h.advisories);
  const header = ['APPLICATION', 'ENVIRONMENT', 'PACKAGE', 'VERSION', 'COMMIT', 'DEPLOYED', 'OWNERS'];
  if (withAdvisories) header.push('ADVISORIES');
  const rows = result.hits.map((h) => {
    const row = [
      h.application,
      h.environment,
      `${h.ecosystem}:${h.name}`,
      h.version,
      h.commit.slice(0, 12),
      h.time,
      h.owners.join(' ') || '-',
    ];
    if (withAdvisories) row.push((h.advisories ?? []).join(' '));
    return row;
  });
  const lines: string[] = [];
  if (!rows.length) lines.push('No deployed application matches.');
  else {
    const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
    for (const r of [header, ...rows])
      lines.push(
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
  }
  for (const e of result.errors) lines.push(`warning: incomplete answer: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON document `inventory query --format json` prints. */
export function formatQueryJson(result: InventoryQueryResult): string {
  return `${JSON.stringify({ query: result.query, results: result.hits, errors: result.errors, partial: result.errors.length > 0 }, null, 2)}\n`;
}
