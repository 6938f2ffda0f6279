import { parse as parseYaml } from 'yaml';
import { type GraphNode, lineIndex, type RootDep, resolveGraph } from '../graph.js';
import type { ExtractedPackage, Extractor, ExtractResult, Scope } from '../types.js';
import { baseName, fail, isRecord } from '../util.js';

type Flavor = 5 | 6 | 9;

function flavorOf(v: unknown, path: string): Flavor {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN;
  if (n >= 5 && n < 6) return 5;
  if (n >= 6 && n < 7) return 6;
  if (n >= 7 && n < 10) return 9; // 7.0 was pnpm 9's pre-release format, same layout as 9.0
  return fail(path, `unsupported pnpm lockfileVersion ${JSON.stringify(v)} (expected 5.x, 6.x or 9.x)`);
}

/** Splits a pnpm package key into name and version, dropping peer suffixes. */
export function parsePnpmKey(key: string, flavor: Flavor): { name: string; version: string } | undefined {
  let k = key.startsWith('/') ? key.slice(1) : key;
  if (flavor === 5) {
    const segs = k.split('/');
    const scoped = segs[0]!.startsWith('@');
    const name = scoped ? `${segs[0]}/${segs[1]}` : segs[0]!;
    const rest = segs[scoped ? 2 : 1];
    if (!name || !rest) return undefined;
    const u = rest.indexOf('_');
    return { name, version: u < 0 ? rest : rest.slice(0, u) };
  }
  const p = k.indexOf('(');
  if (p >= 0) k = k.slice(0, p);
  const at = k.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: k.slice(0, at), version: k.slice(at + 1) };
}

function sourceOf(
  key: string,
  entry: Record<string, unknown> | undefined,
): ExtractedPackage['source'] | undefined {
  if (key.startsWith('file:') || key.includes('@file:')) return 'file';
  const res = entry && isRecord(entry.resolution) ? entry.resolution : undefined;
  if (!res) return undefined;
  if (res.type === 'git' || typeof res.repo === 'string') return 'git';
  if (res.type === 'directory') return 'file';
  if (typeof res.tarball === 'string') {
    // pnpm writes a tarball only for non-registry sources (the registry case has integrity alone)
    return /^file:/.test(res.tarball) ? 'file' : 'tarball';
  }
  return undefined;
}

interface ImporterDeps {
  dir: string;
  deps: [string, string, Scope][];
}

function importerDeps(dir: string, obj: Record<string, unknown>): ImporterDeps {
  const deps: [string, string, Scope][] = [];
  for (const [k, scope] of [
    ['dependencies', 'prod'],
    ['optionalDependencies', 'optional'],
    ['devDependencies', 'dev'],
  ] as [string, Scope][]) {
    const section = obj[k];
    if (!isRecord(section)) continue;
    for (const [name, v] of Object.entries(section)) {
      // v5 importers map name -> version; v6+ name -> { specifier, version }
      const ref =
        typeof v === 'string' ? v : isRecord(v) && typeof v.version === 'string' ? v.version : undefined;
      if (ref !== undefined) deps.push([name, ref, scope]);
    }
  }
  return { dir, deps };
}

