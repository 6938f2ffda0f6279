import { type GraphNode, lineIndex, type RootDep, resolveGraph } from '../graph.js';
import type { ExtractedPackage, ExtractInput, Extractor, ExtractResult, Scope } from '../types.js';
import {
  baseName,
  dirnameOf,
  fail,
  isRecord,
  joinPath,
  parseJson,
  readPackageJson,
  stringMap,
} from '../util.js';

/** Where a non-registry npm dependency comes from, judged by its version/resolved string. */
export function npmSource(spec: string | undefined): ExtractedPackage['source'] | undefined {
  if (!spec) return undefined;
  if (spec.startsWith('file:')) return 'file';
  if (spec.startsWith('link:')) return 'link';
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(spec) || /^git@/.test(spec)) return 'git';
  return undefined;
}

/** `npm:lodash@4.17.15` -> { name: lodash, version: 4.17.15 }. */
export function parseNpmAlias(spec: string): { name: string; version: string } | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4);
  const at = rest.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: rest.slice(0, at), version: rest.slice(at + 1) };
}

const DEP_KEYS: [string, Scope][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
];

function keyName(key: string): string {
  const i = key.lastIndexOf('node_modules/');
  return i < 0 ? key : key.slice(i + 'node_modules/'.length);
}

/** Index of `"key": {` offsets at the 4-space indent npm writes package entries at. */
function entryOffsets(text: string): Map<string, number> {
  const map = new Map<string, number>();
  const re = /\n {4}"([^"\n]+)": \{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) if (!map.has(m[1]!)) map.set(m[1]!, m.index + 1);
  return map;
}

function extractV2(input: ExtractInput, json: Record<string, unknown>, version: number): ExtractResult {
  const { path, text } = input;
  const pkgs = json.packages;
  if (!isRecord(pkgs)) fail(path, `lockfileVersion ${version} needs a "packages" object`);
  const offsets = entryOffsets(text);
  const toLine = lineIndex(text);
  const nodes: GraphNode[] = [];
  const index = new Map<string, number>(); // lockfile key -> node
  const links = new Map<string, string>(); // node_modules/x -> workspace dir
  const workspaces: string[] = [];
  for (const [key, entry] of Object.entries(pkgs)) {
    if (key === '') continue;
    if (!isRecord(entry)) fail(path, `"packages" entry "${key}" must be an object`);
    if (entry.link === true) {
      if (typeof entry.resolved === 'string') links.set(key, entry.resolved);
      continue;
    }
    if (!key.includes('node_modules/')) {
      workspaces.push(key);
      continue;
    }
    const name = typeof entry.name === 'string' ? entry.name : keyName(key);
    const resolved = typeof entry.resolved === 'string' ? entry.resolved : undefined;
    const ver = typeof entry.version === 'string' ? entry.version : undefined;
    if (ver === undefined && !resolved) continue; // placeholder for an uninstalled optional dep
    const node: GraphNode = { name, version: ver ?? resolved ?? '' };
    const source = npmSource(resolved) ?? npmSource(ver);
    if (source) node.source = source;
    const off = offsets.get(key);
    if (off !== undefined) node.line = toLine(off);
    node.flagScope =
      entry.dev === true ? 'dev' : entry.optional === true ? 'optional' : entry.peer ? 'peer' : 'prod';
    index.set(key, nodes.length);
    nodes.push(node);
  }

  const resolve = (from: string, dep: string): number | undefined => {
    let base = from;
    for (;;) {
      const cand = `${base ? `${base}/` : ''}node_modules/${dep}`;
      const link = links.get(cand);
      if (link !== undefined) return undefined; // a workspace: its own deps are roots already
      const hit = index.get(cand);
      if (hit !== undefined) return hit;
      if (!base) return undefined;
      const i = base.lastIndexOf('/node_modules/');
      base = i >= 0 ? base.slice(0, i) : '';
    }
  };

  const edges: [number, number][] = [];
  for (const [key, i] of index) {
    const entry = pkgs[key] as Record<string, unknown>;
    for (const [k] of DEP_KEYS) {
      for (const dep of Object.keys(stringMap(entry[k], path, `${key}.${k}`))) {
        const to = resolve(key, dep);
        if (to !== undefined) edges.push([i, to]);
      }
    }
  }

  const roots: RootDep[] = [];
  const addRoots = (from: string, entry: Record<string, unknown>) => {
    for (const [k, scope] of [...DEP_KEYS, ['devDependencies', 'dev'] as [string, Scope]]) {
      for (const dep of Object.keys(stringMap(entry[k], path, `${from || 'root'}.${k}`))) {
        const to = resolve(from, dep);
        if (to !== undefined) roots.push({ node: to, scope });
      }
    }
  };
  addRoots('', isRecord(pkgs['']) ? pkgs[''] : {});
  for (const ws of workspaces) addRoots(ws, pkgs[ws] as Record<string, unknown>);

  const { packages, edges: e } = resolveGraph('npm', path, nodes, edges, roots);
  return { manifest: path, ecosystem: 'npm', format: `${baseName(path)} v${version}`, packages, edges: e };
}

