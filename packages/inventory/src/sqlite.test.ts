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

  it('names a file that is not a SQLite database', async () => {
    const file = join(dir, 'not-a-db.sqlite');
    await writeFile(
      file,
      'hello, this is text and not a database at all, long enough to have a header\n'.repeat(20),
    );
    await expect(openSqliteStore(file)).rejects.toThrow(`${file}: not a SQLite inventory database`);
  });
});
