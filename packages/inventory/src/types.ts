import type { CycloneDxBom } from '@devsecflow/deps';

/** What `devsecflow inventory push` records after a deploy. */
export interface DeploymentInput {
  application: string;
  environment: string;
  commit: string;
  /** ISO 8601 time of the deploy; normalised to UTC `toISOString()` form when stored. */
  time: string;
  /** Who is told about new advisories: `@user`, `@org/team`, e-mail addresses, as the config lists them. */
  owners: string[];
  /** CycloneDX 1.6 JSON, as `@devsecflow/deps`' `toCycloneDx` writes it. */
  sbom: CycloneDxBom | Record<string, unknown>;
}

/** A recorded deployment. */
export interface Deployment extends DeploymentInput {
  id: number;
}

/** One package of a deployed SBOM, as the inventory indexes it. */
export interface InventoryComponent {
  /** OSV ecosystem name (`npm`, `PyPI`, ...), or the purl type when OSV has no ecosystem for it. */
  ecosystem: string;
  name: string;
  version: string;
  purl?: string;
  /**
   * False for workspace links, file/git/tarball packages: listed, never matched against registry
   * advisories (a same-named registry package says nothing about them).
   */
  registry: boolean;
}

/** A component of a deployment, with the deployment it belongs to. */
export interface ComponentHit {
  deployment: Omit<Deployment, 'sbom'>;
  component: InventoryComponent;
}

/** Filter on the stored components; every field given must match. */
export interface ComponentFilter {
  ecosystem?: string;
  /** Compared after the ecosystem's name normalisation (PyPI is case- and separator-insensitive). */
  name?: string;
  version?: string;
  /** Only each application+environment's latest deployment (default true). */
  latestOnly?: boolean;
}

/** What the monitor remembers per application + advisory so owners are told once. */
export interface SeenAdvisory {
  application: string;
  /** The advisory's primary id (aliases of the same flaw are one advisory). */
  advisoryId: string;
  /** Latest `modified` among the advisory's records when owners were last told. */
  modified: string;
  /** Digest of what was affected when owners were last told (environments, packages, versions). */
  detail?: string;
  status: 'open' | 'closed';
  /** The issue the owners were told in, as the tracker returned it. */
  issue?: IssueRef;
  firstSeen: string;
  lastSeen: string;
}

export type { IssueRef } from '@devsecflow/core';

import type { IssueRef } from '@devsecflow/core';

/**
 * Where deployments and monitor state live. Two implementations share one SQL schema and one
 * contract test: SQLite in one file (default) and PostgreSQL (shared by many pipelines).
 */
export interface InventoryStore {
  /** Where the store lives, with any password removed (for messages). */
  readonly location: string;
  recordDeployment(input: DeploymentInput): Promise<Deployment>;
  /**
   * The latest deployment of every application + environment (latest by time, then by id).
   * `sbom: false` leaves the SBOMs out (`sbom` is then `{}`): much faster on big inventories.
   */
  latestDeployments(options?: { sbom?: boolean }): Promise<Deployment[]>;
  /** Components matching the filter, with their deployment (no SBOM). */
  findComponents(filter: ComponentFilter): Promise<ComponentHit[]>;
  /** Monitor state; all of it, or one application's. */
  listSeen(application?: string): Promise<SeenAdvisory[]>;
  /** Inserts or replaces the state of one application + advisory. */
  saveSeen(seen: SeenAdvisory): Promise<void>;
  close(): Promise<void>;
}