/** `pnpm-lock.yaml` v5.x, v6 and v9 (importers/workspaces, peer suffixes, aliases, catalogs). */
export const pnpmExtractor: Extractor = {
  id: 'pnpm',
  ecosystem: 'npm',
  matches: (p) => baseName(p) === 'pnpm-lock.yaml' && !p.includes('node_modules/'),
  extract({ path, text }): ExtractResult {
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 10_000 });
    } catch (e) {
      const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      return fail(
        path,
        `cannot read pnpm lockfile: invalid YAML (${String((e as Error).message).split('\n')[0]})`,
        line,
      );
    }
    if (!isRecord(doc)) return fail(path, 'a pnpm lockfile must be a YAML mapping');
    const flavor = flavorOf(doc.lockfileVersion, path);
    const packages = doc.packages === undefined ? {} : doc.packages;
    if (!isRecord(packages)) return fail(path, '"packages" must be a mapping');
    const snapshots = flavor === 9 ? (doc.snapshots ?? {}) : packages;
    if (!isRecord(snapshots)) return fail(path, '"snapshots" must be a mapping');

    const offsets = new Map<string, number>();
    const re = /\n {2}'?([^\s'#][^\n]*?)'?:(?: \{\})?\n/g;
    for (let m = re.exec(text); m; m = re.exec(text))
      if (!offsets.has(m[1]!)) offsets.set(m[1]!, m.index + 1);
    const toLine = lineIndex(text);

    const nodes: GraphNode[] = [];
    const index = new Map<string, number>();
    for (const [key, entry] of Object.entries(snapshots)) {
      if (entry !== null && !isRecord(entry)) return fail(path, `package "${key}" must be a mapping`);
      const meta = flavor === 9 ? packages[key.replace(/\(.*$/, '')] : entry;
      const m = isRecord(meta) ? meta : undefined;
      const parsed = parsePnpmKey(key, flavor);
      const name = typeof m?.name === 'string' ? m.name : parsed?.name;
      const version = typeof m?.version === 'string' ? m.version : parsed?.version;
      if (!name || !version) continue;
      const node: GraphNode = { name, version };
      const source = sourceOf(key, m);
      if (source) node.source = source;
      const off = offsets.get(flavor === 9 ? key.replace(/\(.*$/, '') : key);
      if (off !== undefined) node.line = toLine(off);
      const e = entry ?? {};
      node.flagScope =
        e.dev === true ? 'dev' : e.optional === true ? 'optional' : e.dev === false ? 'prod' : undefined;
      index.set(key, nodes.length);
      nodes.push(node);
    }

    const resolve = (name: string, ref: string): number | undefined => {
      if (ref.startsWith('link:')) return undefined;
      const candidates: string[] = [];
      if (flavor === 5) candidates.push(ref.startsWith('/') ? ref : `/${name}/${ref}`);
      else if (flavor === 6) candidates.push(ref.startsWith('/') ? ref : `/${name}@${ref}`);
      else {
        const bare = ref.replace(/\(.*$/, '');
        // an alias (`lodash-old: lodash@4.17.15`) refers to the target's key directly
        if (bare.lastIndexOf('@') > 0) candidates.push(ref);
        candidates.push(`${name}@${ref}`);
      }
      candidates.push(ref);
      for (const c of candidates) {
        const hit = index.get(c);
        if (hit !== undefined) return hit;
      }
      return undefined;
    };

    const edges: [number, number][] = [];
    for (const [key, i] of index) {
      const entry = snapshots[key];
      if (!isRecord(entry)) continue;
      for (const k of ['dependencies', 'optionalDependencies']) {
        const section = entry[k];
        if (section === undefined) continue;
        if (!isRecord(section)) return fail(path, `"${key}.${k}" must be a mapping`);
        for (const [dep, ref] of Object.entries(section)) {
          const to = resolve(dep, String(ref));
          if (to !== undefined) edges.push([i, to]);
        }
      }
    }

    const importers: ImporterDeps[] = [];
    if (isRecord(doc.importers)) {
      for (const [dir, obj] of Object.entries(doc.importers)) {
        if (isRecord(obj)) importers.push(importerDeps(dir, obj));
      }
    } else {
      importers.push(importerDeps('.', doc));
    }
    const roots: RootDep[] = [];
    for (const imp of importers) {
      for (const [name, ref, scope] of imp.deps) {
        const to = resolve(name, ref);
        if (to !== undefined) roots.push({ node: to, scope });
      }
    }
    const { packages: out, edges: e } = resolveGraph('npm', path, nodes, edges, roots);
    return {
      manifest: path,
      ecosystem: 'npm',
      format: `pnpm-lock.yaml v${String(doc.lockfileVersion)}`,
      packages: out,
      edges: e,
    };
  },
};
