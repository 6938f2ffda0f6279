import { InputError } from '@devsecflow/core';
import { componentsOf, nameKey } from './sbom.js';
import type {
  ComponentFilter,
  ComponentHit,
  Deployment,
  DeploymentInput,
  InventoryStore,
  SeenAdvisory,
} from './types.js';

/** A row as the drivers return it: column name -> value. */
export type Row = Record<string, unknown>;

/**
 * The few SQL operations the store needs. Statements use `?` placeholders; the PostgreSQL driver
 * renumbers them to `$n`. `transaction` runs its body atomically (and, for SQLite, persists after).
 */
export interface SqlDriver {
  readonly location: string;
  /** DDL for the driver's dialect: the only place the two schemas differ (the id column). */
  readonly idColumn: string;
  exec(sql: string): Promise<void>;
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  transaction<T>(body: (tx: Pick<SqlDriver, 'all'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const schema = (id: string) => `
CREATE TABLE IF NOT EXISTS deployments (
  id ${id},
  application TEXT NOT NULL,
  environment TEXT NOT NULL,
  commit_sha TEXT NOT NULL,
  time TEXT NOT NULL,
  owners TEXT NOT NULL,
  sbom TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deployments_app_env ON deployments (application, environment, time);
CREATE TABLE IF NOT EXISTS components (
  deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  version TEXT NOT NULL,
  purl TEXT,
  registry INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS components_name ON components (ecosystem, name_key);
CREATE INDEX IF NOT EXISTS components_name_only ON components (name_key);
CREATE TABLE IF NOT EXISTS seen_advisories (
  application TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  modified TEXT NOT NULL,
  detail TEXT,
  status TEXT NOT NULL,
  issue_id TEXT,
  issue_url TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  PRIMARY KEY (application, advisory_id)
);
`;

/**
 * Latest deployment per application + environment (by time, then insertion order). An uncorrelated
 * window-function subquery: computed once, not per component row (SQLite >= 3.25 and PostgreSQL).
 */
const LATEST = `d.id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (
  PARTITION BY application, environment ORDER BY time DESC, id DESC) AS rn FROM deployments) latest WHERE rn = 1)`;

function requireText(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v.trim())
    throw new InputError(`deployment: "${field}" must be a non-empty string`);
  return v;
}

function toDeployment(r: Row, withSbom: boolean): Deployment {
  return {
    id: Number(r.id),
    application: String(r.application),
    environment: String(r.environment),
    commit: String(r.commit_sha),
    time: String(r.time),
    owners: JSON.parse(String(r.owners)) as string[],
    sbom: withSbom ? (JSON.parse(String(r.sbom)) as Record<string, unknown>) : {},
  };
}

/** The InventoryStore over any SqlDriver (SQLite via sql.js, PostgreSQL via pg). */
export class SqlInventoryStore implements InventoryStore {
  private constructor(private readonly db: SqlDriver) {}

  /** Creates the tables when missing. */
  static async open(db: SqlDriver): Promise<SqlInventoryStore> {
    await db.exec(schema(db.idColumn));
    return new SqlInventoryStore(db);
  }

  get location(): string {
    return this.db.location;
  }

  async recordDeployment(input: DeploymentInput): Promise<Deployment> {
    const application = requireText(input.application, 'application');
    const environment = requireText(input.environment, 'environment');
    const commit = requireText(input.commit, 'commit');
    const when = new Date(requireText(input.time, 'time'));
    if (Number.isNaN(when.getTime()))
      throw new InputError(`deployment: "time" is not an ISO 8601 time: ${input.time}`);
    const time = when.toISOString();
    if (!Array.isArray(input.owners) || input.owners.some((o) => typeof o !== 'string')) {
      throw new InputError('deployment: "owners" must be a list of strings');
    }
    const components = componentsOf(input.sbom, `${application}/${environment} SBOM`);
    return this.db.transaction(async (tx) => {
      const [row] = await tx.all(
        'INSERT INTO deployments (application, environment, commit_sha, time, owners, sbom) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
        [application, environment, commit, time, JSON.stringify(input.owners), JSON.stringify(input.sbom)],
      );
      const id = Number(row!.id);
      // One multi-row INSERT per chunk: thousands of components in one statement each would be slow on PG.
      for (let i = 0; i < components.length; i += 200) {
        const chunk = components.slice(i, i + 200);
        // devsecflow-ignore js-sql-injection-query: only constant SQL and ? placeholders are joined; values are bound
        await tx.all(
          `INSERT INTO components (deployment_id, ecosystem, name, name_key, version, purl, registry) VALUES ${chunk
            .map(() => '(?, ?, ?, ?, ?, ?, ?)')
            .join(', ')}`,
          chunk.flatMap((c) => [
            id,
            c.ecosystem,
            c.name,
            nameKey(c.ecosystem, c.name),
            c.version,
            c.purl ?? null,
            c.registry ? 1 : 0,
          ]),
        );
      }
      return { id, application, environment, commit, time, owners: [...input.owners], sbom: input.sbom };
    });
  }

  async latestDeployments(options: { sbom?: boolean } = {}): Promise<Deployment[]> {
    const withSbom = options.sbom !== false;
    // devsecflow-ignore js-sql-injection-query: only constant SQL and ? placeholders are joined; values are bound
    const rows = await this.db.all(
      `SELECT d.id, d.application, d.environment, d.commit_sha, d.time, d.owners${withSbom ? ', d.sbom' : ''}
       FROM deployments d WHERE ${LATEST} ORDER BY d.application, d.environment`,
    );
    return rows.map((r) => toDeployment(r, withSbom));
  }

  async findComponents(filter: ComponentFilter): Promise<ComponentHit[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.latestOnly !== false) where.push(LATEST);
    if (filter.ecosystem !== undefined) {
      where.push('c.ecosystem = ?');
      params.push(filter.ecosystem);
    }
    if (filter.name !== undefined) {
      // Without an ecosystem the PyPI-style normalisation is still the best guess for a free-text name.
      where.push('c.name_key = ?');
      params.push(nameKey(filter.ecosystem ?? 'PyPI', filter.name));
      if (filter.ecosystem === undefined) {
        where[where.length - 1] = '(c.name_key = ? OR c.name = ?)';
        params.push(filter.name);
      }
    }
    if (filter.version !== undefined) {
      where.push('c.version = ?');
      params.push(filter.version);
    }
    // devsecflow-ignore js-sql-injection-query: only constant SQL and ? placeholders are joined; values are bound
    const rows = await this.db.all(
      `SELECT d.id, d.application, d.environment, d.commit_sha, d.time, d.owners,
         c.ecosystem, c.name, c.version, c.purl, c.registry
       FROM components c JOIN deployments d ON d.id = c.deployment_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY d.application, d.environment, d.time, c.ecosystem, c.name, c.version`,
      params,
    );
    // Thousands of rows share a few deployments: build each deployment object once.
    const deployments = new Map<number, Omit<Deployment, 'sbom'>>();
    return rows.map((r) => {
      let deployment = deployments.get(Number(r.id));
      if (!deployment) {
        const { sbom: _sbom, ...d } = toDeployment(r, false);
        deployment = d;
        deployments.set(d.id, d);
      }
      return {
        deployment,
        component: {
          ecosystem: String(r.ecosystem),
          name: String(r.name),
          version: String(r.version),
          ...(r.purl ? { purl: String(r.purl) } : {}),
          registry: Number(r.registry) === 1,
        },
      };
    });
  }

  async listSeen(application?: string): Promise<SeenAdvisory[]> {
    // devsecflow-ignore js-sql-injection-query: only constant SQL and ? placeholders are joined; values are bound
    const rows = await this.db.all(
      `SELECT * FROM seen_advisories ${application === undefined ? '' : 'WHERE application = ?'} ORDER BY application, advisory_id`,
      application === undefined ? [] : [application],
    );
    return rows.map((r) => ({
      application: String(r.application),
      advisoryId: String(r.advisory_id),
      modified: String(r.modified),
      ...(r.detail ? { detail: String(r.detail) } : {}),
      status: r.status === 'closed' ? 'closed' : 'open',
      ...(r.issue_id
        ? { issue: { id: String(r.issue_id), ...(r.issue_url ? { url: String(r.issue_url) } : {}) } }
        : {}),
      firstSeen: String(r.first_seen),
      lastSeen: String(r.last_seen),
    }));
  }

  async saveSeen(s: SeenAdvisory): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.all('DELETE FROM seen_advisories WHERE application = ? AND advisory_id = ?', [
        s.application,
        s.advisoryId,
      ]);
      await tx.all(
        'INSERT INTO seen_advisories (application, advisory_id, modified, detail, status, issue_id, issue_url, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          s.application,
          s.advisoryId,
          s.modified,
          s.detail ?? null,
          s.status,
          s.issue?.id ?? null,
          s.issue?.url ?? null,
          s.firstSeen,
          s.lastSeen,
        ],
      );
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
