import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineDb } from '@devsecflow/deps';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixDependencies, fixExitCode, formatFixMarkdown } from './fix.js';
import { detectManager } from './fix-managers.js';
import { FIXTURES } from './test-fixtures.js';
import { type FakeServer, fakeNpmRegistry } from './test-servers.js';

const require = createRequire(import.meta.url);
// The package managers themselves: npm from Node, pnpm from PATH (the monorepo's own), both yarns
// pinned as devDependencies of this package.
const MANAGERS = {
  yarn: [process.execPath, require.resolve('yarn/bin/yarn.js')],
  'yarn-berry': [process.execPath, require.resolve('@yarnpkg/cli-dist/bin/yarn.js')],
};

// Every package manager resolves and fetches from a registry on 127.0.0.1 serving vendored
// packuments and tarballs (test/fixtures/registry): no test needs the network.
let registry: FakeServer & { requests: string[] };
let work: string;
let env: Record<string, string>;
beforeAll(async () => {
  registry = await fakeNpmRegistry(join(FIXTURES, 'registry'));
  work = await mkdtemp(join(tmpdir(), 'dsf-inventory-fix-env-'));
  const home = join(work, 'home');
  await mkdir(home, { recursive: true });
  // Yarn 1 fetches packages already in yarn.lock from their recorded registry.yarnpkg.com URL; an
  // offline mirror (looked up by file name) serves them instead.
  await cp(join(FIXTURES, 'registry', 'tarballs'), join(work, 'mirror'), { recursive: true });
  await writeFile(join(home, '.yarnrc'), `yarn-offline-mirror ${JSON.stringify(join(work, 'mirror'))}\n`);
  env = {
    HOME: home,
    npm_config_registry: `${registry.url}/`,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_store_dir: join(work, 'pnpm-store'),
    npm_config_cache_dir: join(work, 'pnpm-cache'),
    YARN_CACHE_FOLDER: join(work, 'yarn-cache'),
    YARN_NPM_REGISTRY_SERVER: registry.url,
    YARN_UNSAFE_HTTP_WHITELIST: '127.0.0.1',
    YARN_ENABLE_GLOBAL_CACHE: 'false',
    YARN_ENABLE_MIRROR: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    // As in a CI job, where pnpm and Yarn 2+ freeze installs by default.
    CI: 'true',
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'true',
  };
});
afterAll(async () => {
  await registry.close();
  await rm(work, { recursive: true, force: true });
});

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

async function useFixture(name: string) {
  await rm(project, { recursive: true, force: true });
  await cp(join(FIXTURES, name), project, { recursive: true });
}

describe('formatFixMarkdown', () => {
  it('fences failing test output so that backticks in it cannot end the block', () => {
    const md = formatFixMarkdown({
      manager: 'pnpm',
      lockfile: 'pnpm-lock.yaml',
      steps: [],
      commands: [['pnpm', 'install']],
      manifestEdits: [],
      remaining: [],
      cleared: [],
      dryRun: false,
      test: {
        command: ['pnpm', 'test'],
        passed: false,
        exitCode: 2,
        timedOut: false,
        output: 'expected:\n```\nx\n```',
      },
      errors: [],
    });
    expect(md).toContain(
      'Tests failed (exit code 2): `pnpm test`\n\n````text\nexpected:\n```\nx\n```\n````\n',
    );
  });
});

