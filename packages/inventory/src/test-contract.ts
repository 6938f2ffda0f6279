// The one test suite every InventoryStore implementation must pass.
import { InputError } from '@devsecflow/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sbomOf } from './test-fixtures.js';
import type { InventoryStore } from './types.js';

export function storeContract(name: string, open: () => Promise<InventoryStore>): void {
  describe(`InventoryStore contract: ${name}`, () => {
    let store: InventoryStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const deploy = (
      application: string,
      environment: string,
      time: string,
      pkgs: [string, string][],
      commit = 'abc123',
    ) =>
      store.recordDeployment({
        application,
        environment,
        commit,
        time,
        owners: ['@org/team-a'],
        sbom: sbomOf(pkgs.map(([n, v]) => ['npm', n, v])),
      });

    it('records a deployment and returns it as the latest, SBOM included', async () => {
      const d = await deploy('shop', 'prod', '2026-11-01T10:00:00+01:00', [['lodash', '4.17.20']]);
      expect(d.id).toBeGreaterThan(0);
      expect(d.time).toBe('2026-11-01T09:00:00.000Z');
      const latest = await store.latestDeployments();
      expect(latest).toHaveLength(1);
      expect(latest[0]).toMatchObject({
        application: 'shop',
        environment: 'prod',
        commit: 'abc123',
        owners: ['@org/team-a'],
      });
      expect((latest[0]!.sbom as { components: unknown[] }).components).toHaveLength(1);
      const light = await store.latestDeployments({ sbom: false });
      expect(light[0]).toEqual({ ...latest[0], sbom: {} });
    });

    it('keeps only the latest deployment per application + environment (by time, not insertion order)', async () => {
      await deploy('shop', 'prod', '2026-11-02T00:00:00Z', [['lodash', '4.17.21']], 'new');
      await deploy('shop', 'prod', '2026-11-01T00:00:00Z', [['lodash', '4.17.20']], 'old');
      await deploy('shop', 'staging', '2026-11-01T00:00:00Z', [['lodash', '4.17.20']], 'stg');
      await deploy('blog', 'prod', '2026-11-01T00:00:00Z', [['express', '4.17.1']], 'blog');
      const latest = await store.latestDeployments();
      expect(latest.map((d) => `${d.application}/${d.environment}@${d.commit}`)).toEqual([
        'blog/prod@blog',
        'shop/prod@new',
        'shop/staging@stg',
      ]);
    });

    it('finds components by name, ecosystem and version, latest deployments only unless asked', async () => {
      await deploy(
        'shop',
        'prod',
        '2026-11-01T00:00:00Z',
        [
          ['lodash', '4.17.20'],
          ['express', '4.17.1'],
        ],
        'old',
      );
      await deploy('shop', 'prod', '2026-11-02T00:00:00Z', [['lodash', '4.17.21']], 'new');
      await deploy('blog', 'prod', '2026-11-01T00:00:00Z', [['@babel/core', '7.0.0']], 'blog');
      const lodash = await store.findComponents({ name: 'lodash' });
      expect(lodash.map((h) => `${h.deployment.commit}:${h.component.version}`)).toEqual(['new:4.17.21']);
      const all = await store.findComponents({ name: 'lodash', latestOnly: false });
      expect(all.map((h) => h.component.version).sort()).toEqual(['4.17.20', '4.17.21']);
      expect(await store.findComponents({ name: 'express' })).toEqual([]);
      const scoped = await store.findComponents({ ecosystem: 'npm', name: '@babel/core', version: '7.0.0' });
      expect(scoped).toHaveLength(1);
      expect(scoped[0]!.component).toEqual({
        ecosystem: 'npm',
        name: '@babel/core',
        version: '7.0.0',
        purl: 'pkg:npm/%40babel/core@7.0.0',
        registry: true,
      });
      expect(scoped[0]!.deployment.owners).toEqual(['@org/team-a']);
      expect(await store.findComponents({ ecosystem: 'PyPI', name: 'lodash' })).toEqual([]);
    });

    it('compares PyPI names after normalisation', async () => {
      await store.recordDeployment({
        application: 'api',
        environment: 'prod',
        commit: 'c',
        time: '2026-11-01T00:00:00Z',
        owners: [],
        sbom: sbomOf([['PyPI', 'Django_REST.framework', '3.0.0']]),
      });
      expect(await store.findComponents({ ecosystem: 'PyPI', name: 'django-rest-framework' })).toHaveLength(
        1,
      );
      expect(await store.findComponents({ name: 'django-rest-framework' })).toHaveLength(1);
    });

    it('rejects bad deployments with a clear error and records nothing', async () => {
      await expect(deploy('shop', 'prod', 'yesterday', [['lodash', '1.0.0']])).rejects.toThrow(
        /"time" is not an ISO 8601 time/,
      );
      await expect(
        store.recordDeployment({
          application: 'shop',
          environment: 'prod',
          commit: 'c',
          time: '2026-11-01T00:00:00Z',
          owners: [],
          sbom: { hello: 1 },
        }),
      ).rejects.toBeInstanceOf(InputError);
      await expect(deploy('', 'prod', '2026-11-01T00:00:00Z', [])).rejects.toThrow(
        /"application" must be a non-empty string/,
      );
      expect(await store.latestDeployments()).toEqual([]);
    });

    it('stores monitor state per application + advisory, replacing on save', async () => {
      const base = {
        application: 'shop',
        advisoryId: 'GHSA-35jh-r3h4-6jhm',
        firstSeen: '2026-11-01T00:00:00.000Z',
      };
      await store.saveSeen({
        ...base,
        modified: '2022-01-01T00:00:00Z',
        status: 'open',
        issue: { id: '7', url: 'http://x/7' },
        lastSeen: base.firstSeen,
      });
      await store.saveSeen({
        ...base,
        modified: '2022-02-08T21:35:09Z',
        detail: 'd1',
        status: 'closed',
        issue: { id: '7' },
        lastSeen: '2026-11-03T00:00:00.000Z',
      });
      await store.saveSeen({
        ...base,
        application: 'blog',
        modified: 'm',
        status: 'open',
        lastSeen: base.firstSeen,
      });
      expect(await store.listSeen('shop')).toEqual([
        {
          ...base,
          modified: '2022-02-08T21:35:09Z',
          detail: 'd1',
          status: 'closed',
          issue: { id: '7' },
          lastSeen: '2026-11-03T00:00:00.000Z',
        },
      ]);
      expect((await store.listSeen()).map((s) => s.application)).toEqual(['blog', 'shop']);
    });

    it('indexes thousands of components in one deployment', async () => {
      const pkgs: [string, string][] = Array.from({ length: 2500 }, (_, i) => [`pkg-${i}`, `1.0.${i}`]);
      await deploy('big', 'prod', '2026-11-01T00:00:00Z', pkgs);
      const hit = await store.findComponents({ name: 'pkg-2499' });
      expect(hit.map((h) => h.component.version)).toEqual(['1.0.2499']);
    });
  });
}
