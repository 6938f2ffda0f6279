import { InputError } from '@devsecflow/core';
import type pg from 'pg';
import { type Row, type SqlDriver, SqlInventoryStore } from './sql-store.js';

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://<invalid url>';
  }
}

/** `?` placeholders -> `$1..$n` (our statements never contain `?` inside string literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PostgresDriver implements SqlDriver {
  readonly idColumn = 'SERIAL PRIMARY KEY';

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  async exec(sql: string): Promise<void> {
    // Serialise DDL across processes: CREATE ... IF NOT EXISTS can still race on PostgreSQL.
    await this.transaction(async (tx) => {
      await tx.all('SELECT pg_advisory_xact_lock(4242001)');
      for (const stmt of sql.split(';').filter((s) => s.trim())) await tx.all(stmt);
    });
  }

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(numbered(sql), params)).rows as Row[];
  }

  async transaction<T>(body: (tx: Pick<SqlDriver, 'all'>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await body({
        all: async (sql, params = []) => (await client.query(numbered(sql), params)).rows as Row[],
      });
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Opens the PostgreSQL inventory at a connection URL (`postgres://user:pass@host:port/db`) and
 * creates the tables when missing. An unreachable server is an InputError naming the (redacted) URL.
 */
export async function openPostgresStore(
  url: string,
  options: { connectTimeoutMs?: number } = {},
): Promise<SqlInventoryStore> {
  const location = redactUrl(url);
  // Loaded on use: SQLite users never load pg, and test runners that pass Node an `import`
  // condition (vitest does) only break pg-pool's CommonJS require when PostgreSQL is really used.
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    await pool.end().catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    throw new InputError(
      `cannot connect to the PostgreSQL inventory at ${location}: ${err.code ?? err.message}`,
    );
  }
  return SqlInventoryStore.open(new PostgresDriver(pool, location));
}
