import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLocalPlatform,
  createMemoryLogger,
  defaultPolicy,
  type Report,
  runStage,
} from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { depsStage } from './stage.js';

const example = fileURLToPath(new URL('../../../examples/deps/', import.meta.url));

function copyExample(): string {
  const root = mkdtempSync(join(tmpdir(), 'dsf-deps-'));
  // a scan run by hand on examples/deps leaves a (git-ignored) cache behind: not part of the example
  cpSync(example, root, { recursive: true, filter: (src) => !src.includes('.devsecflow-cache') });
  return root;
}

async function run(root: string, options: Record<string, unknown>): Promise<Report> {
  return runStage(depsStage, {
    root,
    policy: defaultPolicy(root),
    platform: createLocalPlatform(root, createMemoryLogger()),
    logger: createMemoryLogger(),
    tool: { name: 'devsecflow', version: '0.0.0-test' },
    options,
  });
}

describe('depsStage on examples/deps (offline)', () => {
  it('finds the planted vulnerable packages with paths and fixes, and reports unpinned requirements', async () => {
    const root = copyExample();
    const report = await run(root, { offlineDb: 'osv-db', sbom: 'out/sbom.json' });
    expect(report.status).toBe('ok');
    const got = report.findings
      .map(
        (f) =>
          `${f.package!.name}@${f.package!.version} ${f.ruleId} ${f.severity} ${f.package!.direct ? 'direct' : 'transitive'} ${f.package!.scope}`,
      )
      .sort();
    expect(got).toEqual([
      'lodash@4.17.15 GHSA-35jh-r3h4-6jhm high direct prod',
      'lodash@4.17.15 GHSA-p6mc-m468-83gw high direct prod',
      'lodash@4.17.20 GHSA-35jh-r3h4-6jhm high direct prod',
      'minimist@1.2.5 GHSA-xvch-5gv4-984h critical direct dev',
      'qs@6.7.0 GHSA-hrpp-h998-j3pp high transitive prod',
      'requests@2.19.1 GHSA-x84v-xcm2-53pg high direct prod',
    ]);
    const qs = report.findings.find((f) => f.package!.name === 'qs')!;
    expect(qs.package!.dependencyPath).toEqual(['express@4.17.1', 'qs@6.7.0']);
    expect(qs.fix!.summary).toContain('bump the direct dependency express');
    expect(qs.location).toEqual({ path: 'package-lock.json', startLine: expect.any(Number) });
    expect(qs.package!.purl).toBe('pkg:npm/qs@6.7.0');
    const requests = report.findings.find((f) => f.package!.name === 'requests')!;
    expect(requests.identifiers.map((i) => i.value)).toContain('PYSEC-2018-28');
    expect(report.errors.map((e) => e.message)).toEqual([
      'requirements.txt:6: flask >=2.0 is not pinned to one version (a range, not a pin); its advisories were not checked',
    ]);
    expect(report.stats).toMatchObject({ lockfiles: 2, unresolved: 1, vulnerablePackages: 5 });
    const sbom = JSON.parse(readFileSync(join(root, 'out/sbom.json'), 'utf8'));
    expect(sbom.specVersion).toBe('1.6');
  });

  it('keeps the offline index in the scan cache, never inside the db directory', async () => {
    const root = copyExample();
    await run(root, { offlineDb: 'osv-db' });
    expect(existsSync(join(root, 'osv-db', '.devsecflow-cache'))).toBe(false);
    expect(existsSync(join(root, '.devsecflow-cache', 'offline-index'))).toBe(true);
  });

  it('is partial, never clean, when the advisory source is missing an ecosystem', async () => {
    const root = copyExample();
    const report = await run(root, { offlineDb: 'no-such-db' });
    expect(report.status).toBe('partial');
    expect(report.findings).toEqual([]);
    expect(report.errors.some((e) => /offline db has no npm advisories/.test(e.message))).toBe(true);
  });

  it('is partial when the OSV API is unreachable', async () => {
    const root = copyExample();
    const report = await run(root, { osvUrl: 'http://127.0.0.1:9', timeoutMs: 500, deadlineMs: 3000 });
    expect(report.status).toBe('partial');
    expect(report.errors.some((e) => /advisory lookup failed/.test(e.message))).toBe(true);
  });

  it('can leave dev dependencies out', async () => {
    const report = await run(copyExample(), { offlineDb: 'osv-db', includeDev: false });
    expect(report.findings.some((f) => f.package!.name === 'minimist')).toBe(false);
  });

  it('rejects unknown options with a config error', async () => {
    await expect(run(copyExample(), { offlineDB: 'x' })).rejects.toThrow(/offlineDB/);
  });
});

