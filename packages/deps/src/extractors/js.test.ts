import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExtractedPackage, ExtractResult } from '../types.js';
import { extractorFor } from './index.js';

const dir = fileURLToPath(new URL('../../test/fixtures/js/', import.meta.url));

async function extract(fixture: string, as: string, withPackageJson = true): Promise<ExtractResult> {
  const text = await readFile(dir + fixture, 'utf8');
  const ex = extractorFor(as);
  if (!ex) throw new Error(`no extractor for ${as}`);
  return ex.extract({
    path: as,
    text,
    readSibling: async (p) =>
      withPackageJson && p === 'package.json' ? readFile(`${dir}package.json`, 'utf8') : undefined,
  });
}

function find(r: ExtractResult, name: string, version: string): ExtractedPackage {
  const hits = r.packages.filter((p) => p.name === name && p.version === version);
  expect(hits.length, `${name}@${version} in ${r.format}`).toBeGreaterThan(0);
  return hits[0]!;
}

// The same project (test/fixtures/js/package.json) locked by each tool: every format must give the
// same answers about the packages we plant advisories on.
const CASES: [string, string, string][] = [
  ['npm-v1.package-lock.json', 'package-lock.json', 'package-lock.json v1'],
  ['npm-v2.package-lock.json', 'package-lock.json', 'package-lock.json v2'],
  ['npm-v3.package-lock.json', 'package-lock.json', 'package-lock.json v3'],
  ['npm-shrinkwrap.json', 'npm-shrinkwrap.json', 'npm-shrinkwrap.json v3'],
  ['pnpm-v5.pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm-lock.yaml v5.4'],
  ['pnpm-v6.pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm-lock.yaml v6.0'],
  ['pnpm-v9.pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm-lock.yaml v9.0'],
  ['yarn-v1.yarn.lock', 'yarn.lock', 'yarn.lock v1'],
  ['yarn-berry.yarn.lock', 'yarn.lock', 'yarn.lock berry (cache format 10)'],
  ['bun.lock', 'bun.lock', 'bun.lock v2'],
];

describe.each(CASES)('%s', (fixture, as, format) => {
  it('reads direct, transitive, dev, optional and aliased packages with shortest paths', async () => {
    const r = await extract(fixture, as);
    expect(r.format).toBe(format);
    expect(r.manifest).toBe(as);
    // express 4.17.1 resolves to 50-ish packages; every tool agrees on the registry set
    expect(new Set(r.packages.map((p) => `${p.name}@${p.version}`)).size).toBeGreaterThanOrEqual(50);

    const lodash = find(r, 'lodash', '4.17.20');
    expect(lodash).toMatchObject({ direct: true, scope: 'prod', dependencyPath: ['lodash@4.17.20'] });
    // `lodash-old: npm:lodash@4.17.15` is reported under its registry name
    const alias = find(r, 'lodash', '4.17.15');
    expect(alias.direct).toBe(true);
    expect(alias.scope).toBe('prod');

    const qs = find(r, 'qs', '6.7.0');
    expect(qs).toMatchObject({
      direct: false,
      scope: 'prod',
      dependencyPath: ['express@4.17.1', 'qs@6.7.0'],
    });

    expect(find(r, 'minimist', '1.2.5')).toMatchObject({ direct: true, scope: 'dev' });
    expect(find(r, 'debug', '4.3.1')).toMatchObject({ direct: true, scope: 'optional' });
    expect(find(r, 'ms', '2.1.2')).toMatchObject({
      direct: false,
      scope: 'optional',
      dependencyPath: ['debug@4.3.1', 'ms@2.1.2'],
    });
    // debug@2.6.9 is pulled by express (prod): prod wins over any other route
    expect(find(r, 'debug', '2.6.9').scope).toBe('prod');
    expect(qs.line, 'line of the qs entry').toBeGreaterThan(1);
    expect(r.packages.every((p) => p.source === undefined)).toBe(true);
  });
});

describe('workspaces', () => {
  it('npm workspaces: each workspace package deps are direct, links are not packages', async () => {
    const r = await extract('npm-workspaces.package-lock.json', 'package-lock.json', false);
    expect(r.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      'lodash@4.17.20',
      'minimist@1.2.5',
      'qs@6.7.0',
    ]);
    expect(find(r, 'qs', '6.7.0')).toMatchObject({ direct: true, scope: 'prod' });
    expect(find(r, 'minimist', '1.2.5')).toMatchObject({ direct: true, scope: 'dev' });
  });

  it('pnpm v9 workspace with catalog and workspace: link', async () => {
    const r = await extract('pnpm-v9-workspace.pnpm-lock.yaml', 'pnpm-lock.yaml', false);
    expect(r.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      'lodash@4.17.20',
      'minimist@1.2.5',
      'qs@6.7.0',
    ]);
    expect(find(r, 'lodash', '4.17.20')).toMatchObject({ direct: true, scope: 'prod' });
    expect(find(r, 'minimist', '1.2.5')).toMatchObject({ direct: true, scope: 'dev' });
  });

  it('npm v1 without package.json falls back to unrequired top-level entries as roots', async () => {
    const r = await extract('npm-v1.package-lock.json', 'package-lock.json', false);
    expect(find(r, 'express', '4.17.1').direct).toBe(true);
    expect(find(r, 'qs', '6.7.0').dependencyPath).toEqual(['express@4.17.1', 'qs@6.7.0']);
    expect(find(r, 'minimist', '1.2.5').scope).toBe('dev');
  });

  it.each([
    ['pnpm-v5-peers.pnpm-lock.yaml'],
    ['pnpm-v6-peers.pnpm-lock.yaml'],
    ['pnpm-v9-peers.pnpm-lock.yaml'],
  ])('%s: peer-suffixed keys resolve to the package version', async (fixture) => {
    const r = await extract(fixture, 'pnpm-lock.yaml', false);
    expect(find(r, 'react-dom', '18.2.0')).toMatchObject({ direct: true, scope: 'prod' });
    expect(find(r, 'use-sync-external-store', '1.2.0').direct).toBe(true);
    // react-dom depends on scheduler: reached through the peer-suffixed key
    expect(find(r, 'scheduler', '0.23.2').dependencyPath).toEqual(['react-dom@18.2.0', 'scheduler@0.23.2']);
    expect(r.packages.filter((p) => p.name === 'react-dom').length).toBe(1);
  });

  it('yarn Berry workspaces: each workspace package.json gives direct deps and their scope', async () => {
    const base = `${dir}berry-workspace/`;
    const r = await extractorFor('yarn.lock')!.extract({
      path: 'yarn.lock',
      text: await readFile(`${base}yarn.lock`, 'utf8'),
      readSibling: (p) => readFile(base + p, 'utf8').catch(() => undefined),
    });
    expect(r.packages.map((p) => `${p.name}@${p.version} ${p.direct} ${p.scope}`).sort()).toEqual([
      'lodash@4.17.20 true prod',
      'minimist@1.2.5 true dev',
      'qs@6.7.0 true prod',
    ]);
  });
});
