import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createMemoryLogger } from '@devsecflow/core';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubPlatform, type GitHubPlatformOptions } from './platform.js';
import { captureStdout, eventPath, FIXTURES, finding, report, tmp } from './test-helpers.js';
import { type FakeGitHub, startFakeGitHub } from './testing/fake-github.js';

const TOKEN = 'ghs_0123456789abcdefSECRETtoken';
const sarifSchema = JSON.parse(readFileSync(join(FIXTURES, 'schemas', 'sarif-schema-2.1.0.json'), 'utf8'));
// ajv-draft-04 is CommonJS: its class is the `default` property of the module object.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(sarifSchema);

let server: FakeGitHub;
let out: ReturnType<typeof captureStdout>;
let work: string;

beforeEach(async () => {
  server = await startFakeGitHub();
  out = captureStdout();
  work = tmp();
  copyFileSync(join(FIXTURES, 'sarif', 'devsecflow-sast.sarif'), join(work, 'devsecflow.sarif'));
});
afterEach(async () => {
  out.restore();
  await server.close();
});

function setup(event = 'pull_request', eventFile = 'pull_request.opened', over: GitHubPlatformOptions = {}) {
  const summary = join(work, 'summary.md');
  const logger = createMemoryLogger();
  const platform = createGitHubPlatform({
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'Codertocat/Hello-World',
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventPath(eventFile),
      GITHUB_SHA: '1111111111111111111111111111111111111111',
      GITHUB_REF: 'refs/pull/2/merge',
      GITHUB_WORKFLOW: 'security',
      GITHUB_RUN_ID: '77',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: server.url,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: join(FIXTURES, 'repo'),
      'INPUT_GITHUB-TOKEN': TOKEN,
    },
    logger,
    sarifWait: { intervalMs: 1, timeoutMs: 5000 },
    ...over,
  });
  return { platform, logger, summary };
}

const files = () => ({ sarif: join(work, 'devsecflow.sarif'), json: join(work, 'sast.json') });

