import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeGitHub, runActionProcess, startFakeGitHub } from '@devsecflow/github/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', 'dist', 'index.js');
const FIXTURES = join(here, '..', '..', '..', 'packages', 'github', 'test', 'fixtures');
const NATIVE_DIR = join(here, '..', '..', '..', 'packages', 'sast', 'node_modules');

let server: FakeGitHub;
let workspace: string;
beforeEach(async () => {
  server = await startFakeGitHub();
  workspace = join(tmpdir(), `dsf-run-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(workspace, 'src'), { recursive: true });
  mkdirSync(join(workspace, 'reports'), { recursive: true });
  copyFileSync(join(FIXTURES, 'repo', 'src', 'app.js'), join(workspace, 'src', 'app.js'));
  copyFileSync(join(FIXTURES, 'junit', 'jest-junit.xml'), join(workspace, 'reports', 'junit.xml'));
  writeFileSync(
    join(workspace, 'devsecflow.yml'),
    'failOn: critical\nstages:\n  sast: {}\n  secrets: {}\n  test-gate:\n    junit: [reports/junit.xml]\n    maxFailures: 5\n',
  );
});
afterEach(() => server.close());

const run = (inputs: Record<string, string> = {}) =>
  runActionProcess({
    main: MAIN,
    inputs,
    eventName: 'pull_request',
    eventPath: join(FIXTURES, 'events', 'pull_request.synchronize.json'),
    apiUrl: server.url,
    workspace,
    token: 'ghs_runaction',
    env: { DEVSECFLOW_NATIVE_DIR: NATIVE_DIR },
  });

describe('actions/run dist/index.js', () => {
  it('runs every stage in the config: one gate, one summary, one comment', async () => {
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.outputs.gate).toBe('failed');
    expect(Object.keys(JSON.parse(r.outputs.reports!)).sort()).toEqual([
      'json:sast',
      'json:secrets',
      'json:test-gate',
    ]);
    for (const stage of ['SAST', 'Secret detection', 'Test gate'])
      expect(r.summary).toContain(`| ${stage} |`);
    expect(server.comments).toHaveLength(1);
    expect(server.comments[0]!.body).toMatch(
      /^<!-- devsecflow:comment workflow="security" stages="sast\+secrets\+test-gate" -->/,
    );
  });

  it('runs only the stages named in the input', async () => {
    const r = await run({ stages: 'test-gate' });
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.outputs.reports!))).toEqual(['json:test-gate']);
  });
});
