import { type GraphNode, lineIndex, type RootDep, resolveGraph } from '../graph.js';
import type { ExtractedPackage, Extractor, ExtractResult, Scope } from '../types.js';
import { baseName, fail, isRecord, parseJsoncStrict, stringMap } from '../util.js';

function bunSource(spec: string): ExtractedPackage['source'] | 'workspace' | undefined {
  if (spec.startsWith('workspace:')) return 'workspace';
  if (spec.startsWith('link:')) return 'link';
  if (spec.startsWith('file:')) return 'file';
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(spec)) return 'git';
  if (/^https?:/.test(spec)) return 'tarball';
  return undefined;
}

/** The key of the package that owns a nested key (`express/debug` -> `express`). */
function parentKey(key: string): string {
  const segs = key.split('/');
  const cut = segs.length >= 2 && segs[segs.length - 2]!.startsWith('@') ? 2 : 1;
  return segs.slice(0, -cut).join('/');
}

/** Bun's text lockfile `bun.lock` (JSONC with trailing commas). */
export const bunExtractor: Extractor = {
  id: 'bun',
  ecosystem: 'npm',
  matches: (p) => baseName(p) === 'bun.lock' && !p.includes('node_modules/'),
  extract({ path, text }): ExtractResult {
    const doc = parseJsoncStrict(text, path, 'bun.lock');
    if (!isRecord(doc)) return fail(path, 'bun.lock must be an object');
    const v = doc.lockfileVersion;
    if (v !== 0 && v !== 1 && v !== 2)
      return fail(path, `unsupported bun.lock lockfileVersion ${JSON.stringify(v)} (expected 0, 1 or 2)`);
    if (!isRecord(doc.packages)) return fail(path, 'bun.lock needs a "packages" object');
    if (!isRecord(doc.workspaces)) return fail(path, 'bun.lock needs a "workspaces" object');
    const toLine = lineIndex(text);
    const offsets = new Map<string, number>();
    const re = /\n {4}"([^"\n]+)": \[/g;
    for (let m = re.exec(text); m; m = re.exec(text)) offsets.set(m[1]!, m.index + 1);

    const nodes: GraphNode[] = [];
    const index = new Map<string, number>();
    const metas: [number, string, Record<string, unknown>][] = [];
    for (const [key, arr] of Object.entries(doc.packages)) {
      if (!Array.isArray(arr) || typeof arr[0] !== 'string') {
        return fail(
          path,
          `package "${key}" must be an array starting with "name@version"`,
          offsets.has(key) ? toLine(offsets.get(key)!) : undefined,
        );
      }
      const ident = arr[0];
      const at = ident.indexOf('@', 1);
      if (at < 0) continue;
      const name = ident.slice(0, at);
      const spec = ident.slice(at + 1);
      const source = bunSource(spec);
      if (source === 'workspace') continue;
      const node: GraphNode = { name, version: source ? spec : spec };
      if (source) node.source = source;
      const off = offsets.get(key);
      if (off !== undefined) node.line = toLine(off);
      index.set(key, nodes.length);
      const meta = arr.find((x, i) => i > 0 && isRecord(x)) as Record<string, unknown> | undefined;
      if (meta) metas.push([nodes.length, key, meta]);
      nodes.push(node);
    }
    const resolve = (from: string, dep: string): number | undefined => {
      for (let p = from; ; p = parentKey(p)) {
        const hit = index.get(p ? `${p}/${dep}` : dep);
        if (hit !== undefined) return hit;
        if (!p) return undefined;
      }
    };
    const edges: [number, number][] = [];
    for (const [i, key, meta] of metas) {
      for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
        for (const dep of Object.keys(stringMap(meta[k], path, `${key}.${k}`))) {
          const to = resolve(key, dep);
          if (to !== undefined) edges.push([i, to]);
        }
      }
    }
    const roots: RootDep[] = [];
    for (const [dir, ws] of Object.entries(doc.workspaces)) {
      if (!isRecord(ws)) continue;
      const wsName = typeof ws.name === 'string' && dir !== '' ? ws.name : '';
      for (const [k, scope] of [
        ['dependencies', 'prod'],
        ['optionalDependencies', 'optional'],
        ['peerDependencies', 'peer'],
        ['devDependencies', 'dev'],
      ] as [string, Scope][]) {
        for (const dep of Object.keys(stringMap(ws[k], path, `workspaces.${dir}.${k}`))) {
          const to = resolve(wsName, dep);
          if (to !== undefined) roots.push({ node: to, scope });
        }
      }
    }
    const { packages, edges: e } = resolveGraph('npm', path, nodes, edges, roots);
    return { manifest: path, ecosystem: 'npm', format: `bun.lock v${v}`, packages, edges: e };
  },
};