describe('malformed lockfiles: a clear error naming the file, a partial report, never a crash', () => {
  const cases: [string, string, RegExp][] = [
    [
      'package-lock.json',
      '{"lockfileVersion": 3, "packages": {"node_modules/a": {"vers',
      /package-lock\.json:1: cannot read npm lockfile: invalid JSON/,
    ],
    [
      'package-lock.json',
      '{"lockfileVersion": 7, "packages": {}}',
      /package-lock\.json: unsupported lockfileVersion 7 \(expected 1, 2 or 3\)/,
    ],
    [
      'package-lock.json',
      '{"lockfileVersion": 3, "packages": []}',
      /package-lock\.json: lockfileVersion 3 needs a "packages" object/,
    ],
    [
      'package-lock.json',
      '{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "dependencies": [1]}}}',
      /"node_modules\/a.dependencies" must be an object/,
    ],
    [
      'pnpm-lock.yaml',
      "lockfileVersion: '4.0'\n",
      /pnpm-lock\.yaml: unsupported pnpm lockfileVersion "4\.0"/,
    ],
    [
      'pnpm-lock.yaml',
      'lockfileVersion: 9.0\npackages: [1, 2\n',
      /pnpm-lock\.yaml(:\d+)?: cannot read pnpm lockfile: invalid YAML/,
    ],
    ['yarn.lock', '# yarn lockfile v1\n\n"a@^1":\n  version "1.0.0"\n  dependencies: [\n', /yarn\.lock/],
    [
      'bun.lock',
      '{"lockfileVersion": 9, "workspaces": {}, "packages": {}}',
      /bun\.lock: unsupported bun\.lock lockfileVersion 9/,
    ],
    [
      'poetry.lock',
      '[[package]]\nname = "a"\nversion = ',
      /poetry\.lock(:\d+)?: cannot read poetry\.lock: invalid TOML/,
    ],
    ['composer.lock', '{"packages": 3}', /composer\.lock: composer\.lock needs a "packages" array/],
    ['pom.xml', '<project><dependencies><dependency>', /pom\.xml/],
    [
      'packages.lock.json',
      '{"version": 3, "dependencies": {}}',
      /unsupported packages\.lock\.json version 3/,
    ],
  ];

  it.each(cases)('%s: %s', async (file, content, expected) => {
    const root = mkdtempSync(join(tmpdir(), 'dsf-bad-'));
    writeFileSync(join(root, file), content);
    const report = await run(root, { offlineDb: join(example, 'osv-db') });
    expect(report.status).toBe('partial');
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(expected);
    expect(report.errors[0]!.path).toBe(file);
  });

  it('a 100 MB lockfile over the size limit is reported, not read', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dsf-big-'));
    writeFileSync(join(root, 'package-lock.json'), Buffer.alloc(100 * 1024 * 1024, 32));
    const report = await run(root, { offlineDb: join(example, 'osv-db'), maxLockfileSize: 50 * 1024 * 1024 });
    expect(report.status).toBe('partial');
    expect(report.errors[0]!.message).toMatch(/package-lock\.json: lockfile not read \(too-large/);
  });

  it('a 100 MB truncated lockfile within the limit gives a parse error naming it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dsf-big-'));
    const head = '{"lockfileVersion": 3, "packages": {"": {}, ';
    const entry =
      '"node_modules/pkg-XXXX": {"version": "1.0.0", "integrity": "sha512-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, ';
    const n = Math.ceil((100 * 1024 * 1024) / entry.length);
    const parts: string[] = [head];
    for (let i = 0; i < n; i++) parts.push(entry.replace('XXXX', String(i)));
    writeFileSync(join(root, 'package-lock.json'), parts.join(''));
    const report = await run(root, { offlineDb: join(example, 'osv-db') });
    expect(report.status).toBe('partial');
    expect(report.errors[0]!.message).toMatch(
      /^package-lock\.json:1: cannot read npm lockfile: invalid JSON/,
    );
  });
});
