import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineDb } from '@devsecflow/deps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixNpm, formatFixMarkdown } from './fix-npm.js';
import { FIXTURES } from './test-fixtures.js';

// npm in lockfile-only mode still reads package metadata from the registry: these tests run when
// registry.npmjs.org answers (it does on our CI); the planning test below needs no network.
const registryUp = await fetch('https://registry.npmjs.org/lodash', {
  method: 'HEAD',
  // Generous: CI machines reach the npm registry, but two busy cores make a first request slow.
  signal: AbortSignal.timeout(30_000),
}).then(
  (r) => r.ok,
  () => false,
);

let dir: string;
let project: string;
let source: OfflineDb;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dsf-inventory-fix-'));
  project = join(dir, 'project');
  await cp(join(FIXTURES, 'npm-fix'), project, { recursive: true });
  await cp(join(FIXTURES, 'osv'), join(dir, 'osv', 'npm'), { recursive: true });
  source = new OfflineDb({ dir: join(dir, 'osv') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fixNpm', () => {
  it('plans the smallest fixes: direct within its range, transitive within its dependents’ ranges', async () => {
    const r = await fixNpm({ root: project, source, dryRun: true });
    expect(r.steps).toEqual([
      {
        name: 'lodash',
        from: '4.17.20',
        to: '4.17.21',
        advisories: ['GHSA-35jh-r3h4-6jhm'],
        direct: true,
        action: 'install',
        declared: { key: 'lodash', section: 'dependencies', range: '^4.17.20', withinRange: true },
      },
      {
        name: 'minimist',
        from: '1.2.5',
        to: '1.2.6',
        advisories: ['GHSA-xvch-5gv4-984h'],
        direct: false,
        action: 'relock',
      },
    ]);
    expect(formatFixMarkdown(r)).toContain(
      '| lodash | 4.17.20 | 4.17.21 | GHSA-35jh-r3h4-6jhm | direct: `^4.17.20` (fix within the declared range) |',
    );
    const flags = ['--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
    expect(r.commands).toEqual([
      ['install', 'lodash@4.17.21', '--save-prod', ...flags],
      ['install', 'minimist@1.2.6', '--save-prod', ...flags],
      ['uninstall', 'minimist', ...flags],
    ]);
    // A dry run changes nothing.
    expect(await readFile(join(project, 'package-lock.json'), 'utf8')).toBe(
      await readFile(join(FIXTURES, 'npm-fix/package-lock.json'), 'utf8'),
    );
  });

  it('leaves a major upgrade and a fix outside a dependent’s range to a person', async () => {
    // The real record fixes 1.2.6; this variant's only fix is 2.0.0, outside mkdirp's ^1.2.5.
    const rec = JSON.parse(await readFile(join(FIXTURES, 'osv/GHSA-xvch-5gv4-984h.json'), 'utf8'));
    const majorOnly = {
      ...rec,
      affected: [
        {
          package: { ecosystem: 'npm', name: 'minimist' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
        },
      ],
    };
    const src = {
      name: 'test',
      query: async (qs: { name: string }[]) => ({
        vulns: qs.map((q) => (q.name === 'minimist' ? [majorOnly] : [])),
        errors: [],
      }),
    };
    const r = await fixNpm({ root: project, source: src, dryRun: true });
    expect(r.steps).toEqual([
      expect.objectContaining({
        name: 'minimist',
        to: '2.0.0',
        action: 'manual',
        reason: 'the fix is a major upgrade (1.2.5 -> 2.0.0); allow majors to apply it',
      }),
    ]);
    const allowed = await fixNpm({ root: project, source: src, dryRun: true, allowMajor: true });
    expect(allowed.steps[0]).toMatchObject({
      action: 'manual',
      reason: 'held back by mkdirp@0.5.5 requires minimist@^1.2.5: upgrade the dependent',
    });
    expect(allowed.commands).toEqual([]);
    expect(formatFixMarkdown(allowed)).toBe(
      [
        '## Dependency security fixes (npm)',
        '',
        'Re-scan of the new lockfile: no advisory was cleared.',
        '',
        'Still vulnerable:',
        '- minimist@1.2.5: GHSA-xvch-5gv4-984h',
        '',
        'Needs a person:',
        '- minimist@1.2.5 (GHSA-xvch-5gv4-984h): held back by mkdirp@0.5.5 requires minimist@^1.2.5: upgrade the dependent',
        '',
      ].join('\n'),
    );
  });

  it('upgrades an npm: alias through its own entry, not the package of the same name', async () => {
    // examples/deps declares lodash 4.17.20 and `lodash-old: npm:lodash@4.17.15` (a real npm 11 lockfile).
    const examples = join(import.meta.dirname, '..', '..', '..', 'examples', 'deps');
    const aliased = await mkdtemp(join(tmpdir(), 'dsf-inventory-alias-'));
    for (const f of ['package.json', 'package-lock.json']) await cp(join(examples, f), join(aliased, f));
    const db = new OfflineDb({ dir: join(examples, 'osv-db'), cacheDir: join(aliased, '.cache') });
    const r = await fixNpm({ root: aliased, source: db, dryRun: true });
    const old = r.steps.find((s) => s.name === 'lodash' && s.from === '4.17.15');
    expect(old?.declared).toMatchObject({ key: 'lodash-old', range: '4.17.15' });
    expect(r.commands.some((c) => c.includes('lodash-old@npm:lodash@4.17.21'))).toBe(true);
    const current = r.steps.find((s) => s.name === 'lodash' && s.from === '4.17.20');
    expect(current?.declared).toMatchObject({ key: 'lodash', range: '4.17.20' });
    await rm(aliased, { recursive: true, force: true });
  });

  it('names the project when there is no npm lockfile', async () => {
    await rm(join(project, 'package-lock.json'));
    await expect(fixNpm({ root: project, source, dryRun: true })).rejects.toThrow(
      `${project}: no package-lock.json`,
    );
  });

  it.runIf(registryUp)(
    'applies the fixes with npm and proves them by re-scanning',
    async () => {
      const r = await fixNpm({ root: project, source });
      expect(r.errors).toEqual([]);
      expect(r.cleared).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-xvch-5gv4-984h']);
      expect(r.remaining).toEqual([]);
      const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8'));
      expect(lock.packages['node_modules/lodash'].version).toBe('4.17.21');
      expect(lock.packages['node_modules/minimist'].version).toBe('1.2.6');
      const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
      // The direct range tightens to the fix; the transitive package stays out of package.json.
      expect(pkg.dependencies).toEqual({ lodash: '^4.17.21', mkdirp: '0.5.5' });
      expect(formatFixMarkdown(r)).toContain(
        'Re-scan of the new lockfile: cleared GHSA-35jh-r3h4-6jhm, GHSA-xvch-5gv4-984h.',
      );
    },
    120_000,
  );
});
