import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineDb } from '@devsecflow/deps';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatQueryJson,
  formatQueryTable,
  inVersionRange,
  parseVersionRange,
  queryInventory,
} from './query.js';
import { openSqliteStore } from './sqlite.js';
import { FIXTURES, realSbom, sbomOf } from './test-fixtures.js';
import type { InventoryStore } from './types.js';

let store: InventoryStore;
let dbDir: string;
beforeAll(async () => {
  store = await openSqliteStore();
  await store.recordDeployment({
    application: 'app-a',
    environment: 'prod',
    commit: '1111111111111111',
    time: '2026-11-01T00:00:00Z',
    owners: ['@org/a'],
    sbom: await realSbom(),
  });
  await store.recordDeployment({
    application: 'app-b',
    environment: 'staging',
    commit: '2222222222222222',
    time: '2026-11-01T00:00:00Z',
    owners: ['@org/b', 'b@example.com'],
    sbom: sbomOf([
      ['npm', 'lodash', '4.17.21'],
      ['PyPI', 'requests', '2.19.0'],
    ]),
  });
  // An offline OSV dump in its unzipped form: <dir>/npm/<id>.json.
  dbDir = await mkdtemp(join(tmpdir(), 'dsf-inventory-osv-'));
  await cp(join(FIXTURES, 'osv'), join(dbDir, 'npm'), { recursive: true });
});
afterAll(async () => {
  await store.close();
  await rm(dbDir, { recursive: true, force: true });
});

describe('version ranges', () => {
  it('parses comparators with and without spaces, commas and bare versions', () => {
    expect(parseVersionRange('>=1.0.0 <2, != 1.5.0')).toEqual([
      { op: '>=', version: '1.0.0' },
      { op: '<', version: '2' },
      { op: '!=', version: '1.5.0' },
    ]);
    expect(parseVersionRange('1.2.3')).toEqual([{ op: '=', version: '1.2.3' }]);
    expect(() => parseVersionRange('>=1 <<2')).toThrow('version range ">=1 <<2": cannot read "<<2"');
    expect(() => parseVersionRange('  ')).toThrow(/is empty/);
  });

  it('orders per ecosystem', () => {
    // SemVer: 4.17.9 < 4.17.20 (not string order). PEP 440: 2.0rc1 < 2.0.
    expect(inVersionRange('npm', '4.17.20', parseVersionRange('>4.17.9 <4.17.21'))).toBe(true);
    expect(inVersionRange('PyPI', '2.0rc1', parseVersionRange('<2.0'))).toBe(true);
    expect(inVersionRange('PyPI', '2.0', parseVersionRange('<2.0'))).toBe(false);
  });
});

describe('queryInventory', () => {
  it('answers by name: which applications and environments run it, with the version', async () => {
    const r = await queryInventory(store, { name: 'lodash' });
    // app-a also runs lodash 4.17.15 under the npm alias `lodash-old`.
    expect(r.hits.map((h) => `${h.application}/${h.environment} ${h.version}`)).toEqual([
      'app-a/prod 4.17.15',
      'app-a/prod 4.17.20',
      'app-b/staging 4.17.21',
    ]);
  });

  it('answers by purl, with and without a version', async () => {
    expect(
      (await queryInventory(store, { purl: 'pkg:npm/lodash@4.17.21' })).hits.map((h) => h.application),
    ).toEqual(['app-b']);
    expect((await queryInventory(store, { purl: 'pkg:pypi/Requests' })).hits.map((h) => h.version)).toEqual([
      '2.19.0',
    ]);
    await expect(queryInventory(store, { purl: 'lodash' })).rejects.toThrow('"lodash" is not a package URL');
  });

  it('answers by version range', async () => {
    const r = await queryInventory(store, { name: 'lodash', ecosystem: 'npm', versionRange: '<4.17.21' });
    expect(r.hits.map((h) => `${h.application} ${h.version}`)).toEqual(['app-a 4.17.15', 'app-a 4.17.20']);
    // SemVer order, not string order: 6.7.0 < 6.10.0.
    const six = await queryInventory(store, { ecosystem: 'npm', versionRange: '>=6.0.0 <6.10.0' });
    expect(six.hits.map((h) => `${h.name}@${h.version}`)).toEqual(['qs@6.7.0']);
  });

  it('answers by advisory id or alias against an offline OSV dump', async () => {
    const source = new OfflineDb({ dir: dbDir });
    const byGhsa = await queryInventory(store, { advisoryId: 'GHSA-35jh-r3h4-6jhm' }, { source });
    // app-a runs lodash 4.17.20 and the alias lodash-old (= lodash 4.17.15); app-b's 4.17.21 is fixed.
    expect(byGhsa.hits.map((h) => `${h.application} ${h.name}@${h.version} ${h.advisories}`)).toEqual([
      'app-a lodash@4.17.15 GHSA-35jh-r3h4-6jhm',
      'app-a lodash@4.17.20 GHSA-35jh-r3h4-6jhm',
    ]);
    const byCve = await queryInventory(store, { advisoryId: 'cve-2021-44906' }, { source });
    expect(byCve.hits.map((h) => `${h.name}@${h.version}`)).toEqual(['minimist@1.2.5']);
    // The dump has no PyPI data: app-b's requests could not be checked, and the answer says so.
    expect(byCve.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/no PyPI advisories.*1 PyPI packages were not checked/),
    ]);
    const npmOnly = await queryInventory(
      store,
      { ecosystem: 'npm', advisoryId: 'CVE-2021-44906' },
      { source },
    );
    expect(npmOnly.errors).toEqual([]);
    await expect(queryInventory(store, { advisoryId: 'CVE-2021-44906' })).rejects.toThrow(
      /needs an advisory source/,
    );
  });

  it('refuses an empty query', async () => {
    await expect(queryInventory(store, {})).rejects.toThrow(/give a purl, a name/);
  });

  it('formats a table and JSON', async () => {
    const r = await queryInventory(store, { name: 'lodash', versionRange: '>=4.17.21' });
    expect(formatQueryTable(r)).toBe(
      [
        'APPLICATION  ENVIRONMENT  PACKAGE     VERSION  COMMIT        DEPLOYED                  OWNERS',
        'app-b        staging      npm:lodash  4.17.21  222222222222  2026-11-01T00:00:00.000Z  @org/b b@example.com',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(formatQueryJson(r));
    expect(json.results[0]).toMatchObject({
      application: 'app-b',
      purl: 'pkg:npm/lodash@4.17.21',
      owners: ['@org/b', 'b@example.com'],
    });
    expect(json.partial).toBe(false);
    expect(formatQueryTable({ query: {}, hits: [], errors: [{ message: 'OSV down' }] })).toBe(
      'No deployed application matches.\nwarning: incomplete answer: OSV down\n',
    );
  });
});
