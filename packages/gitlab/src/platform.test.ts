import { createMemoryLogger } from '@devsecflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabPlatform } from './platform.js';
import { type FakeGitLab, type FakeNote, startFakeGitLab } from './test-gitlab-server.js';
import { finding, report } from './test-reports.js';

const TOKEN = 'glpat-test-0123456789abcdef';
const SHA = 'c0ffee'.padEnd(40, '0');

function mrEnv(server: FakeGitLab, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITLAB_CI: 'true',
    CI_API_V4_URL: server.apiUrl,
    CI_PROJECT_ID: '42',
    CI_PROJECT_PATH: 'group/project',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/project',
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_REF_NAME: 'feature/x',
    CI_PIPELINE_ID: '900',
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_JOB_URL: 'https://gitlab.example.com/group/project/-/jobs/1',
    CI_JOB_NAME: 'devsecflow-sast',
    CI_MERGE_REQUEST_IID: '7',
    CI_MERGE_REQUEST_PROJECT_ID: '42',
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/x',
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    ...extra,
  };
}

const publishOpts = { outputDir: 'out', files: { 'gitlab-sast': 'out/gl-sast-report.json' } };

let server: FakeGitLab | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('MR note upsert through gitbeaker', () => {
  it('creates one note per stage, then edits the same note on the next run', async () => {
    server = await startFakeGitLab({ token: TOKEN });
    const logger = createMemoryLogger();
    const platform = createGitLabPlatform({ env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN }), logger });

    await platform.publish([report('sast', [finding()]), report('secrets', [])], publishOpts);
    expect(server.notes).toHaveLength(2);
    const sastNote = server.notes.find((n) => n.body.startsWith('<!-- devsecflow:sast -->\n'));
    expect(sastNote?.body).toContain('DevSecFlow SAST: gate failed');
    expect(sastNote?.body).toContain('`src/app.js:12`');
    expect(server.notes.find((n) => n.body.startsWith('<!-- devsecflow:secrets -->\n'))?.body).toContain(
      'No findings',
    );
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual([
      '/api/v4/projects/42/merge_requests/7/notes',
      '/api/v4/projects/42/merge_requests/7/notes',
    ]);
    expect(posts.every((r) => r.privateToken === TOKEN)).toBe(true);

    // Second pipeline: the finding is fixed. The same note is edited, none is added.
    const second = createGitLabPlatform({ env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN }), logger });
    const before = server.requests.length;
    await second.publish([report('sast', [])], publishOpts);
    const during = server.requests.slice(before);
    expect(during.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v4/projects/42/merge_requests/7/notes',
      `PUT /api/v4/projects/42/merge_requests/7/notes/${sastNote?.id}`,
    ]);
    expect(server.notes).toHaveLength(2);
    expect(server.notes.find((n) => n.id === sastNote?.id)?.body).toContain('DevSecFlow SAST: gate passed');

    // Third run with the same result: nothing to write.
    const third = createGitLabPlatform({ env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN }), logger });
    const mark = server.requests.length;
    await third.publish([report('sast', [])], publishOpts);
    expect(server.requests.slice(mark).map((r) => r.method)).toEqual(['GET']);
    expect(logger.lines.join('\n')).not.toContain(TOKEN);
  });

  it('finds its note on a later page and ignores notes that only quote the marker', async () => {
    const notes: FakeNote[] = [];
    for (let i = 0; i < 130; i++) {
      notes.push({ id: i + 1, body: `comment ${i}`, system: false, author: { username: 'dev' } });
    }
    notes.push({
      id: 200,
      body: '> <!-- devsecflow:sast -->\nquoted',
      system: false,
      author: { username: 'dev' },
    });
    notes.push({
      id: 201,
      body: '<!-- devsecflow:sast -->\nold',
      system: false,
      author: { username: 'devsecflow-bot' },
    });
    server = await startFakeGitLab({ token: TOKEN, notes });
    const platform = createGitLabPlatform({
      env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN }),
      logger: createMemoryLogger(),
    });
    await platform.publish([report('sast', [finding()])], publishOpts);
    const gets = server.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(server.requests.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([
      '/api/v4/projects/42/merge_requests/7/notes/201',
    ]);
    expect(server.notes).toHaveLength(132);
  });

  it('keeps one note per team when the stage runs twice with different note keys', async () => {
    server = await startFakeGitLab({ token: TOKEN });
    for (const key of ['team-a', 'team-b', 'team-a']) {
      const platform = createGitLabPlatform({
        env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN, DEVSECFLOW_NOTE_KEY: key }),
        logger: createMemoryLogger(),
      });
      await platform.publish([report('sast', [finding({ title: `issue of ${key}` })])], publishOpts);
    }
    expect(server.notes.map((n) => n.body.split('\n')[0])).toEqual([
      '<!-- devsecflow:sast:team-a -->',
      '<!-- devsecflow:sast:team-b -->',
    ]);
  });

  it('skips the note with a one-line hint when there is no token (CI_JOB_TOKEN cannot write notes)', async () => {
    server = await startFakeGitLab({ token: TOKEN, jobToken: 'job-token-value' });
    const logger = createMemoryLogger();
    const platform = createGitLabPlatform({
      env: mrEnv(server, { CI_JOB_TOKEN: 'job-token-value' }),
      logger,
    });
    await platform.publish([report('sast', [finding()])], publishOpts);
    expect(server.requests).toHaveLength(0);
    const hint = logger.lines.filter((l) => l.includes('DEVSECFLOW_GITLAB_TOKEN'));
    expect(hint).toHaveLength(1);
    expect(hint[0]).toMatch(/^MR note skipped: .*CI_JOB_TOKEN cannot write notes/);
    expect(logger.lines.some((l) => l.startsWith('warning:') || l.startsWith('error:'))).toBe(false);
  });

  it.each([
    [401, 'glpat-revoked-000000', /401.*invalid, expired or revoked.*"api" scope/],
    [403, 'glpat-readonly-00000', /403.*"api" scope and at least the Reporter role/],
  ])('turns a %i into one warning with the fix, not a failure', async (status, badToken, fix) => {
    server = await startFakeGitLab({ token: TOKEN, readOnlyToken: status === 403 ? badToken : undefined });
    const logger = createMemoryLogger();
    const platform = createGitLabPlatform({
      env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: badToken }),
      logger,
    });
    await expect(
      platform.publish([report('sast', [finding()]), report('deps', [])], { ...publishOpts, status: true }),
    ).resolves.toBeUndefined();
    const warnings = logger.lines.filter((l) => l.startsWith('warning:'));
    // One warning for the notes (both stages would be refused alike), one for the statuses.
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(new RegExp(`GitLab API ${status} while writing the MR note`));
    expect(warnings[0]).toMatch(fix);
    expect(warnings[1]).toMatch(new RegExp(`GitLab API ${status} while setting the commit status`));
    expect(logger.lines.join('\n')).not.toContain(badToken);
  });
});

