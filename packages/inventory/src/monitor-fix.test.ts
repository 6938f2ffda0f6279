import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmExtractor, toCycloneDx } from '@devsecflow/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MonitorEvent } from './monitor.js';
import { fixTargets } from './monitor-fix.js';
import { openSqliteStore } from './sqlite.js';
import type { InventoryStore } from './types.js';

const LOCK = JSON.stringify({
  name: 'shop',
  lockfileVersion: 3,
  packages: {
    '': { dependencies: { lodash: '^4.17.20' } },
    'node_modules/lodash': { version: '4.17.20' },
  },
});

let checkout: string;
let store: InventoryStore;
beforeEach(async () => {
  checkout = await mkdtemp(join(tmpdir(), 'dsf-monitor-fix-'));
  store = await openSqliteStore();
  // Two applications deployed from lockfiles at different paths; both paths exist in this checkout.
  for (const [application, path] of [
    ['shop', 'package-lock.json'],
    ['admin', 'apps/admin/package-lock.json'],
  ] as const) {
    const result = await npmExtractor.extract({ path, text: LOCK });
    await store.recordDeployment({
      application,
      environment: 'prod',
      commit: 'c0ffee',
      time: '2026-11-01T00:00:00Z',
      owners: [],
      sbom: toCycloneDx([result], { name: application }),
    });
    await mkdir(join(checkout, path, '..'), { recursive: true });
    await writeFile(join(checkout, path), LOCK);
  }
});
afterEach(async () => {
  await store.close();
  await rm(checkout, { recursive: true, force: true });
});

const event = (application: string, type: MonitorEvent['type'] = 'opened'): MonitorEvent => ({
  type,
  application,
  advisory: {
    id: 'GHSA-35jh-r3h4-6jhm',
    aliases: [],
    modified: '2026-11-01T00:00:00Z',
    url: 'https://osv.dev',
  },
  environments: [],
  packages: [
    {
      environment: 'prod',
      commit: 'c0ffee',
      deployedAt: '2026-11-01T00:00:00Z',
      ecosystem: 'npm',
      name: 'lodash',
      version: '4.17.20',
    },
  ],
  owners: [],
});

describe('fixTargets', () => {
  it('finds the lockfiles the deployed SBOMs recorded for the affected packages, in this checkout', async () => {
    expect(await fixTargets(store, [event('shop'), event('admin', 'updated')], checkout)).toEqual([
      {
        dir: '.',
        manifest: 'package-lock.json',
        applications: ['shop'],
        advisories: ['GHSA-35jh-r3h4-6jhm'],
      },
      {
        dir: 'apps/admin',
        manifest: 'apps/admin/package-lock.json',
        applications: ['admin'],
        advisories: ['GHSA-35jh-r3h4-6jhm'],
      },
    ]);
  });

  it('skips closed events, other applications and lockfiles this checkout does not have', async () => {
    expect(await fixTargets(store, [event('shop', 'closed')], checkout)).toEqual([]);
    expect(
      (await fixTargets(store, [event('shop'), event('admin')], checkout, ['admin'])).map((t) => t.dir),
    ).toEqual(['apps/admin']);
    await rm(join(checkout, 'apps'), { recursive: true });
    expect((await fixTargets(store, [event('shop'), event('admin')], checkout)).map((t) => t.dir)).toEqual([
      '.',
    ]);
  });
});
