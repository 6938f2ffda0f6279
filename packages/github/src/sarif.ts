import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { hashFileLines } from './line-hash.js';

/*
 * Preparing SARIF for GitHub code scanning: add `primaryLocationLineHash` fingerprints, give every
 * run a category (`runs[].automationDetails.id`), and split or trim to the upload limits.
 */

// biome-ignore lint/suspicious/noExplicitAny: SARIF is read leniently; the schema test checks what we send.
type Json = Record<string, any>;

export interface SarifLimits {
  /** Gzipped size of one upload. */
  maxGzipBytes: number;
  maxRuns: number;
  maxResultsPerRun: number;
}

/** GitHub's documented limits for one upload. */
export const SARIF_LIMITS: SarifLimits = {
  maxGzipBytes: 10 * 1024 * 1024,
  maxRuns: 20,
  maxResultsPerRun: 25_000,
};

/** The directory a `uriBaseId` names in `run.originalUriBaseIds`, when it is a file URL. */
function baseDir(run: Json, uriBaseId: unknown, root: string): string {
  const uri = typeof uriBaseId === 'string' ? run.originalUriBaseIds?.[uriBaseId]?.uri : undefined;
  if (typeof uri === 'string' && uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // fall through to the root
    }
  }
  return root;
}

/**
 * Resolves a result's primary location to a file, the way codeql-action does: relative URIs
 * against their `uriBaseId` (or `root`), and only files under `root`.
 */
