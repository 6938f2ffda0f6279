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
  workspace = join(tmpdir(), `dsf-deps-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(workspace, 'src'), { recursive: true });
  copyFileSync(join(FIXTURES, 'repo', 'src', 'app.js'), join(workspace, 'src', 'app.js'));
  copyFileSync(join(FIXTURES, 'sarif', 'devsecflow-sast.sarif'), join(workspace, 'other-scanner.sarif'));
  // No lockfile, so the native scan asks OSV nothing; another scanner's SARIF brings the findings.
  writeFileSync(join(workspace, 'devsecflow.yml'), 'stages:\n  deps:\n    import: [other-scanner.sarif]\n');
});
afterEach(() => server.close());

describe('actions/dependency-scan dist/index.js', () => {
  it('runs the deps stage: gate, outputs, code scanning category', async () => {
    const r = await runActionProcess({
      main: MAIN,
      inputs: {},
      eventName: 'merge_group',
      eventPath: join(FIXTURES, 'events', 'merge_group.json'),
      apiUrl: server.url,
      workspace,
      token: 'ghs_depsaction',
      env: { DEVSECFLOW_NATIVE_DIR: NATIVE_DIR },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ gate: 'failed', findings: '2' });
    expect(r.outputs.report).toMatch(/devsecflow-deps\.json$/);
    expect(r.summary).toContain('**Gate: ❌ failed**');
    expect(r.summary).toMatch(/\| Dependency scan \| /);
    expect(server.sarifUploads).toHaveLength(1);
    expect(server.comments).toHaveLength(0);
  });
});