describe('commit status', () => {
  it('follows the template inputs (DEVSECFLOW_MR_NOTE / DEVSECFLOW_COMMIT_STATUS) unless told otherwise', async () => {
    server = await startFakeGitLab({ token: TOKEN });
    const env = mrEnv(server, {
      DEVSECFLOW_GITLAB_TOKEN: TOKEN,
      DEVSECFLOW_MR_NOTE: 'false',
      DEVSECFLOW_COMMIT_STATUS: 'true',
    });
    const platform = createGitLabPlatform({ env, logger: createMemoryLogger() });
    await platform.publish([report('sast', [])], publishOpts);
    expect(server.requests.map((r) => r.method)).toEqual(['POST']);
    expect(server.statuses).toHaveLength(1);
    await platform.publish([report('sast', [])], { ...publishOpts, comment: true, status: false });
    expect(server.notes).toHaveLength(1);
    expect(server.statuses).toHaveLength(1);
  });

  it('posts one status per stage with the gate verdict, only when asked', async () => {
    server = await startFakeGitLab({ token: TOKEN });
    const env = mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN });
    const platform = createGitLabPlatform({ env, logger: createMemoryLogger() });
    await platform.publish([report('sast', [finding()])], { ...publishOpts, comment: false });
    expect(server.requests).toHaveLength(0);

    await platform.publish([report('sast', [finding()]), report('deps', [])], {
      ...publishOpts,
      comment: false,
      status: true,
    });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v4/projects/42/statuses/${SHA}`,
      `POST /api/v4/projects/42/statuses/${SHA}`,
    ]);
    expect(server.statuses).toEqual([
      {
        sha: SHA,
        state: 'failed',
        name: 'devsecflow/sast',
        ref: 'feature/x',
        target_url: env.CI_JOB_URL,
        description: 'failed: 1 finding',
        pipeline_id: 900,
      },
      {
        sha: SHA,
        state: 'success',
        name: 'devsecflow/deps',
        ref: 'feature/x',
        target_url: env.CI_JOB_URL,
        description: 'passed: 0 findings',
        pipeline_id: 900,
      },
    ]);
  });
});

describe('changedLines through the MR diffs API', () => {
  it('follows pagination and parses every diff into added line ranges', async () => {
    const diffs = Array.from({ length: 230 }, (_, i) => ({
      old_path: `src/f${i}.js`,
      new_path: `src/f${i}.js`,
      diff: `@@ -1,2 +1,3 @@\n a\n+b${i}\n c\n`,
      new_file: false,
      renamed_file: false,
      deleted_file: false,
    }));
    diffs.push({
      old_path: 'old.js',
      new_path: 'gone.js',
      diff: '@@ -1 +0,0 @@\n-x\n',
      new_file: false,
      renamed_file: false,
      deleted_file: true,
    });
    server = await startFakeGitLab({ jobToken: 'job-token-value', diffs });
    const platform = createGitLabPlatform({
      env: mrEnv(server, {
        CI_JOB_TOKEN: 'job-token-value',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: 'b'.repeat(40),
      }),
      // No clone here: git cannot help, the API must.
      cwd: '/nonexistent-devsecflow-test-dir',
      logger: createMemoryLogger(),
    });
    const info = await platform.changedLines();
    expect(info.available).toBe(true);
    if (!info.available) return;
    expect(info.files).toHaveLength(230);
    expect(info.files[229]).toEqual({ path: 'src/f229.js', lines: [{ start: 2, end: 2 }] });
    const pages = server.requests.filter((r) => r.path.endsWith('/diffs'));
    expect(pages.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(pages.every((r) => r.jobToken === 'job-token-value' && r.privateToken === undefined)).toBe(true);
  });

  it('says why the diff filter is off when neither git nor the API can give the lines', async () => {
    server = await startFakeGitLab({ token: TOKEN });
    const platform = createGitLabPlatform({
      env: mrEnv(server, {
        DEVSECFLOW_GITLAB_TOKEN: 'glpat-wrong-000000',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: 'b'.repeat(40),
      }),
      cwd: '/nonexistent-devsecflow-test-dir',
      logger: createMemoryLogger(),
    });
    const info = await platform.changedLines();
    expect(info.available).toBe(false);
    if (info.available) return;
    expect(info.reason).toMatch(/git fetch --depth=1 origin bbbbbbbbbbbb" failed/);
    expect(info.reason).toMatch(/GitLab API 401 while reading the MR diffs/);
    expect(info.reason).toMatch(/GIT_DEPTH: 0/);
  });

  it('is off outside merge request pipelines, with the reason', async () => {
    const platform = createGitLabPlatform({
      env: { GITLAB_CI: 'true', CI_PIPELINE_SOURCE: 'push' },
      logger: createMemoryLogger(),
    });
    const info = await platform.changedLines();
    expect(info).toEqual({ available: false, reason: expect.stringMatching(/not a merge request pipeline/) });
  });
});

describe('approvals and the change author', () => {
  const HEAD = 'e'.repeat(40);
  const MERGE = 'f'.repeat(40);

  it('in an MR pipeline: the author from the API, approvals on the head, team membership', async () => {
    server = await startFakeGitLab({
      token: TOKEN,
      mr: {
        state: 'opened',
        sha: HEAD,
        author: { username: 'bob' },
        web_url: 'https://gl/g/p/-/merge_requests/7',
      },
      approvedBy: [
        { user: { id: 1, username: 'alice' }, approved_at: '2026-01-02T03:04:05Z' },
        { user: { id: 2, username: 'carol' }, approved_at: '2026-01-02T03:04:05Z' },
        { user: { id: 3, username: 'bob' }, approved_at: '2026-01-02T03:04:05Z' },
      ],
      versions: [{ head_commit_sha: HEAD, created_at: '2026-01-01T00:00:00Z' }],
      groups: { 'acme/security': [2] },
    });
    const platform = createGitLabPlatform({
      env: mrEnv(server, { DEVSECFLOW_GITLAB_TOKEN: TOKEN, CI_COMMIT_SHA: HEAD }),
      logger: createMemoryLogger(),
    });
    expect((await platform.context()).change?.author).toBe('bob');
    const approvals = (platform.approvals as (q: object) => Promise<unknown>).call(platform, {
      commit: HEAD,
      teams: ['acme/security'],
    });
    expect(await approvals).toEqual([
      { user: 'alice', state: 'approved', at: '2026-01-02T03:04:05Z', commit: HEAD },
      {
        user: 'carol',
        state: 'approved',
        at: '2026-01-02T03:04:05Z',
        commit: HEAD,
        teams: ['acme/security'],
      },
    ]);
    // bob wrote the MR: his own approval does not count.
    expect(server.requests.map((r) => r.path)).toContain('/api/v4/groups/acme%2Fsecurity/members/all/1');
  });

  it('in a deploy pipeline on the default branch: the merged MR of the commit is the change', async () => {
    server = await startFakeGitLab({
      token: TOKEN,
      commitMergeRequests: {
        [MERGE]: [
          {
            iid: 7,
            project_id: 42,
            state: 'merged',
            sha: HEAD,
            merge_commit_sha: MERGE,
            author: { username: 'bob' },
          },
        ],
      },
      // An older server: no approved_at; the project resets approvals on push, so the head counts.
      approvedBy: [{ user: { id: 1, username: 'alice' } }],
      resetApprovalsOnPush: true,
    });
    const env: Record<string, string> = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: server.apiUrl,
      CI_PROJECT_ID: '42',
      CI_COMMIT_SHA: MERGE,
      CI_COMMIT_REF_NAME: 'main',
      CI_PIPELINE_SOURCE: 'push',
      DEVSECFLOW_GITLAB_TOKEN: TOKEN,
    };
    const platform = createGitLabPlatform({ env, logger: createMemoryLogger() });
    expect((await platform.context()).change).toEqual({ id: 7, author: 'bob', headSha: HEAD });
    // alice approved the head that was merged as the deployed commit.
    expect(await platform.approvals?.()).toEqual([
      { user: 'alice', state: 'approved', at: '', commit: MERGE },
    ]);
  });

  it('says why approvals cannot be read without a token', async () => {
    const platform = createGitLabPlatform({
      env: { GITLAB_CI: 'true', CI_PROJECT_ID: '42', CI_COMMIT_SHA: MERGE },
      logger: createMemoryLogger(),
    });
    await expect(platform.approvals?.()).rejects.toThrow(
      /no token to read MR approvals \(set DEVSECFLOW_GITLAB_TOKEN\)/,
    );
    expect((await platform.context()).change).toBeUndefined();
  });
});