describe('publish on a pull request', () => {
  it('masks the token and never prints it otherwise', async () => {
    const { platform } = setup();
    await platform.publish([report()], { outputDir: work, files: files() });
    const text = out.text();
    expect(text).toContain(`::add-mask::${TOKEN}\n`);
    expect(text.split(TOKEN)).toHaveLength(2);
  });

  it('annotates the most severe findings first within the per-level limits', async () => {
    const many = Array.from({ length: 14 }, (_, i) =>
      finding({ severity: i < 12 ? 'high' : 'critical', location: { path: 'src/app.js', startLine: i + 1 } }),
    );
    const { platform, logger } = setup();
    await platform.publish([report({ findings: [...many, finding({ severity: 'medium' })] })], {
      outputDir: work,
      files: {},
      uploadSarif: false,
      comment: false,
    });
    const errors = out
      .text()
      .split('\n')
      .filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toMatch(
      /^::error title=SAST critical%3A Command built from user input \(js\/command-injection\),file=src\/app.js,line=13,endLine=13::/,
    );
    expect(out.text()).toMatch(
      /^::warning title=SAST medium.*file=src\/app.js,line=8,endLine=8,col=3,endColumn=62::/m,
    );
    expect(logger.lines.join('\n')).toMatch(/4 more findings not annotated/);
  });

  it('escapes finding text so it cannot start a workflow command', async () => {
    const { platform } = setup();
    const evil = finding({ message: 'x\n::add-mask::oops\n::set-env name=A::b' });
    await platform.publish([report({ findings: [evil] })], {
      outputDir: work,
      files: {},
      uploadSarif: false,
      comment: false,
    });
    expect(out.text()).not.toMatch(/^::set-env/m);
    expect(out.text()).toContain('x%0A::add-mask::oops%0A::set-env name=A::b');
  });

  it('writes the job summary: verdict, table per stage and severity, findings, files, link', async () => {
    const { platform, summary } = setup();
    await platform.publish(
      [report(), report({ stage: 'secrets', findings: [], gate: { passed: true, violations: [] } })],
      {
        outputDir: work,
        files: files(),
        uploadSarif: false,
        comment: false,
      },
    );
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## DevSecFlow\\: ❌ gate failed');
    expect(md).toContain('| SAST | ✅ ok | 1 | 1 | 0 | 0 | 0 | 0 |');
    expect(md).toContain('| Secret detection | ✅ ok | 0 | 0 | 0 | 0 | 0 | 0 |');
    expect(md).toContain('- 2 findings at or above high (fail-on)');
    // Locations link to the PR head commit.
    expect(md).toContain(
      '[src/app\\.js\\:8](https://github.com/Codertocat/Hello-World/blob/ec26c3e57ca3a959ca5aad62de7213c562f8c821/src/app.js#L8)',
    );
    expect(md).toContain(`Report files: \`${join(work, 'devsecflow.sarif')}\``);
    expect(md).toContain('[Workflow run](https://github.com/Codertocat/Hello-World/actions/runs/77)');
  });

  it('truncates the job summary honestly within 1 MiB', async () => {
    const { platform, summary } = setup();
    const big = Array.from({ length: 6000 }, (_, i) =>
      finding({ message: 'm'.repeat(280), location: { path: `src/f${i}.js`, startLine: 1 } }),
    );
    await platform.publish([report({ findings: big })], {
      outputDir: work,
      files: {},
      uploadSarif: false,
      comment: false,
      annotations: false,
    });
    const md = readFileSync(summary, 'utf8');
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(1024 * 1024);
    expect(Buffer.byteLength(md)).toBeGreaterThan(900 * 1024);
    const shown = md.split('\n').filter((l) => l.startsWith('- **🟥 Critical**')).length;
    expect(shown).toBeGreaterThan(1000);
    expect(md).toContain(`_… and ${6000 - shown} more findings not shown._`);
  });

  it('keeps within what earlier steps already wrote to the summary', async () => {
    const { platform, summary } = setup();
    writeFileSync(summary, 'x'.repeat(1024 * 1024 - 2000));
    await platform.publish([report()], { outputDir: work, files: {}, uploadSarif: false, comment: false });
    expect(Buffer.byteLength(readFileSync(summary, 'utf8'))).toBeLessThanOrEqual(1024 * 1024);
  });

  it('creates one comment, then edits the same comment on the next run', async () => {
    const first = setup();
    await first.platform.publish([report()], { outputDir: work, files: {}, uploadSarif: false });
    expect(server.comments).toHaveLength(1);
    const id = server.comments[0]!.id;
    expect(server.comments[0]!.body).toMatch(
      /^<!-- devsecflow:comment workflow="security" stages="sast" -->/,
    );
    expect(server.comments[0]!.body).toContain(
      '[Workflow run](https://github.com/Codertocat/Hello-World/actions/runs/77)',
    );

    const second = setup();
    await second.platform.publish([report({ findings: [], gate: { passed: true, violations: [] } })], {
      outputDir: work,
      files: {},
      uploadSarif: false,
    });
    expect(server.comments).toHaveLength(1);
    expect(server.comments[0]!.id).toBe(id);
    expect(server.comments[0]!.body).toContain('✅ gate passed');
    expect(server.requests.filter((r) => r.route === 'updateComment')).toHaveLength(1);
    // Another stage gets its own comment.
    await second.platform.publish([report({ stage: 'deps', findings: [] })], {
      outputDir: work,
      files: {},
      uploadSarif: false,
    });
    expect(server.comments).toHaveLength(2);
  });

  it('does not edit a marker comment written by someone else', async () => {
    const a = setup();
    await a.platform.publish([report()], { outputDir: work, files: {}, uploadSarif: false });
    server.comments[0]!.user = { login: 'mallory', type: 'User' };
    const b = setup();
    await b.platform.publish([report()], { outputDir: work, files: {}, uploadSarif: false });
    expect(server.comments).toHaveLength(2);
  });

  it('warns, without failing, when a fork PR token cannot comment', async () => {
    server.fail('createComment', 403);
    // A fork's pull_request payload (head repository differs from the base).
    const { platform, logger } = setup('pull_request', 'pull_request_target.fork');
    await expect(
      platform.publish([report()], { outputDir: work, files: {}, uploadSarif: false }),
    ).resolves.toBeUndefined();
    expect(logger.lines.join('\n')).toMatch(
      /warning: could not comment on pull request #2 \(pull requests from forks get a read-only token\)/,
    );
  });

  it('uploads SARIF: gzip + base64, schema-valid, line hashes, category, commit and ref; polls', async () => {
    server = await (async () => {
      await server.close();
      return startFakeGitHub({ pendingPolls: 2 });
    })();
    const { platform, logger } = setup();
    await platform.publish([report()], { outputDir: work, files: files(), comment: false });
    expect(server.sarifUploads).toHaveLength(1);
    const up = server.sarifUploads[0]!.body;
    expect(up.commit_sha).toBe('1111111111111111111111111111111111111111');
    expect(up.ref).toBe('refs/pull/2/merge');
    const sarif = JSON.parse(gunzipSync(Buffer.from(String(up.sarif), 'base64')).toString('utf8'));
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.runs[0].automationDetails.id).toBe('devsecflow/sast/');
    const src = readFileSync(join(FIXTURES, 'repo', 'src', 'app.js'), 'utf8');
    const { hashLines } = await import('./line-hash.js');
    const hashes = hashLines(src);
    expect(sarif.runs[0].results[0].partialFingerprints).toEqual({
      'devsecflow/v1': '0123456789abcdef0123456789abcdef',
      primaryLocationLineHash: hashes[7],
    });
    expect(sarif.runs[0].results[1].partialFingerprints.primaryLocationLineHash).toBe(hashes[11]);
    expect(server.requests.filter((r) => r.route === 'getSarif')).toHaveLength(3);
    expect(logger.lines.join('\n')).toMatch(/code scanning processed upload sarif-/);
  });

  it('turns a 403 on upload into a warning with the fix', async () => {
    server.fail('uploadSarif', 403);
    const { platform, logger } = setup('push', 'push');
    await platform.publish([report()], { outputDir: work, files: files(), comment: false });
    expect(logger.lines.join('\n')).toMatch(
      /warning: code scanning upload refused \(403\): give the job `permissions: security-events: write`/,
    );
  });

  it('turns a 404 on upload into a warning that code scanning is off', async () => {
    server.fail('uploadSarif', 404, 'Not Found');
    const { platform, logger } = setup();
    await platform.publish([report()], { outputDir: work, files: files(), comment: false });
    expect(logger.lines.join('\n')).toMatch(
      /warning: code scanning upload failed \(404\): code scanning is not available/,
    );
  });

  it('sets a commit status on the PR head, or a check run', async () => {
    const { platform } = setup();
    await platform.publish([report()], {
      outputDir: work,
      files: {},
      comment: false,
      uploadSarif: false,
      status: true,
    });
    expect(server.statuses).toEqual([
      {
        sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        body: expect.objectContaining({
          state: 'failure',
          context: 'devsecflow/sast',
          description: 'gate failed: SAST: 2 findings at or above high',
        }),
      },
    ]);
    const checks = setup('pull_request', 'pull_request.opened', { statusKind: 'check-run' });
    await checks.platform.publish([report({ gate: { passed: true, violations: [] } })], {
      outputDir: work,
      files: {},
      comment: false,
      uploadSarif: false,
      status: true,
    });
    expect(server.checkRuns[0]).toMatchObject({
      name: 'devsecflow/sast',
      conclusion: 'success',
      status: 'completed',
    });
  });

  it('reads approvals from PR reviews: latest decisive review per reviewer, tied to the deployed commit', async () => {
    await server.close();
    const head = 'b'.repeat(40);
    const deployed = '1111111111111111111111111111111111111111';
    server = await startFakeGitHub({
      // On pull_request events GITHUB_SHA is the test merge commit GitHub built from the head.
      pull: { head: { sha: head }, merge_commit_sha: deployed, user: { login: 'octocat' }, merged_at: null },
      reviews: [
        {
          user: { login: 'alice' },
          state: 'CHANGES_REQUESTED',
          submitted_at: '2026-11-01T00:00:00Z',
          commit_id: 'a',
        },
        {
          user: { login: 'alice' },
          state: 'APPROVED',
          submitted_at: '2026-11-02T00:00:00Z',
          commit_id: head,
        },
        {
          user: { login: 'alice' },
          state: 'COMMENTED',
          submitted_at: '2026-11-03T00:00:00Z',
          commit_id: head,
        },
        {
          user: { login: 'bob' },
          state: 'APPROVED',
          submitted_at: '2026-11-03T00:00:00Z',
          commit_id: 'c'.repeat(40),
        },
        {
          user: { login: 'octocat' },
          state: 'APPROVED',
          submitted_at: '2026-11-04T00:00:00Z',
          commit_id: head,
        },
      ],
    });
    const { platform } = setup();
    expect(await platform.approvals?.()).toEqual([
      { user: 'alice', state: 'approved', at: '2026-11-02T00:00:00Z', commit: deployed },
      // An approval of an older head stays tied to that commit, so a policy does not count it.
      { user: 'bob', state: 'approved', at: '2026-11-03T00:00:00Z', commit: 'c'.repeat(40) },
    ]);
    expect(server.requests.map((r) => r.route)).toContain('getPull');
  });
});

