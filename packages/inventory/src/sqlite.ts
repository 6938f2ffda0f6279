import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { InputError } from '@devsecflow/core';
import initSqlJs, { type Database, type SqlJsStatic, type SqlValue } from 'sql.js';
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

/** A file's identity for "did someone else write it since we read it". */
async function stampOf(file: string): Promise<string | undefined> {
  const st = await stat(file).catch(() => undefined);
  return st ? `${st.mtimeMs}:${st.size}:${st.ino}` : undefined;
}

const LOCK_WAIT_MS = 30_000;
const LOCK_STALE_MS = 120_000;

/** An exclusive `<file>.lock` (O_EXCL), so writers on one machine or NFS-less shared disk take turns. */
async function acquireLock(file: string): Promise<() => Promise<void>> {
  const lock = `${file}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      const h = await open(lock, 'wx');
      await h.writeFile(String(process.pid));
      await h.close();
      return () => rm(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const st = await stat(lock).catch(() => undefined);
      // A writer that died mid-write leaves its lock behind; a write takes milliseconds, so an old lock is stale.
      if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new InputError(
          `the inventory is locked by another process (remove ${lock} if no devsecflow is running)`,
          {
            file,
          },
        );
      }
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
}

/**
 * SQLite through sql.js (SQLite compiled to WASM: no native build, nothing downloaded at install).
 * The database is held in memory and written back to the file after every write transaction,
 * atomically (temp file + rename), under a lock file. Before each write and read it reloads the file
 * if another process changed it, so concurrent short-lived writers (a push during a monitor run)
 * never overwrite each other. Many concurrent pipelines on different machines: use PostgreSQL.
 */
class SqliteDriver implements SqlDriver {
  readonly idColumn = 'INTEGER PRIMARY KEY AUTOINCREMENT';
  private queue: Promise<unknown> = Promise.resolve();
  private inTransaction = false;

  constructor(
    private readonly SQL: SqlJsStatic,
    private db: Database,
    private readonly file: string | undefined,
    private stamp: string | undefined,
  ) {}

  get location(): string {
    return this.file ?? ':memory:';
  }

  /** Reloads the database when the file changed since we last read or wrote it. */
  private async refresh(): Promise<void> {
    if (!this.file || this.inTransaction) return;
    const now = await stampOf(this.file);
    if (now === undefined || now === this.stamp) return;
    const data = await readFile(this.file);
    this.db.close();
    this.db = new this.SQL.Database(data);
    this.db.exec('PRAGMA foreign_keys = ON');
    this.stamp = now;
  }

  exec(sql: string): Promise<void> {
    return this.write(async () => {
      this.db.exec(sql);
    });
  }

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    await this.refresh();
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params as SqlValue[]);
      const rows: Row[] = [];
      let columns: string[] | undefined;
      // get() + column names once is several times faster than getAsObject() per row.
      while (stmt.step()) {
        columns ??= stmt.getColumnNames();
        const values = stmt.get();
        const row: Row = {};
        for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
        rows.push(row);
      }
      return rows;
    } finally {
      stmt.free();
    }
  }

  transaction<T>(body: (tx: Pick<SqlDriver, 'all'>) => Promise<T>): Promise<T> {
    return this.write(() => body(this));
  }

  /** Serialised in-process (one sql.js connection) and across processes (the lock file). */
  private write<T>(body: () => Promise<T>): Promise<T> {
    const run = async () => {
      const release = this.file ? await acquireLock(this.file) : async () => undefined;
      try {
        await this.refresh();
        this.db.exec('BEGIN');
        this.inTransaction = true;
        let result: T;
        try {
          result = await body();
          this.db.exec('COMMIT');
        } catch (e) {
          this.db.exec('ROLLBACK');
          throw e;
        } finally {
          this.inTransaction = false;
        }
        try {
          await this.persist();
        } catch (e) {
          // Memory now holds a change the file lacks: forget our stamp so the next access reloads the file.
          this.stamp = undefined;
          throw new InputError(
            `cannot write the inventory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
            {
              file: this.file!,
            },
          );
        }
        return result;
      } finally {
        await release();
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
    this.stamp = await stampOf(this.file);
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
  const stamp = path ? await stampOf(path) : undefined;
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
  return SqlInventoryStore.open(new SqliteDriver(SQL, db, path, stamp));
}
