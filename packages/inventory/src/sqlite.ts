import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { InputError } from '@devsecflow/core';
import initSqlJs, { type Database, type SqlValue } from 'sql.js';
import { type Row, type SqlDriver, SqlInventoryStore } from './sql-store.js';

let engine: ReturnType<typeof initSqlJs> | undefined;

/** Loads the SQLite WASM build once per process, from sql.js's own dist folder. */
function sqlJs(): ReturnType<typeof initSqlJs> {
  if (!engine) {
    const require = createRequire(import.meta.url);
    const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
    engine = initSqlJs({ locateFile: () => wasm });
  }
  return engine;
}

/**
 * SQLite through sql.js (SQLite compiled to WASM: no native build, nothing downloaded at install).
 * The database lives in memory and is written back to the file after every write transaction,
 * atomically (temp file + rename). One writer at a time: pipelines that share a store use PostgreSQL.
 */
class SqliteDriver implements SqlDriver {
  readonly idColumn = 'INTEGER PRIMARY KEY AUTOINCREMENT';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly file: string | undefined,
  ) {}

  get location(): string {
    return this.file ?? ':memory:';
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
    await this.persist();
  }

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params as SqlValue[]);
      const rows: Row[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  }

  /** Serialised: sql.js has one connection, so two overlapping BEGINs would fail. */
  transaction<T>(body: (tx: Pick<SqlDriver, 'all'>) => Promise<T>): Promise<T> {
    const run = async () => {
      this.db.exec('BEGIN');
      try {
        const result = await body(this);
        this.db.exec('COMMIT');
        await this.persist();
        return result;
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async persist(): Promise<void> {
    if (!this.file) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    await writeFile(tmp, this.db.export());
    await rename(tmp, this.file);
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}

/**
 * Opens (or creates) the SQLite inventory in `file`; `undefined` keeps it in memory (tests).
 * A file that is not a SQLite database is an InputError naming it.
 */
export async function openSqliteStore(file?: string): Promise<SqlInventoryStore> {
  const SQL = await sqlJs();
  const path = file === undefined ? undefined : resolve(file);
  let data: Uint8Array | undefined;
  if (path) {
    try {
      data = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new InputError(`cannot read the inventory (${(e as NodeJS.ErrnoException).code})`, {
          file: path,
        });
      }
      await mkdir(dirname(path), { recursive: true });
    }
  }
  const db = new SQL.Database(data);
  try {
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch (e) {
    db.close();
    throw new InputError(`not a SQLite inventory database (${(e as Error).message})`, {
      file: path ?? ':memory:',
    });
  }
  return SqlInventoryStore.open(new SqliteDriver(db, path));
}
