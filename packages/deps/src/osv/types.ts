/** The parts of an OSV record (https://ossf.github.io/osv-schema/) the matcher reads. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT' | string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: OsvSeverity[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvVuln {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  database_specific?: Record<string, unknown>;
  schema_version?: string;
}

/** A package to look up: what a query to any advisory source is made of. */
export interface PackageQuery {
  ecosystem: string;
  name: string;
  version: string;
}

/** What an advisory source answered: matching records per query (same order), and what failed. */
export interface SourceResult {
  vulns: OsvVuln[][];
  errors: { message: string; path?: string }[];
}

/** Where advisories come from: the OSV API or an offline dump. */
export interface AdvisorySource {
  readonly name: string;
  query(packages: PackageQuery[], signal?: AbortSignal): Promise<SourceResult>;
}

/** Light structural check that a parsed JSON value is an OSV record we can use. */
export function isOsvVuln(v: unknown): v is OsvVuln {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'string' && (r.affected === undefined || Array.isArray(r.affected));
}