async function extractV1(input: ExtractInput, json: Record<string, unknown>): Promise<ExtractResult> {
  const { path, text } = input;
  const deps = json.dependencies;
  if (deps !== undefined && !isRecord(deps)) fail(path, 'lockfileVersion 1 needs a "dependencies" object');
  const offsets = entryOffsets(text);
  const toLine = lineIndex(text);
  const nodes: GraphNode[] = [];
  // Each tree level maps a name to its node; children see their ancestors' levels (node resolution).
  interface Level {
    parent: Level | undefined;
    byName: Map<string, number>;
  }
  const pending: { node: number; level: Level; requires: string[] }[] = [];
  const pendingOf = new Map<number, (typeof pending)[number]>();
  const walk = (obj: Record<string, unknown>, parent: Level | undefined, where: string): Level => {
    const level: Level = { parent, byName: new Map() };
    const children: [Record<string, unknown>, number][] = [];
    for (const [key, entry] of Object.entries(obj)) {
      if (!isRecord(entry)) fail(path, `"dependencies" entry "${where}${key}" must be an object`);
      const raw = typeof entry.version === 'string' ? entry.version : '';
      const alias = parseNpmAlias(raw);
      const node: GraphNode = { name: alias?.name ?? key, version: alias?.version ?? raw };
      const source = npmSource(raw);
      if (source) node.source = source;
      else if (/^https?:/.test(raw)) node.source = 'tarball';
      node.flagScope = entry.dev === true ? 'dev' : entry.optional === true ? 'optional' : 'prod';
      if (!parent) {
        const off = offsets.get(key);
        if (off !== undefined) node.line = toLine(off);
      }
      const i = nodes.length;
      nodes.push(node);
      level.byName.set(key, i);
      const p = { node: i, level, requires: Object.keys(stringMap(entry.requires, path, `${key}.requires`)) };
      pending.push(p);
      pendingOf.set(i, p);
      if (isRecord(entry.dependencies)) children.push([entry.dependencies, i]);
    }
    for (const [child, i] of children) {
      const childLevel = walk(child, level, `${nodes[i]!.name}>`);
      // requires of the owner resolve against its own nested deps first
      const own = pendingOf.get(i);
      if (own) own.level = childLevel;
    }
    return level;
  };
  const top = walk(deps ?? {}, undefined, '');
  const lookup = (level: Level | undefined, name: string): number | undefined => {
    for (let l = level; l; l = l.parent) {
      const hit = l.byName.get(name);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  const edges: [number, number][] = [];
  const required = new Set<number>();
  for (const p of pending) {
    for (const r of p.requires) {
      const to = lookup(p.level, r);
      if (to !== undefined) {
        edges.push([p.node, to]);
        required.add(to);
      }
    }
  }
  // v1 does not record the root's own dependencies: read package.json beside it when present.
  const roots: RootDep[] = [];
  const manifest = await readPackageJson(input.readSibling, joinPath(dirnameOf(path), 'package.json'));
  if (manifest) {
    for (const [deps, scope] of [
      [manifest.prod, 'prod'],
      [manifest.optional, 'optional'],
      [manifest.peer, 'peer'],
      [manifest.dev, 'dev'],
    ] as [Record<string, string>, Scope][]) {
      for (const name of Object.keys(deps)) {
        const to = top.byName.get(name);
        if (to !== undefined) roots.push({ node: to, scope });
      }
    }
  } else {
    for (const [, i] of top.byName) {
      if (!required.has(i)) roots.push({ node: i, scope: nodes[i]!.flagScope ?? 'unknown' });
    }
  }
  const { packages, edges: e } = resolveGraph('npm', path, nodes, edges, roots);
  return { manifest: path, ecosystem: 'npm', format: `${baseName(path)} v1`, packages, edges: e };
}

/** npm `package-lock.json` (v1, v2, v3) and `npm-shrinkwrap.json`. */
export const npmExtractor: Extractor = {
  id: 'npm',
  ecosystem: 'npm',
  matches: (p) => {
    const b = baseName(p);
    // node_modules/.package-lock.json is npm's hidden copy, not a project lockfile
    return (b === 'package-lock.json' || b === 'npm-shrinkwrap.json') && !p.includes('node_modules/');
  },
  async extract(input) {
    const json = parseJson(input.text, input.path, 'npm lockfile');
    if (!isRecord(json)) fail(input.path, 'an npm lockfile must be a JSON object');
    const v = json.lockfileVersion;
    if (v === 1) return extractV1(input, json);
    if (v === 2 || v === 3) return extractV2(input, json, v);
    return fail(input.path, `unsupported lockfileVersion ${JSON.stringify(v)} (expected 1, 2 or 3)`);
  },
};
