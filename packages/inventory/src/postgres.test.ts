import { OsvApi } from '@devsecflow/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitor } from './monitor.js';
import { openPostgresStore, redactUrl } from './postgres.js';
import { storeContract } from './test-contract.js';
import { osvRecord, sbomOf } from './test-fixtures.js';
import { findPgBin, type PgServer, startPostgres } from './test-pg.js';
import { fakeOsv, fakeTracker, fetchTracker } from './test-servers.js';

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

// In CI (.ci/run installs Debian's package) the real-server suite must run, never skip silently.
it.runIf(process.env.CI)('has the PostgreSQL server binaries in CI', () => {
  expect(bin, "initdb/postgres not found: .ci/run installs Debian's postgresql package").toBeTypeOf('string');
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

  // A fresh database per test so each starts empty.
  const freshDb = async () => {
    const admin = await import('pg');
    const db = `t${process.pid}_${n++}`;
    const c = new admin.default.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    return server.url.replace(/\/postgres$/, `/${db}`);
  };

  storeContract('PostgreSQL', async () => openPostgresStore(await freshDb()));

  it('runs the monitor loop on PostgreSQL: one issue over two runs, closed after a fixed deploy', async () => {
    const osv = await fakeOsv();
    const tracker = await fakeTracker();
    const store = await openPostgresStore(await freshDb());
    try {
      osv.records.set('GHSA-35jh-r3h4-6jhm', await osvRecord('GHSA-35jh-r3h4-6jhm'));
      const push = (commit: string, time: string, version: string) =>
        store.recordDeployment({
          application: 'pg-app',
          environment: 'prod',
          commit,
          time,
          owners: ['@o'],
          sbom: sbomOf([['npm', 'lodash', version]]),
        });
      await push('c1', '2026-11-01T00:00:00Z', '4.17.20');
      const run = () =>
        monitor({
          store,
          source: new OsvApi({ baseUrl: osv.url, retries: 0 }),
          tracker: fetchTracker(tracker.url),
        });
      expect((await run()).events.map((e) => e.type)).toEqual(['opened']);
      expect((await run()).events).toEqual([]);
      await push('c2', '2026-11-02T00:00:00Z', '4.17.21');
      expect((await run()).events.map((e) => e.type)).toEqual(['closed']);
      expect(tracker.issues.map((i) => i.state)).toEqual(['closed']);
    } finally {
      await store.close();
      await osv.close();
      await tracker.close();
    }
  });

  it('two stores opening the same database concurrently both get the schema', async () => {
    const url = await freshDb();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    expect(await a.latestDeployments()).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});
