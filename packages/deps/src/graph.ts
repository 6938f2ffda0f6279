import type { Ecosystem, ExtractedPackage, Scope } from './types.js';

/** A lockfile's packages before direct/scope/path are known. */
export interface GraphNode {
  name: string;
  version: string;
  line?: number;
  source?: ExtractedPackage['source'];
  /** Flags the lockfile itself records (npm `dev`, pnpm `dev: true`), used when no root says otherwise. */
  flagScope?: Scope;
}

export interface RootDep {
  node: number;
  scope: Scope;
}

const SCOPE_ORDER: Scope[] = ['prod', 'optional', 'peer', 'dev', 'unknown'];

/**
 * Computes direct/transitive, scope and the shortest dependency path for every node of a lockfile
 * graph. Scope is the "most production" scope of any root that reaches the node (a package a prod
 * dependency pulls in is prod even if a dev dependency also does). Paths are breadth-first from all
 * direct dependencies, so the first one found is a shortest one; prod roots are tried first on ties.
 */
export function resolveGraph(
  ecosystem: Ecosystem,
  manifest: string,
  nodes: GraphNode[],
  edges: [number, number][],
  roots: RootDep[],
): { packages: ExtractedPackage[]; edges: [number, number][] } {
  const out: number[][] = nodes.map(() => []);
  for (const [a, b] of edges) if (a !== b) out[a]!.push(b);

  const scope: (Scope | undefined)[] = new Array(nodes.length);
  const sortedRoots = [...roots].sort((a, b) => SCOPE_ORDER.indexOf(a.scope) - SCOPE_ORDER.indexOf(b.scope));
  // Scope: flood from roots grouped by scope, most production first; a node keeps the first scope.
  for (const s of SCOPE_ORDER) {
    const queue = sortedRoots.filter((r) => r.scope === s && scope[r.node] === undefined).map((r) => r.node);
    for (const q of queue) scope[q] = s;
    for (let i = 0; i < queue.length; i++) {
      for (const next of out[queue[i]!]!) {
        if (scope[next] === undefined) {
          scope[next] = s;
          queue.push(next);
        }
      }
    }
  }

  // Shortest paths: multi-source BFS from the direct dependencies.
  const parent = new Int32Array(nodes.length).fill(-2); // -2 unvisited, -1 root
  const queue: number[] = [];
  for (const r of sortedRoots) {
    if (parent[r.node] === -2) {
      parent[r.node] = -1;
      queue.push(r.node);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    for (const next of out[n]!) {
      if (parent[next] === -2) {
        parent[next] = n;
        queue.push(next);
      }
    }
  }
  const direct = new Set(roots.map((r) => r.node));
  const label = (i: number) => `${nodes[i]!.name}@${nodes[i]!.version}`;
  const packages: ExtractedPackage[] = nodes.map((n, i) => {
    let dependencyPath: string[] | undefined;
    if (parent[i] !== -2) {
      dependencyPath = [];
      for (let c = i; c !== -1; c = parent[c]!) dependencyPath.push(label(c));
      dependencyPath.reverse();
    }
    const pkg: ExtractedPackage = {
      ecosystem,
      name: n.name,
      version: n.version,
      manifest,
      direct: direct.has(i),
      scope: scope[i] ?? n.flagScope ?? 'unknown',
    };
    if (dependencyPath) pkg.dependencyPath = dependencyPath;
    if (n.line !== undefined) pkg.line = n.line;
    if (n.source) pkg.source = n.source;
    return pkg;
  });
  return { packages, edges };
}

/** 1-based line of the first occurrence of `needle` in `text`, or undefined. */
export function lineOf(text: string, needle: string, from = 0): number | undefined {
  const at = text.indexOf(needle, from);
  if (at < 0) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line lookups for many needles in one pass over the text's line starts. */
export function lineIndex(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
