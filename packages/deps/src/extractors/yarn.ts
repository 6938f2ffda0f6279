import { parseSyml } from '@yarnpkg/parsers';
import { type GraphNode, type RootDep, resolveGraph } from '../graph.js';
import type { ExtractedPackage, ExtractInput, Extractor, ExtractResult, Scope } from '../types.js';
import { baseName, dirnameOf, fail, isRecord, joinPath, readPackageJson, stringMap } from '../util.js';
import { parseNpmAlias } from './npm.js';

/** `name@range` -> name and range; scoped names keep their leading @. */
function splitDescriptor(d: string): { name: string; range: string } | undefined {
  const at = d.indexOf('@', 1);
  if (at < 0) return undefined;
  return { name: d.slice(0, at), range: d.slice(at + 1) };
}

/** Key line numbers: yarn writes every entry's descriptors on an unindented line ending in `:`. */
function keyLines(text: string): Map<string, number> {
  const map = new Map<string, number>();
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const c = text.charCodeAt(start);
    if (end > start && c !== 32 && c !== 35 && text.charCodeAt(end - 1) === 58) {
      for (const d of text.slice(start, end - 1).split(',')) {
        const k = d.trim().replace(/^"|"$/g, '');
        if (k && !map.has(k)) map.set(k, line);
      }
    }
    start = end + 1;
  }
  return map;
}

