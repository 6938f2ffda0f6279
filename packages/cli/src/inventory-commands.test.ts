import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChangeProposal, Platform } from '@devsecflow/core';
import { createLocalPlatform } from '@devsecflow/core';
import { startFakePulls } from '@devsecflow/github/testing';
import { startFakeGitLabChanges } from '@devsecflow/gitlab/testing';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The inventory package's fake npm registry (127.0.0.1, vendored packuments and tarballs).
import { type FakeServer, fakeNpmRegistry } from '../../inventory/src/test-servers.js';
import { addInventoryCommands, type InventoryIo } from './inventory-commands.js';
import { runCli } from './main.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '../../inventory/test/fixtures');

function capture() {
  let text = '';
  const stream = {
    write: (s: string) => {
      text += s;
      return true;
    },
    isTTY: false,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

let registry: FakeServer & { requests: string[] };
let work: string;
let env: Record<string, string>;
beforeAll(async () => {
  registry = await fakeNpmRegistry(join(FIXTURES, 'registry'));
  work = mkdtempSync(join(tmpdir(), 'dsf-cli-fix-'));
  env = {
    HOME: join(work, 'home'),
    npm_config_registry: `${registry.url}/`,
    npm_config_store_dir: join(work, 'pnpm-store'),
    npm_config_cache_dir: join(work, 'pnpm-cache'),
  };
  cpSync(join(FIXTURES, 'osv'), join(work, 'osv', 'npm'), { recursive: true });
});
afterAll(async () => {
  await registry.close();
});

/** A copy of the pnpm fixture with a devsecflow.yml. */
function project(config: string): string {
  const root = mkdtempSync(join(work, 'project-'));
  cpSync(join(FIXTURES, 'pnpm-fix'), root, { recursive: true });
  writeFileSync(join(root, 'devsecflow.yml'), config);
  return root;
}

async function run(args: string[], cwd: string, platform: Platform) {
  const out = capture();
  const err = capture();
  let code = -1;
  const io: InventoryIo = {
    platform: async () => platform,
    stdout: out.stream,
    stderr: err.stream,
    env,
    cwd,
    setExitCode: (c) => {
      code = c;
    },
  };
  const program = new Command().exitOverride();
  addInventoryCommands(program, io);
  await program.parseAsync(args, { from: 'user' });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** The real CLI (local platform: no CI variables). */
async function cli(args: string[], cwd: string, extraEnv: Record<string, string> = {}) {
  const out = capture();
  const err = capture();
  const code = await runCli(args, {
    stdout: out.stream,
    stderr: err.stream,
    cwd,
    env: { ...env, ...extraEnv },
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

const OSV = () => join(work, 'osv');

const TEST = `fix:\n  test: [${JSON.stringify(process.execPath)}, -e, "console.log('unit tests ok')"]\n`;

describe('fix --pr', () => {
  it('proposes the new package.json and lockfile with the fix markdown through the platform', {
    timeout: 120_000,
  }, async () => {
    const root = project(`${TEST}  branch: security/fix\n  labels: [security, deps]\n`);
    const proposals: ChangeProposal[] = [];
    const platform = {
      ...createLocalPlatform(root, { info() {}, warn() {}, error() {}, debug() {} } as never),
      name: 'fake',
      changeRequests: () => ({
        propose: async (p: ChangeProposal) => {
          proposals.push(p);
          return { id: '7', url: 'https://example.test/pr/7', created: true };
        },
      }),
    } as Platform;
    const r = await run(['fix', '--offline-db', OSV(), '--pr'], root, platform);
    expect(r.stderr).toContain('fix: opened security/fix/pnpm as #7 https://example.test/pr/7');
    expect(r.stderr).toContain('fix: tests passed');
    expect(r.code).toBe(0);
    expect(proposals).toHaveLength(1);
    const p = proposals[0]!;
    expect(p).toMatchObject({
      key: 'devsecflow-fix:.',
      branch: 'security/fix/pnpm',
      title: 'Security: upgrade lodash, minimist',
      labels: ['security', 'deps'],
    });
    expect(p.commitMessage).toMatch(
      /^fix\(deps\): upgrade lodash 4\.17\.20 -> 4\.17\.21, minimist 1\.2\.5 -> 1\.2\.6\n/,
    );
    expect(p.files.map((f) => f.path)).toEqual(['package.json', 'pnpm-lock.yaml']);
    expect(p.files[1]!.content).toBe(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8'));
    expect(p.files[1]!.content).toContain('minimist@1.2.6:');
    expect(p.body).toContain('| minimist | 1.2.5 | 1.2.6 | GHSA-xvch-5gv4-984h |');
    expect(p.body).toContain('Tests passed: ');
    expect(p.body).toBe(r.stdout);
  });

  it('is a usage error without a platform that takes PRs/MRs, before anything changes', async () => {
    const root = project(TEST);
    const r = await cli(['fix', '--offline-db', OSV(), '--pr'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fix --pr: no platform to open a PR\/MR on \(local\): run it in GitHub Actions/);
    expect(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')).toBe(
      readFileSync(join(FIXTURES, 'pnpm-fix/pnpm-lock.yaml'), 'utf8'),
    );
  });
});

describe('fix policy and tests', () => {
  it('leaves upgrades above fix.automatic to a person', async () => {
    const r = await cli(['fix', '--dry-run', '--offline-db', OSV()], project('fix:\n  automatic: none\n'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '- lodash@4.17.20 (GHSA-35jh-r3h4-6jhm): patch upgrade: needs a person (policy fix.automatic=none)',
    );
  });

  it('names file, line and column of a bad fix section', async () => {
    const r = await cli(
      ['fix', '--dry-run', '--offline-db', OSV()],
      project('fix:\n  automatic: sometimes\n'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /devsecflow\.yml:2:3: fix\.automatic: expected one of "none", "patch", "minor", "major"/,
    );
  });

  it('refuses a test command string with shell syntax where it is configured, before changing anything', async () => {
    const root = project('fix:\n  automatic: minor\n  test: npm ci && npm test\n');
    const r = await cli(['fix', '--offline-db', OSV()], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "devsecflow.yml:3:3: fix.test: the test command 'npm ci && npm test' uses shell syntax ('&'), which is not run through a shell",
    );
    expect(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')).toBe(
      readFileSync(join(FIXTURES, 'pnpm-fix/pnpm-lock.yaml'), 'utf8'),
    );
  });

  it('fails the run when the tests fail after the fix, and says so', { timeout: 120_000 }, async () => {
    // A string, split into arguments without a shell: the quoted script is one argument.
    const root = project(
      `fix:\n  test: '${process.execPath} -e "console.log(\`2 failing\`); process.exit(1)"'\n`,
    );
    const r = await cli(['fix', '--offline-db', OSV()], root);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('fix: tests failed: ');
    expect(r.stdout).toContain('Tests failed (exit code 1): ');
    expect(r.stdout).toContain('2 failing');
    expect(r.stdout).toContain(
      'Re-scan of the new lockfile: cleared GHSA-35jh-r3h4-6jhm, GHSA-xvch-5gv4-984h.',
    );
  });
});

describe('monitor --fix', () => {
  it('fixes the lockfile of this checkout that a new advisory concerns', { timeout: 120_000 }, async () => {
    const root = project(TEST);
    const store = join(work, `inventory-${Date.now()}.sqlite`);
    const push = [
      'inventory',
      'push',
      '--application',
      'shop',
      '--environment',
      'prod',
      '--commit',
      'abc123',
    ];
    expect((await cli([...push, '--store', store], root)).code).toBe(0);
    const monitor = ['monitor', '--store', store, '--offline-db', OSV(), '--fix', '--json'];
    const r = await cli(monitor, root);
    expect(r.stderr).toContain(
      'monitor: --fix: pnpm-lock.yaml (shop: GHSA-35jh-r3h4-6jhm, GHSA-xvch-5gv4-984h)',
    );
    expect(r.code).toBe(0);
    // With --json, stdout stays the monitor's JSON; the fix summary goes to stderr.
    expect(JSON.parse(r.stdout).events).toHaveLength(2);
    expect(r.stderr).toContain(
      'Re-scan of the new lockfile: cleared GHSA-35jh-r3h4-6jhm, GHSA-xvch-5gv4-984h.',
    );
    expect(readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')).toContain('minimist@1.2.6:');
    // A second run finds nothing new, so there is nothing to fix.
    expect((await cli(monitor, root)).stderr).toContain(
      'monitor: --fix: no lockfile of this checkout is concerned',
    );
  });
});

describe('fix --pr on GitHub and GitLab (their fake APIs, the real clients)', () => {
  const TOKEN = 'test-token-0123456789';
  const original = () =>
    Object.fromEntries(
      ['package.json', 'pnpm-lock.yaml'].map((f) => [f, readFileSync(join(FIXTURES, 'pnpm-fix', f), 'utf8')]),
    );
  // Each fake API with the CI variables that select its platform, and its PRs/MRs as body + labels.
  const platforms = [
    {
      name: 'GitHub',
      start: async () => {
        const fake = await startFakePulls({ token: TOKEN, files: original() });
        const env = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: fake.url };
        const proposals = () => fake.pulls.map((x) => ({ body: x.body ?? '', labels: x.labels }));
        return { fake, env: { ...env, GITHUB_TOKEN: TOKEN }, proposals };
      },
    },
    {
      name: 'GitLab',
      start: async () => {
        const fake = await startFakeGitLabChanges({ token: TOKEN, files: original() });
        const env = { GITLAB_CI: 'true', CI_API_V4_URL: fake.apiUrl, CI_PROJECT_ID: '42' };
        const proposals = () =>
          fake.mergeRequests.map((x) => ({ body: x.description ?? '', labels: x.labels }));
        return { fake, env: { ...env, DEVSECFLOW_GITLAB_TOKEN: TOKEN }, proposals };
      },
    },
  ];
  for (const p of platforms) {
    it(`${p.name}: opens one PR/MR with the new lockfile, and a re-run does not duplicate it`, {
      timeout: 120_000,
    }, async () => {
      const server = await p.start();
      try {
        const first = await cli(['fix', '--offline-db', OSV(), '--pr'], project(TEST), server.env);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stderr).toMatch(/fix: opened devsecflow\/fix\/pnpm as #\d+/);
        const files = server.fake.filesAt('devsecflow/fix/pnpm');
        expect(files?.['pnpm-lock.yaml']).toContain('minimist@1.2.6:');
        expect(JSON.parse(files?.['package.json'] ?? '{}').pnpm.overrides).toEqual({
          'minimist@1.2.5': '1.2.6',
        });
        const second = await cli(['fix', '--offline-db', OSV(), '--pr'], project(TEST), server.env);
        expect(second.code, second.stderr).toBe(0);
        expect(second.stderr).toMatch(/fix: (unchanged|updated) devsecflow\/fix\/pnpm as #\d+/);
        const proposals = server.proposals();
        expect(proposals).toHaveLength(1);
        expect(proposals[0]!.body).toContain('| minimist | 1.2.5 | 1.2.6 | GHSA-xvch-5gv4-984h |');
        expect(proposals[0]!.body).toContain('Tests passed: ');
        expect(proposals[0]!.labels).toEqual(['dependencies', 'security']);
        expect(`${first.stdout}${first.stderr}`).not.toContain(TOKEN);
      } finally {
        await server.fake.close();
      }
    });
  }
});