function resolveArtifact(run: Json, location: Json | undefined, root: string): string | undefined {
  const artifacts: Json[] = run.artifacts ?? [];
  let loc = location;
  if (loc && typeof loc.uri !== 'string' && typeof loc.index === 'number')
    loc = artifacts[loc.index]?.location;
  if (!loc || typeof loc.uri !== 'string') return undefined;
  let uri: string;
  try {
    uri = decodeURIComponent(loc.uri);
  } catch {
    return undefined;
  }
  if (uri.startsWith('file://')) {
    try {
      uri = fileURLToPath(uri);
    } catch {
      return undefined;
    }
  } else if (uri.includes('://')) return undefined;
  const abs = isAbsolute(uri) ? uri : resolve(baseDir(run, loc.uriBaseId, root), uri);
  if (abs !== root && !abs.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return existsSync(abs) && statSync(abs).isFile() ? abs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds `partialFingerprints.primaryLocationLineHash` to results that have a primary location with
 * a start line in a file under `root` and no such fingerprint yet. `skip` leaves runs out (the
 * secrets stage: a hash of a line that holds a secret is not something to publish).
 */
export async function addLineHashes(
  sarif: Json,
  root: string,
  skip?: (run: Json) => boolean,
): Promise<number> {
  const perFile = new Map<string, { line: number; result: Json }[]>();
  for (const run of sarif.runs ?? []) {
    if (skip?.(run)) continue;
    for (const result of run.results ?? []) {
      if (result.partialFingerprints?.primaryLocationLineHash) continue;
      const phys = result.locations?.[0]?.physicalLocation;
      const line = phys?.region?.startLine;
      if (typeof line !== 'number') continue;
      const file = resolveArtifact(run, phys.artifactLocation, root);
      if (!file) continue;
      const list = perFile.get(file) ?? [];
      list.push({ line, result });
      perFile.set(file, list);
    }
  }
  let added = 0;
  for (const [file, list] of perFile) {
    const hashes = await hashFileLines(file, new Set(list.map((x) => x.line)));
    for (const { line, result } of list) {
      const h = hashes.get(line);
      if (!h) continue;
      result.partialFingerprints = { ...(result.partialFingerprints ?? {}), primaryLocationLineHash: h };
      added++;
    }
  }
  return added;
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'run'
  );
}

/**
 * Gives each run a category. A run that already has `automationDetails.id` keeps it (with its
 * leading `devsecflow` replaced by `rename` when the user chose a category, e.g. one per team);
 * others get `<prefix>/` when alone or `<prefix>-<tool>/` among several. Duplicates get a numeric
 * suffix, since GitHub rejects one upload with two runs of the same tool and category.
 */
export function assignCategories(sarif: Json, prefix: string, rename?: string): void {
  const runs: Json[] = sarif.runs ?? [];
  const seen = new Set<string>();
  for (const run of runs) {
    let id: string | undefined = run.automationDetails?.id;
    if (id && rename && /^devsecflow(\/|$)/.test(id)) id = `${rename}${id.slice('devsecflow'.length)}`;
    if (!id) {
      const tool = String(run.tool?.driver?.name ?? 'tool');
      id = runs.length === 1 ? `${prefix}/` : `${prefix}-${slug(tool)}/`;
    }
    let unique = id;
    for (let n = 2; seen.has(unique); n++) unique = `${id.replace(/\/$/, '')}-${n}/`;
    seen.add(unique);
    run.automationDetails = { ...(run.automationDetails ?? {}), id: unique };
  }
}

const LEVEL_RANK: Record<string, number> = { error: 3, warning: 2, note: 1, none: 0 };

/** Most severe first: security-severity score, then level. */
function resultScore(result: Json, rules: Map<string, Json>): number {
  const rule = rules.get(String(result.ruleId ?? ''));
  const sev = Number.parseFloat(
    result.properties?.['security-severity'] ?? rule?.properties?.['security-severity'],
  );
  const level = result.level ?? rule?.defaultConfiguration?.level ?? 'warning';
  return (Number.isFinite(sev) ? sev : 0) * 10 + (LEVEL_RANK[level] ?? 2);
}

function keepMostSevere(run: Json, max: number): number {
  const results: Json[] = run.results ?? [];
  if (results.length <= max) return 0;
  const rules = new Map<string, Json>((run.tool?.driver?.rules ?? []).map((r: Json) => [String(r.id), r]));
  const order = results.map((r, i) => ({ r, i, s: resultScore(r, rules) }));
  order.sort((a, b) => b.s - a.s || a.i - b.i);
  const kept = new Set(order.slice(0, max).map((x) => x.i));
  run.results = results.filter((_, i) => kept.has(i));
  return results.length - max;
}

export interface SarifPart {
  /** gzip + base64, as the upload endpoint takes it. */
  payload: string;
  gzipBytes: number;
  runs: number;
  results: number;
  categories: string[];
}

export interface SplitResult {
  parts: SarifPart[];
  /** Results dropped to fit the limits (least severe first). */
  dropped: number;
  notes: string[];
}

/**
 * Splits a SARIF log into uploads within the limits: runs beyond `maxRuns` go to further uploads,
 * a run over `maxResultsPerRun` keeps its most severe results, and an upload over `maxGzipBytes`
 * is split by runs, then a lone run is trimmed (least severe results first) until it fits.
 */
export function splitSarif(sarif: Json, limits: SarifLimits = SARIF_LIMITS): SplitResult {
  const notes: string[] = [];
  let dropped = 0;
  const { runs = [], ...top } = sarif;
  for (const run of runs as Json[]) {
    const n = keepMostSevere(run, limits.maxResultsPerRun);
    if (n > 0) {
      dropped += n;
      notes.push(
        `run ${run.automationDetails?.id ?? run.tool?.driver?.name}: kept the ${limits.maxResultsPerRun} most severe results, left out ${n}`,
      );
    }
  }
  const encode = (group: Json[]): SarifPart => {
    const gz = gzipSync(Buffer.from(JSON.stringify({ ...top, runs: group }), 'utf8'));
    return {
      payload: gz.toString('base64'),
      gzipBytes: gz.length,
      runs: group.length,
      results: group.reduce((a, r) => a + (r.results?.length ?? 0), 0),
      categories: group.map((r) => String(r.automationDetails?.id ?? '')),
    };
  };
  const parts: SarifPart[] = [];
  const place = (group: Json[]): void => {
    if (group.length === 0) return;
    const part = encode(group);
    if (part.gzipBytes <= limits.maxGzipBytes) {
      parts.push(part);
      return;
    }
    if (group.length > 1) {
      const mid = Math.ceil(group.length / 2);
      place(group.slice(0, mid));
      place(group.slice(mid));
      return;
    }
    const run = group[0]!;
    const before = run.results?.length ?? 0;
    if (before === 0) {
      notes.push(`run ${run.automationDetails?.id}: too large to upload even without results; skipped`);
      return;
    }
    keepMostSevere(run, Math.floor(before / 2));
    dropped += before - run.results.length;
    const note = `run ${run.automationDetails?.id}: trimmed (least severe results first) to fit the ${limits.maxGzipBytes}-byte gzip limit`;
    if (!notes.includes(note)) notes.push(note);
    place([run]);
  };
  for (let i = 0; i < runs.length; i += limits.maxRuns) place(runs.slice(i, i + limits.maxRuns));
  if (parts.length > 1) notes.push(`split into ${parts.length} uploads`);
  return { parts, dropped, notes };
}

/** Directory a report's SARIF results are relative to: the workspace when the file says nothing. */
export function sarifRoot(workspace: string | undefined, fallback: string): string {
  return resolve(workspace ?? fallback);
}