function v1Source(range: string, resolved: unknown): ExtractedPackage['source'] | undefined {
  if (range.startsWith('file:')) return 'file';
  if (range.startsWith('link:')) return 'link';
  const r = typeof resolved === 'string' ? resolved : '';
  if (/^(git\+|git:|github:)/.test(range) || /^git\+|^git:/.test(r)) return 'git';
  if (/^https?:/.test(range)) return /codeload\.github\.com|\.git(#|$)/.test(range) ? 'git' : 'tarball';
  return undefined;
}

function berrySource(resolution: string): ExtractedPackage['source'] | 'workspace' | undefined {
  const d = splitDescriptor(resolution);
  const r = d?.range ?? '';
  if (r.startsWith('npm:') || r.startsWith('patch:')) return undefined;
  if (r.startsWith('workspace:')) return 'workspace';
  if (r.startsWith('link:') || r.startsWith('portal:')) return 'link';
  if (r.startsWith('file:')) return 'file';
  if (/^(git|github:|https?:\/\/github\.com|ssh:)/.test(r) || r.includes('.git#')) return 'git';
  if (/^https?:/.test(r)) return 'tarball';
  return 'other';
}

async function extractYarn(input: ExtractInput): Promise<ExtractResult> {
  const { path, text } = input;
  let doc: Record<string, unknown>;
  try {
    doc = parseSyml(text) as Record<string, unknown>;
  } catch (e) {
    return fail(path, `cannot read yarn.lock: ${String((e as Error).message).split('\n')[0]}`);
  }
  if (!isRecord(doc)) return fail(path, 'cannot read yarn.lock: expected a mapping of entries');
  const berry = isRecord(doc.__metadata);
  if (!berry && !/^# yarn lockfile v1/m.test(text)) {
    if (Object.keys(doc).length === 0)
      return fail(path, 'cannot read yarn.lock: no entries (empty or truncated?)');
  }
  const lines = keyLines(text);
  const nodes: GraphNode[] = [];
  const byDescriptor = new Map<string, number>();
  const workspaceEntries: { dir: string; deps: Record<string, string> }[] = [];
  const entries: [number, Record<string, unknown>][] = [];
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    if (!isRecord(entry))
      return fail(path, `yarn.lock entry "${key}" must be a mapping`, lines.get(key.split(',')[0]!.trim()));
    const descriptors = key.split(',').map((d) => d.trim());
    const first = descriptors[0]!;
    const version = entry.version === undefined ? undefined : String(entry.version);
    if (berry) {
      const resolution = typeof entry.resolution === 'string' ? entry.resolution : first;
      const source = berrySource(resolution);
      if (source === 'workspace') {
        const ws = splitDescriptor(resolution)!.range.slice('workspace:'.length);
        workspaceEntries.push({
          dir: ws,
          deps: {
            ...stringMap(entry.dependencies, path, `${key}.dependencies`),
            ...stringMap(entry.optionalDependencies, path, `${key}.optionalDependencies`),
          },
        });
        continue;
      }
      const name = splitDescriptor(resolution)?.name;
      if (!name || version === undefined) continue;
      const node: GraphNode = { name, version };
      if (source) node.source = source;
      const line = lines.get(first);
      if (line !== undefined) node.line = line;
      for (const d of descriptors) byDescriptor.set(d, nodes.length);
      entries.push([nodes.length, entry]);
      nodes.push(node);
    } else {
      const d = splitDescriptor(first);
      if (!d || version === undefined) continue;
      const alias = parseNpmAlias(d.range);
      const node: GraphNode = { name: alias?.name ?? d.name, version };
      const source = v1Source(d.range, entry.resolved);
      if (source) node.source = source;
      const line = lines.get(first);
      if (line !== undefined) node.line = line;
      for (const desc of descriptors) byDescriptor.set(desc, nodes.length);
      entries.push([nodes.length, entry]);
      nodes.push(node);
    }
  }
  const lookup = (name: string, range: string): number | undefined => {
    const hit = byDescriptor.get(`${name}@${range}`);
    if (hit !== undefined) return hit;
    // berry records `npm:` on descriptors whose package.json range had none
    return berry && !range.includes(':') ? byDescriptor.get(`${name}@npm:${range}`) : undefined;
  };
  const edges: [number, number][] = [];
  const required = new Set<number>();
  for (const [i, entry] of entries) {
    for (const k of ['dependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(stringMap(entry[k], path, k))) {
        const to = lookup(dep, range);
        if (to !== undefined) {
          edges.push([i, to]);
          required.add(to);
        }
      }
    }
  }

  // yarn.lock does not say which deps are dev: the package.json files beside it do.
  const roots: RootDep[] = [];
  const dir = dirnameOf(path);
  const addFromManifest = async (wsDir: string, lockDeps?: Record<string, string>) => {
    const manifest = await readPackageJson(input.readSibling, joinPath(joinPath(dir, wsDir), 'package.json'));
    const sections: [Record<string, string>, Scope][] = manifest
      ? [
          [manifest.prod, 'prod'],
          [manifest.optional, 'optional'],
          [manifest.peer, 'peer'],
          [manifest.dev, 'dev'],
        ]
      : lockDeps
        ? [[lockDeps, 'unknown']]
        : [];
    for (const [deps, scope] of sections) {
      for (const [name, range] of Object.entries(deps)) {
        const lockRange = lockDeps?.[name] ?? range;
        const to = lookup(name, lockRange) ?? lookup(name, range);
        if (to !== undefined) roots.push({ node: to, scope });
      }
    }
    return manifest !== undefined || lockDeps !== undefined;
  };
  if (berry) {
    for (const ws of workspaceEntries) await addFromManifest(ws.dir, ws.deps);
  } else {
    await addFromManifest('.');
  }
  // Entries nothing depends on and no manifest we read names (yarn v1 workspace packages' own deps,
  // whose package.json files we cannot list) are direct dependencies of something: say so.
  const rooted = new Set(roots.map((r) => r.node));
  for (let i = 0; i < nodes.length; i++) {
    if (!required.has(i) && !rooted.has(i)) roots.push({ node: i, scope: 'unknown' });
  }
  const version = berry
    ? `berry (cache format ${String((doc.__metadata as Record<string, unknown>).version)})`
    : 'v1';
  const { packages, edges: e } = resolveGraph('npm', path, nodes, edges, roots);
  return { manifest: path, ecosystem: 'npm', format: `yarn.lock ${version}`, packages, edges: e };
}

/** `yarn.lock` of yarn v1 and Berry (v2-v4), read with @yarnpkg/parsers. */
export const yarnExtractor: Extractor = {
  id: 'yarn',
  ecosystem: 'npm',
  matches: (p) => baseName(p) === 'yarn.lock' && !p.includes('node_modules/'),
  extract: extractYarn,
};
