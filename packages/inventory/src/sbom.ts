import { InputError } from '@devsecflow/core';
import { normalizePackageName } from '@devsecflow/deps';
import { PackageURL } from 'packageurl-js';
import type { InventoryComponent } from './types.js';

/** purl type -> OSV ecosystem (the inverse of deps' purlFor). */
const ECOSYSTEM_OF_TYPE: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  maven: 'Maven',
  nuget: 'NuGet',
  pub: 'Pub',
  hex: 'Hex',
};

/** Separator between a purl namespace and name in the ecosystem's own package names. */
const NAME_SEPARATOR: Record<string, string> = { Maven: ':' };

/** Ecosystem, registry name and version from a purl; undefined when it is not a valid purl. */
export function parsePurl(purl: string): { ecosystem: string; name: string; version?: string } | undefined {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  const ecosystem = ECOSYSTEM_OF_TYPE[p.type] ?? p.type;
  const sep = NAME_SEPARATOR[ecosystem] ?? '/';
  const name = p.namespace ? `${p.namespace}${sep}${p.name}` : p.name;
  return { ecosystem, name, ...(p.version ? { version: p.version } : {}) };
}

/** The name the store indexes and compares: the ecosystem's normalisation, so PyPI `Foo_Bar` = `foo-bar`. */
export function nameKey(ecosystem: string, name: string): string {
  return normalizePackageName(ecosystem, name);
}

/**
 * The components of a CycloneDX SBOM the inventory indexes: every component with a purl and a
 * version (the root application component is metadata, not a component). Throws InputError when
 * the document is not a CycloneDX JSON BOM.
 */
export function componentsOf(sbom: unknown, where = 'sbom'): InventoryComponent[] {
  if (
    typeof sbom !== 'object' ||
    sbom === null ||
    (sbom as Record<string, unknown>).bomFormat !== 'CycloneDX'
  ) {
    throw new InputError('not a CycloneDX JSON SBOM (expected "bomFormat": "CycloneDX")', { file: where });
  }
  const list = (sbom as Record<string, unknown>).components ?? [];
  if (!Array.isArray(list)) throw new InputError('"components" must be an array', { file: where });
  const out: InventoryComponent[] = [];
  const seen = new Set<string>();
  const visit = (c: unknown, path: string) => {
    if (typeof c !== 'object' || c === null)
      throw new InputError(`${path} must be an object`, { file: where });
    const r = c as Record<string, unknown>;
    if (typeof r.purl === 'string') {
      const p = parsePurl(r.purl);
      if (!p) throw new InputError(`${path}.purl is not a valid package URL: ${r.purl}`, { file: where });
      const version = p.version ?? (typeof r.version === 'string' ? r.version : undefined);
      const props = Array.isArray(r.properties) ? (r.properties as { name?: unknown }[]) : [];
      const registry = !props.some((x) => x?.name === 'devsecflow:source');
      const key = `${r.purl}\0${registry}`;
      if (version && !seen.has(key)) {
        seen.add(key);
        out.push({ ecosystem: p.ecosystem, name: p.name, version, purl: r.purl, registry });
      }
    }
    // CycloneDX nests sub-components (bundled packages) inside a component.
    if (Array.isArray(r.components)) {
      for (const [i, s] of r.components.entries()) visit(s, `${path}.components[${i}]`);
    }
  };
  for (const [i, c] of list.entries()) visit(c, `components[${i}]`);
  return out;
}
