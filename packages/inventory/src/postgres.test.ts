import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, redactUrl } from './postgres.js';
import { storeContract } from './test-contract.js';
import { findPgBin, type PgServer, startPostgres } from './test-pg.js';

// Runs whenever Debian's PostgreSQL binaries are installed (apt-get install -y postgresql).
const bin = await findPgBin();

describe('PostgreSQL connection errors', () => {
  it('says which server could not be reached, without its password', async () => {
    await expect(
      openPostgresStore('postgres://u:s3cret@127.0.0.1:1/db', { connectTimeoutMs: 2000 }),
    ).rejects.toThrow(
      'cannot connect to the PostgreSQL inventory at postgres://u:***@127.0.0.1:1/db: ECONNREFUSED',
    );
    expect(redactUrl('postgresql://me:pw@db.example:5432/inv')).toBe(
      'postgresql://me:***@db.example:5432/inv',
    );
  });
});

describe.runIf(bin)('PostgreSQL store (real server)', () => {
  let server: PgServer;
  let n = 0;
  beforeAll(async () => {
    server = await startPostgres(bin!);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  // A fresh database per test so the contract starts empty each time.
  storeContract('PostgreSQL', async () => {
    const admin = await import('pg');
    const db = `t${process.pid}_${n++}`;
    const c = new admin.default.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    return openPostgresStore(server.url.replace(/\/postgres$/, `/${db}`));
  });

  it('two stores opening the same database concurrently both get the schema', async () => {
    const [a, b] = await Promise.all([openPostgresStore(server.url), openPostgresStore(server.url)]);
    expect(await a.latestDeployments()).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});