describe('publish without a pull request', () => {
  it('skips the comment on push and still uploads', async () => {
    const { platform } = setup('push', 'push');
    await platform.publish([report()], { outputDir: work, files: files() });
    expect(server.requests.some((r) => r.route === 'createComment' || r.route === 'listComments')).toBe(
      false,
    );
    expect(server.sarifUploads).toHaveLength(1);
  });

  it('publishes annotations and the summary without a token, warning about the rest', async () => {
    const summary = join(work, 's.md');
    mkdirSync(work, { recursive: true });
    const logger = createMemoryLogger();
    const platform = createGitHubPlatform({
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_SHA: 'a',
        GITHUB_REF: 'refs/heads/main',
      },
      logger,
    });
    await platform.publish([report()], { outputDir: work, files: files() });
    expect(readFileSync(summary, 'utf8')).toContain('DevSecFlow');
    expect(logger.lines.join('\n')).toMatch(/no GitHub token: the SARIF upload to code scanning was skipped/);
    expect(out.text()).not.toContain('add-mask');
  });
});

describe('summary overview', () => {
  it('lists the first gate violations and counts the rest', async () => {
    const { platform, summary } = setup('push', 'push');
    const violations = Array.from({ length: 25 }, (_, i) => ({
      rule: 'fail-on' as const,
      message: `violation ${i}`,
    }));
    await platform.publish([report({ gate: { passed: false, violations } })], {
      outputDir: work,
      files: {},
      uploadSarif: false,
      annotations: false,
    });
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('- violation 19 (fail-on)');
    expect(md).not.toContain('- violation 20 (fail-on)');
    expect(md).toContain('- … and 5 more violations');
  });
});
