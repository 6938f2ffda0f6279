import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeGitHub, runActionProcess, startFakeGitHub } from '@devsecflow/github/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', 'dist', 'index.js');
const FIXTURES = join(here, '..', '..', '..', 'packages', 'github', 'test', 'fixtures');
const NATIVE_DIR = join(here, '..', '..', '..', 'packages', 'sast', 'node_modules');
// A GitHub token shape built at run time so this file holds no token-looking literal.
const PLANTED = ['ghp', '_', 'R2d2C3poBb8Luke5kywalkerHanSolo0Ab1'].join('');

let server: FakeGitHub;
let workspace: string;
beforeEach(async () => {
  server = await startFakeGitHub();
  workspace = join(tmpdir(), `dsf-sec-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(workspace, 'src'), { recursive: true });
  writeFileSync(join(workspace, 'src', 'clean.js'), 'export const answer = 42;\n');
});
afterEach(() => server.close());

const run = (inputs: Record<string, string> = {}) =>
  runActionProcess({
    main: MAIN,
    inputs,
    eventName: 'pull_request',
    eventPath: join(FIXTURES, 'events', 'pull_request.opened.json'),
    apiUrl: server.url,
    workspace,
    token: 'ghs_secretsaction',
    env: { DEVSECFLOW_NATIVE_DIR: NATIVE_DIR },
  });

describe('actions/secrets dist/index.js', () => {
  it('passes a clean tree', async () => {
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ gate: 'passed', findings: '0', 'new-findings': '0' });
    expect(server.comments).toHaveLength(1);
  });

  it('fails on a planted token and never prints, comments or uploads it in clear', async () => {
    writeFileSync(join(workspace, 'src', 'config.js'), `export const token = '${PLANTED}';\n`);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.outputs.gate).toBe('failed');
    expect(r.stdout + r.stderr + r.summary).not.toContain(PLANTED);
    expect(server.comments[0]!.body).not.toContain(PLANTED);
    expect(JSON.stringify(server.requests.map((q) => q.body))).not.toContain(PLANTED);
  });
});
