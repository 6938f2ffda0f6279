// `monitor --fix`: which projects of the current checkout the monitor's new advisories point at.
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { MonitorEvent } from './monitor.js';
import { parsePurl } from './sbom.js';
import type { InventoryStore } from './types.js';

/** Lockfiles `fix` works on (deps records each SBOM component's lockfile as `devsecflow:manifest`). */
const FIXABLE = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock']);

/** A project directory of the checkout to run `fix` in, and why. */
export interface FixTarget {
  /** Relative to the checkout, `/`-separated; `.` for its root. */
  dir: string;
  /** The lockfile, as the deployed SBOM names it. */
  manifest: string;
  applications: string[];
  advisories: string[];
}

type Component = { purl?: unknown; properties?: { name?: unknown; value?: unknown }[]; components?: unknown };

function* walk(list: unknown): Generator<Component> {
  if (!Array.isArray(list)) return;
  for (const c of list as Component[]) {
    if (c && typeof c === 'object') {
      yield c;
      yield* walk(c.components);
    }
  }
}

/**
 * For the npm packages the monitor's open events (not `closed`) name, the lockfiles the latest
 * deployed SBOMs of those applications recorded them in, kept when that lockfile exists in the
 * checkout at `root`: the deployed application is built from this checkout. `applications` limits
 * it to some applications (when one inventory holds several whose lockfile paths coincide).
 */
export async function fixTargets(
  store: InventoryStore,
  events: MonitorEvent[],
  root: string,
  applications?: string[],
): Promise<FixTarget[]> {
  const wanted = new Map<string, { names: Set<string>; advisories: Set<string> }>();
  for (const e of events) {
    if (e.type === 'closed' || (applications && !applications.includes(e.application))) continue;
    const w = wanted.get(e.application) ?? { names: new Set(), advisories: new Set() };
    for (const p of e.packages) if (p.ecosystem === 'npm') w.names.add(p.name);
    w.advisories.add(e.advisory.id);
    wanted.set(e.application, w);
  }
  if (!wanted.size) return [];
  const targets = new Map<string, FixTarget>();
  for (const d of await store.latestDeployments({ sbom: true })) {
    const w = wanted.get(d.application);
    if (!w) continue;
    for (const c of walk((d.sbom as { components?: unknown }).components)) {
      const p = typeof c.purl === 'string' ? parsePurl(c.purl) : undefined;
      if (p?.ecosystem !== 'npm' || !w.names.has(p.name)) continue;
      for (const prop of c.properties ?? []) {
        if (prop.name !== 'devsecflow:manifest' || typeof prop.value !== 'string') continue;
        const manifest = posix.normalize(prop.value);
        if (!FIXABLE.has(posix.basename(manifest)) || manifest.startsWith('..')) continue;
        if (!existsSync(join(root, manifest))) continue;
        const t = targets.get(manifest) ?? {
          dir: posix.dirname(manifest),
          manifest,
          applications: [],
          advisories: [],
        };
        if (!t.applications.includes(d.application)) t.applications.push(d.application);
        t.advisories = [...new Set([...t.advisories, ...w.advisories])].sort();
        targets.set(manifest, t);
      }
    }
  }
  return [...targets.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}
