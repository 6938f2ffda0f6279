import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInventoryStore } from './open.js';
import { openSqliteStore } from './sqlite.js';
import { storeContract } from './test-contract.js';
import { sbomOf } from './test-fixtures.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dsf-inventory-sqlite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

storeContract('SQLite file', () => openInventoryStore(join(dir, `contract-${n++}`, 'inventory.sqlite')));

describe('SQLite store file', () => {
  it('persists across opens', async () => {
    const file = join(dir, 'persist.sqlite');
    const a = await openSqliteStore(file);
    await a.recordDeployment({
      application: 'shop',
      environment: 'prod',
      commit: 'c1',
      time: '2026-11-01T00:00:00Z',
      owners: ['@a'],
      sbom: sbomOf([['npm', 'lodash', '4.17.20']]),
    });
    await a.close();
    const b = await openInventoryStore(`sqlite:${file}`);
    expect((await b.findComponents({ name: 'lodash' })).map((h) => h.deployment.commit)).toEqual(['c1']);
    await b.close();
  });

  it('two writers on one file (a push during a monitor run) keep both writes', async () => {
    const file = join(dir, 'two-writers.sqlite');
    const a = await openSqliteStore(file);
    const b = await openSqliteStore(file);
    const push = (store: typeof a, application: string) =>
      store.recordDeployment({
        application,
        environment: 'prod',
        commit: application,
        time: '2026-11-01T00:00:00Z',
        owners: [],
        sbom: sbomOf([['npm', 'lodash', '4.17.20']]),
      });
    await push(a, 'first');
    // b loaded the file before a's write: without reloading, its write would drop a's deployment.
    await push(b, 'second');
    await b.saveSeen({
      application: 'first',
      advisoryId: 'X',
      modified: 'm',
      status: 'open',
      firstSeen: 't',
      lastSeen: 't',
    });
    expect((await a.latestDeployments()).map((d) => d.application)).toEqual(['first', 'second']);
    await Promise.all([push(a, 'third'), push(b, 'fourth')]);
    await Promise.all([a.close(), b.close()]);
    const c = await openSqliteStore(file);
    expect((await c.latestDeployments()).map((d) => d.application)).toEqual([
      'first',
      'fourth',
      'second',
      'third',
    ]);
    expect(await c.listSeen()).toHaveLength(1);
    await c.close();
  });

  it('waits for the lock file, and says who holds it when it stays', async () => {
    const file = join(dir, 'locked.sqlite');
    const store = await openSqliteStore(file);
    await writeFile(`${file}.lock`, '999999');
    const pending = store.saveSeen({
      application: 'a',
      advisoryId: 'X',
      modified: 'm',
      status: 'open',
      firstSeen: 't',
      lastSeen: 't',
    });
    await new Promise((r) => setTimeout(r, 200));
    await rm(`${file}.lock`);
    await pending;
    expect(await store.listSeen()).toHaveLength(1);
    await store.close();
  });

  it('names a file that is not a SQLite database', async () => {
    const file = join(dir, 'not-a-db.sqlite');
    await writeFile(
      file,
      'hello, this is text and not a database at all, long enough to have a header\n'.repeat(20),
    );
    await expect(openSqliteStore(file)).rejects.toThrow(`${file}: not a SQLite inventory database`);
  });
});
