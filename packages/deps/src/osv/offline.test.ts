import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { OfflineDb } from './offline.js';

const osvDir = fileURLToPath(new URL('../../test/fixtures/osv/', import.meta.url));

/** An OSV dump layout: <dir>/npm/*.json and <dir>/PyPI/all.zip, from the real records. */
function makeDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dsf-osvdb-'));
  mkdirSync(join(dir, 'npm'));
  mkdirSync(join(dir, 'PyPI'));
  const zip: Record<string, Uint8Array> = {};
  for (const f of readdirSync(osvDir)) {
    const rec = JSON.parse(readFileSync(join(osvDir, f), 'utf8'));
    const eco = rec.affected[0].package.ecosystem;
    if (eco === 'npm') cpSync(join(osvDir, f), join(dir, 'npm', f));
    else zip[f] = new Uint8Array(readFileSync(join(osvDir, f)));
  }
  writeFileSync(join(dir, 'PyPI', 'all.zip'), zipSync(zip));
  return dir;
}

describe('OfflineDb', () => {
  it('reads unzipped JSON and all.zip dumps, builds the index once and reuses it', async () => {
    const dir = makeDb();
    const cold = new OfflineDb({ dir });
    const q = [
      { ecosystem: 'npm', name: 'qs', version: '6.7.0' },
      { ecosystem: 'npm', name: 'lodash', version: '4.17.15' },
      { ecosystem: 'PyPI', name: 'Requests', version: '2.19.1' },
      { ecosystem: 'npm', name: 'left-pad', version: '1.0.0' },
    ];
    const r1 = await cold.query(q);
    expect(r1.errors).toEqual([]);
    expect(r1.vulns.map((v) => v.map((x) => x.id).sort())).toEqual([
      ['GHSA-hrpp-h998-j3pp'],
      ['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw'],
      ['GHSA-x84v-xcm2-53pg', 'PYSEC-2018-28'],
      [],
    ]);
    expect(cold.stats.indexBuilds).toBe(2);

    const warm = new OfflineDb({ dir });
    const r2 = await warm.query(q);
    expect(r2.vulns.map((v) => v.length)).toEqual([1, 2, 2, 0]);
    expect(warm.stats.indexBuilds).toBe(0);
    // only the records of the asked-about packages are parsed on a warm run
    expect(warm.stats.recordsParsed).toBe(5);

    // a changed dump invalidates the index
    writeFileSync(
      join(dir, 'npm', 'zz-new.json'),
      JSON.stringify({
        id: 'GHSA-test-0000-0000',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    );
    const again = new OfflineDb({ dir });
    const r3 = await again.query(q);
    expect(again.stats.indexBuilds).toBe(1);
    expect(r3.vulns[3]!.map((v) => v.id)).toEqual(['GHSA-test-0000-0000']);
  });

  it('reports an ecosystem the dump lacks instead of answering "no vulnerabilities"', async () => {
    const db = new OfflineDb({ dir: makeDb() });
    const r = await db.query([{ ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.1.0' }]);
    expect(r.vulns).toEqual([[]]);
    expect(r.errors[0]!.message).toMatch(/offline db has no Go advisories .*1 Go packages were not checked/);
  });

  it('reports a corrupt zip as an error naming it', async () => {
    const dir = makeDb();
    writeFileSync(join(dir, 'PyPI', 'all.zip'), 'PK\u0003\u0004 this is not a zip');
    const r = await new OfflineDb({ dir }).query([
      { ecosystem: 'PyPI', name: 'requests', version: '2.19.1' },
    ]);
    expect(r.errors[0]!.message).toMatch(/cannot read the PyPI dump: .*all\.zip/);
  });

  it('skips records that are not valid JSON and counts them', async () => {
    const dir = makeDb();
    writeFileSync(join(dir, 'npm', 'broken.json'), '{"id": "GHSA-trun');
    const db = new OfflineDb({ dir });
    const r = await db.query([{ ecosystem: 'npm', name: 'qs', version: '6.7.0' }]);
    expect(r.vulns[0]!.length).toBe(1);
    expect(db.stats.badRecords).toBe(1);
  });
});
