import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, isUserError, type ReportError } from '@devsecflow/core';
import { extractorFor } from './extractors/index.js';
import type { PackageMatch } from './findings.js';
import { isAffected } from './osv/match.js';
import type { AdvisorySource, OsvVuln, PackageQuery } from './osv/types.js';
import type { ExtractedPackage, Extractor, ExtractResult } from './types.js';

/** Reads and extracts one lockfile; user-caused problems come back as a report error naming the file. */
export async function extractFile(
  root: string,
  path: string,
  extractor: Extractor | undefined = extractorFor(path),
): Promise<ExtractResult | ReportError> {
  if (!extractor) return { message: `${path}: not a supported lockfile`, path };
  try {
    const text = await readFile(join(root, path), 'utf8');
    return await extractor.extract({
      path,
      text,
      readSibling: (rel) => readFile(join(root, rel), 'utf8').catch(() => undefined),
    });
  } catch (e) {
    if (isUserError(e)) return { message: e.message, path };
    const code = (e as NodeJS.ErrnoException).code;
    if (code) return { message: `${path}: cannot read (${code})`, path };
    return { message: `${path}: ${describeError(e)}`, path };
  }
}

/** Packages worth asking advisories about: registry packages, deduplicated by ecosystem/name/version. */
export function queriesFor(packages: ExtractedPackage[]): {
  queries: PackageQuery[];
  indexOf: (p: ExtractedPackage) => number;
} {
  const keyOf = (p: { ecosystem: string; name: string; version: string }) =>
    `${p.ecosystem}\0${p.name}\0${p.version}`;
  const map = new Map<string, number>();
  const queries: PackageQuery[] = [];
  for (const p of packages) {
    if (p.source || !p.version) continue;
    const k = keyOf(p);
    if (!map.has(k)) {
      map.set(k, queries.length);
      queries.push({ ecosystem: p.ecosystem, name: p.name, version: p.version });
    }
  }
  return { queries, indexOf: (p) => map.get(keyOf(p)) ?? -1 };
}

/**
 * Looks packages up in an advisory source and keeps the records that really affect each version
 * (the OSV evaluation rules, so offline and online give the same answer).
 */
export async function matchPackages(
  packages: ExtractedPackage[],
  source: AdvisorySource,
  signal?: AbortSignal,
): Promise<{ matches: PackageMatch[]; errors: ReportError[]; queried: number }> {
  const { queries, indexOf } = queriesFor(packages);
  const result = queries.length ? await source.query(queries, signal) : { vulns: [], errors: [] };
  const affected = new Map<number, OsvVuln[]>();
  const matches: PackageMatch[] = [];
  for (const p of packages) {
    const i = indexOf(p);
    if (i < 0) continue;
    let list = affected.get(i);
    if (!list) {
      list = (result.vulns[i] ?? []).filter((v) => isAffected(v, queries[i]!));
      affected.set(i, list);
    }
    if (list.length) matches.push({ pkg: p, vulns: list });
  }
  return {
    matches,
    errors: result.errors.map((e) => ({ message: e.message, ...(e.path ? { path: e.path } : {}) })),
    queried: queries.length,
  };
}
