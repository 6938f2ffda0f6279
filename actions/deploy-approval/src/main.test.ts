import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeGitHub, runActionProcess, startFakeGitHub } from '@devsecflow/github/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', 'dist', 'index.js');
const FIXTURES = join(here, '..', '..', '..', 'packages', 'github', 'test', 'fixtures');
const NATIVE_DIR = join(here, '..', '..', '..', 'packages', 'sast', 'node_modules');
/** The GITHUB_SHA runActionProcess sets: the commit being deployed. */
const SHA = '1111111111111111111111111111111111111111';

const CONFIG = `stages:
  deploy-approval:
    evidenceLog: .devsecflow/evidence.jsonl
    environments:
      staging:
        requiredStages: [sast]
      production:
        requiredStages: [sast, deps]
`;

/** A passed SAST report of the deployed commit, as `devsecflow sast` writes it. */
function sastReport(): string {
  return JSON.stringify({
    schemaVersion: '1',
    stage: 'sast',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/w', commit: SHA, ref: 'refs/heads/main' },
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:01.000Z',
    status: 'ok',
    findings: [],
    errors: [],
    stats: { findings: 0 },
    gate: { passed: true, violations: [] },
  });
}

let server: FakeGitHub;
let workspace: string;
beforeEach(async () => {
  server = await startFakeGitHub();
  workspace = join(tmpdir(), `dsf-da-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(workspace, 'reports'), { recursive: true });
  writeFileSync(join(workspace, 'devsecflow.yml'), CONFIG);
  writeFileSync(join(workspace, 'reports', 'devsecflow-sast.json'), sastReport());
});
afterEach(() => server.close());

const run = (inputs: Record<string, string>) =>
  runActionProcess({
    main: MAIN,
    inputs,
    eventName: 'push',
    eventPath: join(FIXTURES, 'events', 'push.json'),
    apiUrl: server.url,
    workspace,
    token: 'ghs_deploy',
    env: { DEVSECFLOW_NATIVE_DIR: NATIVE_DIR },
  });

describe('actions/deploy-approval dist/index.js', () => {
  it('approves an environment whose required reports passed, and appends evidence', async () => {
    const r = await run({ environment: 'staging', reports: 'reports/*.json' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs.gate).toBe('passed');
    const log = readFileSync(join(workspace, '.devsecflow', 'evidence.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0]!)).toMatchObject({ environment: 'staging', commit: SHA });
    expect(r.stdout).toContain('::add-mask::ghs_deploy');
  });

  it('blocks when a required report is missing, even with fail-on none', async () => {
    const r = await run({ environment: 'production', reports: 'reports/*.json', 'fail-on': 'none' });
    expect(r.code).toBe(1);
    expect(r.outputs.gate).toBe('failed');
    expect(r.summary).toMatch(/deps/);
  });
});
