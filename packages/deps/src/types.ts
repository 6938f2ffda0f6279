import type { PackageRef } from '@devsecflow/core';

/** OSV ecosystem names we read lockfiles for. */
export const ECOSYSTEMS = [
  'npm',
  'PyPI',
  'Go',
  'crates.io',
  'RubyGems',
  'Packagist',
  'Maven',
  'NuGet',
  'Pub',
  'Hex',
] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export type Scope = NonNullable<PackageRef['scope']>;

/** One resolved package as a lockfile records it. */
export interface ExtractedPackage {
  ecosystem: Ecosystem;
  /** The registry name (aliases resolved: `npm:lodash@4` gives `lodash`). */
  name: string;
  version: string;
  /** Manifest path relative to the scan root. */
  manifest: string;
  direct: boolean;
  scope: Scope;
  /** Shortest path from a direct dependency, as name@version entries, ending with this package. */
  dependencyPath?: string[];
  /** 1-based line of the package entry in the manifest, when cheap to know. */
  line?: number;
  /**
   * Set when the package does not come from the ecosystem's registry (workspace link, file, git,
   * tarball URL): such packages are listed in the SBOM but never matched against advisories, since
   * a registry advisory about a same-named package says nothing about them.
   */
  source?: 'link' | 'file' | 'git' | 'tarball' | 'workspace' | 'other';
}

/** A dependency that is declared but not pinned to one version (e.g. `requests>=2` in requirements.txt). */
export interface UnresolvedDependency {
  ecosystem: Ecosystem;
  name: string;
  spec: string;
  manifest: string;
  line?: number;
  reason: string;
}

export interface ExtractResult {
  manifest: string;
  ecosystem: Ecosystem;
  /** Which format (and version) was read, e.g. `package-lock.json v3`. */
  format: string;
  packages: ExtractedPackage[];
  /** Dependency edges between packages, as indexes into `packages`. */
  edges?: [number, number][];
  unresolved?: UnresolvedDependency[];
  /** Caveats the report should carry (e.g. Maven transitive deps not resolved). */
  notes?: string[];
}

/** What an extractor sees: the file's text plus a way to read siblings (package.json next to yarn.lock). */
export interface ExtractInput {
  /** Path relative to the scan root, forward slashes. */
  path: string;
  text: string;
  /** Reads another file relative to the scan root; undefined when it does not exist. */
  readSibling?: (relativePath: string) => Promise<string | undefined>;
}

export interface Extractor {
  id: string;
  ecosystem: Ecosystem;
  /** True when this extractor reads the file at `path` (matched on the file name). */
  matches(path: string): boolean;
  extract(input: ExtractInput): Promise<ExtractResult> | ExtractResult;
}