describe('fixDependencies: planning', () => {
  it('plans the smallest fixes: direct within its range, transitive within its dependents’ ranges', async () => {
    const r = await fixDependencies({ root: project, source, dryRun: true });
    expect(r.manager).toBe('npm');
    expect(r.steps).toEqual([
      {
        name: 'lodash',
        from: '4.17.20',
        to: '4.17.21',
        level: 'patch',
        advisories: ['GHSA-35jh-r3h4-6jhm'],
        direct: true,
        action: 'install',
        declared: { key: 'lodash', section: 'dependencies', range: '^4.17.20', withinRange: true },
      },
      {
        name: 'minimist',
        from: '1.2.5',
        to: '1.2.6',
        level: 'patch',
        advisories: ['GHSA-xvch-5gv4-984h'],
        direct: false,
        action: 'relock',
        how: 'transitive: relocked within its dependents’ ranges',
      },
    ]);
    const md = formatFixMarkdown(r);
    expect(md).toContain(
      '| lodash | 4.17.20 | 4.17.21 | GHSA-35jh-r3h4-6jhm | direct: `^4.17.20` (fix within the declared range) |',
    );
    // A dry run says what it would clear; it does not claim the packages stay vulnerable.
    expect(md).toContain('Would clear GHSA-35jh-r3h4-6jhm, GHSA-xvch-5gv4-984h');
    expect(md).not.toMatch(/still vulnerable/i);
    expect(r.cleared).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-xvch-5gv4-984h']);
    expect(r.remaining).toEqual([]);
    const flags = ['--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
    expect(r.commands).toEqual([
      ['npm', 'install', 'lodash@^4.17.21', '--save-prod', ...flags],
      ['npm', 'install', 'minimist@1.2.6', '--save-prod', ...flags],
      ['npm', 'uninstall', 'minimist', ...flags],
    ]);
    // A dry run changes nothing.
    expect(await readFile(join(project, 'package-lock.json'), 'utf8')).toBe(
      await readFile(join(FIXTURES, 'npm-fix/package-lock.json'), 'utf8'),
    );
  });

  it('leaves upgrades above the policy level and fixes outside a dependent’s range to a person', async () => {
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
    const r = await fixDependencies({ root: project, source: src, dryRun: true });
    expect(r.steps).toEqual([
      expect.objectContaining({
        name: 'minimist',
        to: '2.0.0',
        level: 'major',
        action: 'manual',
        reason: 'major upgrade: needs a person (policy fix.automatic=minor)',
      }),
    ]);
    // Policy `automatic: major` and the --allow-major override both let it through planning...
    for (const opts of [{ automatic: 'major' as const }, { allowMajor: true }]) {
      const allowed = await fixDependencies({ root: project, source: src, dryRun: true, ...opts });
      // ...where mkdirp's declared range still holds it back.
      expect(allowed.steps[0]).toMatchObject({
        action: 'manual',
        reason: 'held back by mkdirp@0.5.5 requires minimist@^1.2.5: upgrade the dependent',
      });
      expect(allowed.commands).toEqual([]);
    }
    const allowed = await fixDependencies({ root: project, source: src, dryRun: true, allowMajor: true });
    expect(formatFixMarkdown(allowed)).toBe(
      [
        '## Dependency security fixes (npm)',
        '',
        'Dry run: planned, nothing changed.',
        '',
        'Would clear no advisory.',
        '',
        'Would stay vulnerable:',
        '- minimist@1.2.5: GHSA-xvch-5gv4-984h',
        '',
        'Needs a person:',
        '- minimist@1.2.5 (GHSA-xvch-5gv4-984h): held back by mkdirp@0.5.5 requires minimist@^1.2.5: upgrade the dependent',
        '',
      ].join('\n'),
    );
  });

  it('applies nothing on its own under `automatic: none`, and only patches under `patch`', async () => {
    const none = await fixDependencies({ root: project, source, dryRun: true, automatic: 'none' });
    expect(none.steps.map((s) => [s.name, s.action, s.reason])).toEqual([
      ['lodash', 'manual', 'patch upgrade: needs a person (policy fix.automatic=none)'],
      ['minimist', 'manual', 'patch upgrade: needs a person (policy fix.automatic=none)'],
    ]);
    expect(none.commands).toEqual([]);
    const patch = await fixDependencies({ root: project, source, dryRun: true, automatic: 'patch' });
    expect(patch.steps.map((s) => s.action)).toEqual(['install', 'relock']);
  });

  it('upgrades an npm: alias through its own entry, not the package of the same name', async () => {
    // examples/deps declares lodash 4.17.20 and `lodash-old: npm:lodash@4.17.15` (a real npm 11 lockfile).
    const examples = join(import.meta.dirname, '..', '..', '..', 'examples', 'deps');
    const aliased = join(dir, 'aliased');
    await mkdir(aliased);
    for (const f of ['package.json', 'package-lock.json']) await cp(join(examples, f), join(aliased, f));
    const db = new OfflineDb({ dir: join(examples, 'osv-db'), cacheDir: join(aliased, '.cache') });
    const r = await fixDependencies({ root: aliased, source: db, dryRun: true });
    const old = r.steps.find((s) => s.name === 'lodash' && s.from === '4.17.15');
    expect(old?.declared).toMatchObject({ key: 'lodash-old', range: '4.17.15' });
    // Exact pins stay exact.
    expect(r.commands).toContainEqual(
      expect.arrayContaining(['lodash-old@npm:lodash@4.17.21', '--save-exact']),
    );
    const current = r.steps.find((s) => s.name === 'lodash' && s.from === '4.17.20');
    expect(current?.declared).toMatchObject({ key: 'lodash', range: '4.17.20' });
  });

  it('names the project when there is no lockfile', async () => {
    await rm(join(project, 'package-lock.json'));
    await expect(fixDependencies({ root: project, source, dryRun: true })).rejects.toThrow(
      `${project}: no package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock`,
    );
  });

  it('detects the package manager from the lockfile, and Yarn 2+ from its lockfile format', async () => {
    const cases = [
      ['npm-fix', 'npm', 'package-lock.json'],
      ['pnpm-fix', 'pnpm', 'pnpm-lock.yaml'],
      ['yarn-fix', 'yarn', 'yarn.lock'],
      ['yarn-berry-fix', 'yarn-berry', 'yarn.lock'],
    ] as const;
    for (const [fixture, id, lockfile] of cases) {
      const d = await detectManager(join(FIXTURES, fixture));
      expect([d.adapter.id, d.lockfile]).toEqual([id, lockfile]);
    }
    // A Yarn 1 lockfile in a project that declares Yarn 4 is updated by Yarn 4 (it migrates it).
    await useFixture('yarn-fix');
    await writeFile(join(project, '.yarnrc.yml'), 'nodeLinker: node-modules\n');
    expect((await detectManager(project)).adapter.id).toBe('yarn-berry');
  });

  it('plans pnpm overrides and yarn resolutions for a transitive fix', async () => {
    await useFixture('pnpm-fix');
    const pnpm = await fixDependencies({ root: project, source, dryRun: true });
    expect(pnpm.commands).toEqual([
      ['pnpm', 'add', 'lodash@^4.17.21', '--lockfile-only', '--ignore-scripts'],
    ]);
    expect(pnpm.manifestEdits).toEqual(['pnpm.overrides.minimist@1.2.5']);
    await useFixture('yarn-fix');
    const yarn = await fixDependencies({ root: project, source, dryRun: true });
    expect(yarn.commands).toEqual([
      ['yarn', 'add', 'lodash@4.17.21', '--exact', '--ignore-scripts', '--non-interactive', '--no-progress'],
    ]);
    expect(yarn.manifestEdits).toEqual(['resolutions.**/mkdirp/minimist']);
    await useFixture('yarn-berry-fix');
    const berry = await fixDependencies({ root: project, source, dryRun: true });
    expect(berry.commands).toEqual([['yarn', 'add', 'lodash@^4.17.21', '--mode=update-lockfile']]);
    expect(berry.manifestEdits).toEqual(['resolutions.minimist@npm:^1.2.5']);
    // A dry run writes nothing.
    expect(await readFile(join(project, 'package.json'), 'utf8')).toBe(
      await readFile(join(FIXTURES, 'yarn-berry-fix/package.json'), 'utf8'),
    );
  });
});

/** What each real fixture's lockfile must say after the fix, and what package.json must declare. */
const APPLY = [
  {
    fixture: 'npm-fix',
    lockfile: 'package-lock.json',
    locked: (t: string) => {
      const lock = JSON.parse(t);
      return [lock.packages['node_modules/lodash'].version, lock.packages['node_modules/minimist'].version];
    },
    // The direct range tightens to the fix; the transitive package stays out of package.json.
    manifest: { dependencies: { lodash: '^4.17.21', mkdirp: '0.5.5' } },
  },
  {
    fixture: 'pnpm-fix',
    lockfile: 'pnpm-lock.yaml',
    locked: (t: string) => [/^ {2}lodash@(\S+):$/m.exec(t)?.[1], /^ {2}minimist@(\S+):$/m.exec(t)?.[1]],
    manifest: {
      dependencies: { lodash: '^4.17.21', mkdirp: '0.5.5' },
      pnpm: { overrides: { 'minimist@1.2.5': '1.2.6' } },
    },
  },
  {
    fixture: 'yarn-fix',
    lockfile: 'yarn.lock',
    locked: (t: string) => [
      /^lodash@.*:\n {2}version "(.+)"/m.exec(t)?.[1],
      /^minimist@.*:\n {2}version "(.+)"/m.exec(t)?.[1],
    ],
    // An exact pin stays exact.
    manifest: {
      dependencies: { lodash: '4.17.21', mkdirp: '0.5.5' },
      resolutions: { '**/mkdirp/minimist': '1.2.6' },
    },
  },
  {
    fixture: 'yarn-berry-fix',
    lockfile: 'yarn.lock',
    locked: (t: string) => [
      /^"lodash@npm:.*":\n {2}version: (.+)/m.exec(t)?.[1],
      /^"minimist@npm:.*":\n {2}version: (.+)/m.exec(t)?.[1],
    ],
    manifest: {
      dependencies: { lodash: '^4.17.21', mkdirp: '0.5.5' },
      resolutions: { 'minimist@npm:^1.2.5': '1.2.6' },
    },
  },
];

describe('fixDependencies: applied with the real package managers, offline', () => {
  for (const c of APPLY) {
    it(`${c.fixture}: fixes the lockfile, proves it by re-scanning, and runs the tests`, {
      timeout: 120_000,
    }, async () => {
      await useFixture(c.fixture);
      registry.requests.length = 0;
      // The test command runs in the project after the apply: it sees the new lockfile.
      const check = `process.exit(require('fs').readFileSync('${c.lockfile}','utf8').includes('4.17.21') ? 0 : 5)`;
      const r = await fixDependencies({
        root: project,
        source,
        managers: MANAGERS,
        env,
        test: { argv: [process.execPath, '-e', check] },
      });
      expect(r.errors).toEqual([]);
      expect(r.cleared).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-xvch-5gv4-984h']);
      expect(r.remaining).toEqual([]);
      const lock = await readFile(join(project, c.lockfile), 'utf8');
      expect(c.locked(lock)).toEqual(['4.17.21', '1.2.6']);
      // No entry of the vulnerable version is left (pnpm's `overrides:` selector names it, with a value).
      expect(lock).not.toMatch(
        /^ {2}"?minimist@(npm:)?1\.2\.5"?:$|minimist: 1\.2\.5$|minimist-1\.2\.5|version "?1\.2\.5/m,
      );
      // Resolved through the registry on 127.0.0.1.
      expect(registry.requests).toContain('/lodash');
      const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
      expect(pkg).toMatchObject(c.manifest);
      expect(r.test).toMatchObject({ passed: true, exitCode: 0 });
      expect(fixExitCode(r)).toBe(0);
      const md = formatFixMarkdown(r);
      expect(md).toContain('Re-scan of the new lockfile: cleared GHSA-35jh-r3h4-6jhm, GHSA-xvch-5gv4-984h.');
      expect(md).toMatch(/\| minimist \| 1\.2\.5 \| 1\.2\.6 \| GHSA-xvch-5gv4-984h \| transitive: /);
      expect(md).toContain('Tests passed: ');
      expect(md).not.toMatch(/Still vulnerable|Would/);
    });
  }

  it('says when the tests fail after the fix, with the tail of their output, and fails the run', {
    timeout: 120_000,
  }, async () => {
    await useFixture('pnpm-fix');
    const failing = "for (let i = 1; i <= 50; i++) console.log('line ' + i); process.exit(3)";
    const r = await fixDependencies({
      root: project,
      source,
      env: { ...env, DEVSECFLOW_GITLAB_TOKEN: 'glpat-abcdefghijklmnop' },
      test: {
        argv: [
          process.execPath,
          '-e',
          `${failing.replace('process.exit', 'console.log(process.env.DEVSECFLOW_GITLAB_TOKEN); process.exit')}`,
        ],
      },
    });
    expect(r.errors).toEqual([]);
    expect(r.test).toMatchObject({ passed: false, exitCode: 3, timedOut: false });
    expect(r.test!.output.split('\n')).toHaveLength(40);
    expect(r.test!.output).toMatch(/^line 12\n[\s\S]*line 50\n\*\*\*$/);
    expect(fixExitCode(r)).toBe(1);
    const md = formatFixMarkdown(r);
    expect(md).toContain('Tests failed (exit code 3): ');
    expect(md).toContain('line 50');
    expect(md).not.toContain('glpat-abcdefghijklmnop');
  });

  it('reports a package manager failure as an error, not as a clean result', {
    timeout: 60_000,
  }, async () => {
    await useFixture('pnpm-fix');
    const r = await fixDependencies({
      root: project,
      source,
      env: { ...env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' },
    });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^pnpm add lodash@\^4\.17\.21: /);
    expect(fixExitCode(r)).toBe(3);
    expect(r.test).toBeUndefined();
  });
});
