import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type FakeGitHub, runActionProcess, startFakeGitHub } from '@devsecflow/github/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The built bundle, run as the Actions runner runs it. `pnpm run build` (turbo: before test) makes it.
const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', 'dist', 'index.js');
const FIXTURES = join(here, '..', '..', '..', 'packages', 'github', 'test', 'fixtures');
const TOKEN = 'ghs_actionTestToken0123456789';
const NATIVE_DIR = join(here, '..', '..', '..', 'packages', 'sast', 'node_modules');

let server: FakeGitHub;
let workspace: string;

/** A checkout with a config that imports another scanner's SARIF into the SAST stage. */
function makeWorkspace(failOn = 'high'): string {
  const dir = join(tmpdir(), `dsf-ws-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  copyFileSync(join(FIXTURES, 'repo', 'src', 'app.js'), join(dir, 'src', 'app.js'));
  copyFileSync(join(FIXTURES, 'sarif', 'devsecflow-sast.sarif'), join(dir, 'scanner.sarif'));
  writeFileSync(
    join(dir, 'devsecflow.yml'),
    `failOn: ${failOn}\nstages:\n  sast:\n    import: [scanner.sarif]\n`,
  );
  return dir;
}

const run = (inputs: Record<string, string> = {}, event = 'pull_request', payload = 'pull_request.opened') =>
  runActionProcess({
    main: MAIN,
    inputs,
    eventName: event,
    eventPath: join(FIXTURES, 'events', `${payload}.json`),
    apiUrl: server.url,
    workspace,
    token: TOKEN,
    // The pinned native modules come from this checkout instead of the npm registry.
    env: { DEVSECFLOW_NATIVE_DIR: NATIVE_DIR },
  });

beforeEach(async () => {
  server = await startFakeGitHub();
  workspace = makeWorkspace();
});
afterEach(() => server.close());

describe('actions/sast dist/index.js', () => {
  it('fails the step on the gate, with outputs, summary, annotations, comment and upload', async () => {
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::add-mask::${TOKEN}\n`);
    expect(r.stdout.split(TOKEN)).toHaveLength(2);
    expect(r.stdout).toMatch(/^::error title=SAST critical.*file=src\/app.js,line=8/m);
    expect(r.stdout).toContain('::error::DevSecFlow gate failed');
    expect(r.outputs.report).toMatch(/devsecflow-sast\/devsecflow-sast\.json$/);
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    // The native ast-grep rules ran inside the bundle (loaded through the native shim) next to the
    // imported SARIF: both sets of findings are in the report.
    const rules: string[] = report.findings.map((f: { ruleId: string }) => f.ruleId);
    expect(rules).toEqual(
      expect.arrayContaining([
        'js-child-process-exec-injection',
        'js-eval-injection',
        'js/command-injection',
        'js/eval',
      ]),
    );
    const n = String(report.findings.length);
    expect(r.outputs).toMatchObject({ gate: 'failed', findings: n, 'new-findings': n });
    expect(r.outputs.sarif).toMatch(/\.sarif$/);
    expect(r.summary).toContain('## DevSecFlow\\: ❌ gate failed');
    const count = (sev: string) =>
      report.findings.filter((f: { severity: string }) => f.severity === sev).length;
    expect(r.summary).toContain(
      `| SAST | ✅ ok | ${['critical', 'high', 'medium', 'low', 'info'].map(count).join(' | ')} | 0 |`,
    );
    expect(server.comments).toHaveLength(1);
    expect(server.sarifUploads).toHaveLength(1);
    const sarif = JSON.parse(
      gunzipSync(Buffer.from(String(server.sarifUploads[0]!.body.sarif), 'base64')).toString(),
    );
    expect(sarif.runs[0].automationDetails.id).toBe('devsecflow/sast/');
    expect(sarif.runs[0].results[0].partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]+:1$/);
    expect(server.sarifUploads[0]!.body).toMatchObject({
      commit_sha: '1111111111111111111111111111111111111111',
      ref: 'refs/pull/2/merge',
    });
  });

  it('edits the same PR comment on the second run', async () => {
    await run();
    const id = server.comments[0]!.id;
    writeFileSync(
      join(workspace, 'devsecflow.yml'),
      'failOn: none\nstages:\n  sast:\n    import: [scanner.sarif]\n',
    );
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.outputs.gate).toBe('passed');
    expect(server.comments.map((c) => c.id)).toEqual([id]);
    expect(server.comments[0]!.body).toContain('✅ gate passed');
  });

  it('treats a 403 on the upload as a warning, not a failure', async () => {
    server.fail('uploadSarif', 403);
    const r = await run({ 'fail-on': 'none' }, 'push', 'push');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^::warning::code scanning upload refused \(403\): give the job `permissions: security-events: write`/m,
    );
    expect(server.comments).toHaveLength(0);
  });

  it('reports only what the pull request changed in diff-aware mode (files API of the PR)', async () => {
    await server.close();
    // The PR touched line 8 of src/app.js only (the exec call), as GitHub's files API says.
    server = await startFakeGitHub({
      pullFiles: [
        {
          filename: 'src/app.js',
          status: 'modified',
          patch: '@@ -8 +8 @@\n-  old();\n+  exec(cmd, (err, out) => res.send(out));',
        },
      ],
    });
    writeFileSync(
      join(workspace, 'devsecflow.yml'),
      'diffAware: true\nstages:\n  sast:\n    import: [scanner.sarif]\n',
    );
    const r = await run({ 'upload-sarif': 'false', comment: 'false' });
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    expect(report.diff).toMatchObject({ applied: true });
    const lines = new Set(
      report.findings.map((f: { location?: { startLine: number } }) => f.location?.startLine),
    );
    expect([...lines]).toEqual([8]);
    expect(server.requests.filter((q) => q.route === 'listFiles')).toHaveLength(1);
  });

  it('uploads under the category input (one per team or matrix leg)', async () => {
    await run({ category: 'team-payments', 'fail-on': 'none' }, 'push', 'push');
    const sarif = JSON.parse(
      gunzipSync(Buffer.from(String(server.sarifUploads[0]!.body.sarif), 'base64')).toString(),
    );
    expect(sarif.runs.map((x: { automationDetails: { id: string } }) => x.automationDetails.id)).toEqual([
      'team-payments/sast/',
    ]);
  });

  it('lets an input override the config, and exits 2 on a bad input', async () => {
    expect((await run({ 'fail-on': 'none', 'upload-sarif': 'false', comment: 'false' })).code).toBe(0);
    expect(
      server.requests.filter((q) => q.route === 'uploadSarif' || q.route === 'createComment'),
    ).toHaveLength(0);
    const bad = await run({ 'fail-on': 'severe' });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain(
      "::error::input 'fail-on': expected one of critical, high, medium, low, info, none; got 'severe'",
    );
  });
});
