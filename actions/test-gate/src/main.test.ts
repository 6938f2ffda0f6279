import { copyFileSync, mkdirSync } from 'node:fs';
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
  workspace = join(tmpdir(), `dsf-tg-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(workspace, 'reports'), { recursive: true });
  copyFileSync(join(FIXTURES, 'junit', 'jest-junit.xml'), join(workspace, 'reports', 'junit.xml'));
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
    token: 'ghs_testgate',
    env: { DEVSECFLOW_NATIVE_DIR: NATIVE_DIR },
  });

describe('actions/test-gate dist/index.js', () => {
  it('fails on failed tests read from the junit input, with outputs and summary', async () => {
    const r = await run({ junit: 'reports/*.xml' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.outputs.gate).toBe('failed');
    expect(Number(r.outputs.findings)).toBeGreaterThan(0);
    expect(r.summary).toContain('**Gate: ❌ failed**');
    expect(r.summary).toMatch(/\| Test gate \| ✅ ok \|/);
    expect(r.stdout).toContain('::add-mask::ghs_testgate');
  });

  it('passes when the threshold allows the failures', async () => {
    const r = await run({ junit: 'reports/junit.xml', 'max-failures': '2', 'fail-on': 'none' });
    expect(r.code).toBe(0);
    expect(r.outputs.gate).toBe('passed');
  });
});
