import { type ChangeProposal, createMemoryLogger, issueMarker, UserError } from '@devsecflow/core';
import { rejectionOf as rejection } from '@devsecflow/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabChangeRequests, gitBlobId } from './change-requests.js';
import { createGitLabPlatform } from './platform.js';
import { type FakeGlChangeServer, startFakeGitLabChanges } from './testing/fake-merge-requests.js';

const TOKEN = 'glpat-changeTestToken01234';
const READ_ONLY = 'glpat-readOnlyToken012345';
const KEY = 'devsecflow-fix:shop:lodash';
const LOCK_V1 =
  '{"name":"shop","lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.20"}}}\n';
const LOCK_V2 =
  '{"name":"shop","lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21"}}}\n';

let server: FakeGlChangeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async () => {
  server = await startFakeGitLabChanges({
    token: TOKEN,
    readOnlyToken: READ_ONLY,
    files: { 'package.json': '{"name":"shop"}\n', 'package-lock.json': LOCK_V1 },
  });
  return server;
};

const requests = (s: FakeGlChangeServer, token = TOKEN, projectId: string | number = 42) =>
  createGitLabChangeRequests({ host: s.url, auth: { token }, projectId, logger: createMemoryLogger() });

const proposal = (extra: Partial<ChangeProposal> = {}): ChangeProposal => ({
  key: KEY,
  branch: 'devsecflow/fix/lodash',
  title: 'fix(deps): lodash 4.17.21 (GHSA-35jh-r3h4-6jhm)',
  body: 'Fixes **GHSA-35jh-r3h4-6jhm** in lodash.\n\nTests: passed.',
  labels: ['security', 'dependencies'],
  commitMessage: 'fix(deps): lodash 4.17.21',
  files: [{ path: 'package-lock.json', content: LOCK_V2 }],
  ...extra,
});

const writes = (s: FakeGlChangeServer, from = 0) => s.requests.slice(from).filter((r) => r.method !== 'GET');

describe('gitBlobId', () => {
  it('is the id git gives a blob', () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(gitBlobId('hello\n')).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(gitBlobId('')).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });
});

describe('GitLab change requests', () => {
  it('commits the files onto a new branch from the base and opens a labelled MR', async () => {
    const s = await start();
    const mainBefore = s.branches.get('main')!;
    const result = await requests(s).propose(proposal());

    expect(result).toEqual({
      id: '1',
      url: 'https://gitlab.example.com/acme/shop/-/merge_requests/1',
      created: true,
      unchanged: false,
    });
    const head = s.branches.get('devsecflow/fix/lodash')!;
    expect(s.commits.get(head)).toMatchObject({
      parents: [mainBefore],
      message: 'fix(deps): lodash 4.17.21',
    });
    expect(s.filesAt('devsecflow/fix/lodash')).toEqual({
      'package.json': '{"name":"shop"}\n',
      'package-lock.json': LOCK_V2,
    });
    expect(s.branches.get('main')).toBe(mainBefore);
    expect(writes(s).map((r) => `${r.method} ${r.rawPath}`)).toEqual([
      'POST /api/v4/projects/42/repository/commits',
      'POST /api/v4/projects/42/merge_requests',
    ]);
    expect(writes(s)[0]!.body).toEqual({
      branch: 'devsecflow/fix/lodash',
      commit_message: 'fix(deps): lodash 4.17.21',
      actions: [{ action: 'update', file_path: 'package-lock.json', content: LOCK_V2 }],
      start_branch: 'main',
    });
    expect(writes(s)[1]!.body).toMatchObject({
      source_branch: 'devsecflow/fix/lodash',
      target_branch: 'main',
      remove_source_branch: true,
      labels: 'security,dependencies',
    });
    const mr = s.mergeRequests[0]!;
    expect(mr.labels).toEqual(['security', 'dependencies']);
    expect(mr.description).toBe(`${proposal().body}\n\n${issueMarker(KEY)}\n`);
  });

  it('creates a file the base does not have, and updates one it has', async () => {
    const s = await start();
    await requests(s).propose(
      proposal({
        files: [
          { path: 'package-lock.json', content: LOCK_V2 },
          { path: 'apps/web/.npmrc', content: 'audit=false\n' },
        ],
      }),
    );
    expect((writes(s)[0]!.body!.actions as Array<{ action: string }>).map((a) => a.action)).toEqual([
      'update',
      'create',
    ]);
    expect(s.filesAt('devsecflow/fix/lodash')?.['apps/web/.npmrc']).toBe('audit=false\n');
  });

  it('changes nothing when the same proposal comes again', async () => {
    const s = await start();
    await requests(s).propose(proposal());
    const head = s.branches.get('devsecflow/fix/lodash');
    // A description handed back with CRLF line endings is still the same text.
    s.mergeRequests[0]!.description = s.mergeRequests[0]!.description!.replace(/\n/g, '\r\n');
    const before = s.requests.length;

    const again = await requests(s).propose(proposal());
    expect(again).toEqual({ id: '1', url: s.mergeRequests[0]!.web_url, created: false, unchanged: true });
    expect(s.branches.get('devsecflow/fix/lodash')).toBe(head);
    expect(s.mergeRequests).toHaveLength(1);
    expect(writes(s, before)).toEqual([]);
  });

  it('force-rewrites the branch from the moved base and updates the MR when the files or text change', async () => {
    const s = await start();
    await requests(s).propose(proposal());
    s.mergeRequests[0]!.labels.push('needs-review');
    const mainNow = s.push('main', { 'README.md': '# shop\n' });
    const before = s.requests.length;

    const lock3 = LOCK_V2.replace('4.17.21', '4.17.22');
    const result = await requests(s).propose(
      proposal({
        title: 'fix(deps): lodash 4.17.22',
        body: 'Fixes two advisories.',
        labels: ['security', 'automerge'],
        files: [{ path: 'package-lock.json', content: lock3 }],
      }),
    );
    expect(result).toEqual({ id: '1', url: s.mergeRequests[0]!.web_url, created: false, unchanged: false });
    const head = s.branches.get('devsecflow/fix/lodash')!;
    expect(s.commits.get(head)!.parents).toEqual([mainNow]);
    expect(s.filesAt('devsecflow/fix/lodash')).toMatchObject({
      'package-lock.json': lock3,
      'README.md': '# shop\n',
    });
    const [commit, edit] = writes(s, before);
    expect(commit!.body).toMatchObject({ start_branch: 'main', force: true });
    expect(edit).toMatchObject({ method: 'PUT', rawPath: '/api/v4/projects/42/merge_requests/1' });
    expect(edit!.body).toMatchObject({ add_labels: 'automerge', target_branch: 'main' });
    expect(s.mergeRequests).toHaveLength(1);
    expect(s.mergeRequests[0]).toMatchObject({
      title: 'fix(deps): lodash 4.17.22',
      description: `Fixes two advisories.\n\n${issueMarker(KEY)}\n`,
      labels: ['security', 'dependencies', 'needs-review', 'automerge'],
    });
  });

  it('rewrites a branch someone pushed onto, though its files match', async () => {
    const s = await start();
    await requests(s).propose(proposal());
    s.push('devsecflow/fix/lodash', { 'package.json': '{"name":"shop","private":true}\n' });
    const result = await requests(s).propose(proposal());
    expect(result.unchanged).toBe(false);
    expect(s.filesAt('devsecflow/fix/lodash')?.['package.json']).toBe('{"name":"shop"}\n');
    expect(s.commits.get(s.branches.get('devsecflow/fix/lodash')!)!.parents).toEqual([
      s.branches.get('main'),
    ]);
  });

  it('URL-encodes a branch name with odd characters, the file path and a project path', async () => {
    const s = await start();
    const branch = 'devsecflow/fix/@types+node#2%41';
    const path = 'apps/$(touch pwned)/`id` & "x".json';
    const p = proposal({ branch, files: [{ path, content: 'x\n' }] });
    const c = requests(s, TOKEN, 'acme/shop');
    await c.propose(p);
    expect(s.filesAt(branch)?.[path]).toBe('x\n');
    s.push('main', { 'README.md': 'moved\n' });
    expect((await c.propose(p)).created).toBe(false);
    expect(s.filesAt(branch)?.['README.md']).toBe('moved\n');

    const paths = s.requests.map((r) => `${r.method} ${r.rawPath}`);
    expect(paths).toContain(
      'GET /api/v4/projects/acme%2Fshop/repository/branches/devsecflow%2Ffix%2F%40types%2Bnode%232%2541',
    );
    expect(paths).toContain(
      'GET /api/v4/projects/acme%2Fshop/repository/files/apps%2F%24(touch%20pwned)%2F%60id%60%20%26%20%22x%22.json',
    );
    const commit = s.requests.find((r) => r.method === 'POST' && r.rawPath.endsWith('/repository/commits'))!;
    expect(commit.body).toMatchObject({ branch, actions: [{ action: 'create', file_path: path }] });
    const list = s.requests.find((r) => r.method === 'GET' && r.rawPath.endsWith('/merge_requests'))!;
    expect(list.query.source_branch).toBe(branch);
    expect(s.branches.has('devsecflow/fix/@types+node#2A')).toBe(false);
  });

  it('finds its MR by source branch, ignores a fork MR, and closes one with the key from an earlier branch', async () => {
    const s = await start();
    s.push('devsecflow/fix/lodash-4.17.21', { 'package-lock.json': LOCK_V2 });
    s.seedMergeRequest({ title: 'fork', source_branch: 'devsecflow/fix/lodash', source_project_id: 99 });
    s.seedMergeRequest({
      title: 'quote',
      source_branch: 'main',
      description: `\`\`\`\n${issueMarker(KEY)}\n\`\`\``,
    });
    const old = s.seedMergeRequest({
      title: 'old fix',
      source_branch: 'devsecflow/fix/lodash-4.17.21',
      description: `x\n${issueMarker(KEY)}`,
    });

    const result = await requests(s).propose(proposal());
    expect(result).toMatchObject({ id: '4', created: true });
    expect(old).toMatchObject({ state: 'closed', notes: ['Superseded by !4.'] });
    expect(s.mergeRequests[1]).toMatchObject({ state: 'opened', notes: [] });
  });

  it('uses the given base, and says so when the base branch does not exist', async () => {
    const s = await start();
    s.push('release/1.x', { 'package-lock.json': LOCK_V1 });
    await requests(s).propose(proposal({ base: 'release/1.x' }));
    expect(s.mergeRequests[0]!.target_branch).toBe('release/1.x');
    expect(s.requests.some((r) => r.rawPath === '/api/v4/projects/42')).toBe(false);

    const e = await rejection(requests(s).propose(proposal({ base: 'develop' })));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe('GitLab: base branch "develop" does not exist in project 42');
  });

  it('refuses to propose files the base already has', async () => {
    const s = await start();
    const e = await rejection(
      requests(s).propose(proposal({ files: [{ path: 'package-lock.json', content: LOCK_V1 }] })),
    );
    expect(e.message).toBe('GitLab: nothing to propose on project 42: main already has these files');
    expect(writes(s)).toEqual([]);
  });

  it('says in one line, without the token, what the token lacks', async () => {
    const s = await start();
    const readOnly = await rejection(requests(s, READ_ONLY).propose(proposal()));
    expect(readOnly).toBeInstanceOf(UserError);
    expect(readOnly.message).toBe(
      'GitLab API 403 while committing to branch "devsecflow/fix/lodash" of project 42: 403 Forbidden. The token needs the "api" scope and at least the Developer role on project 42 (push a branch, open a merge request), and a role allowed to push if the branch is protected (DEVSECFLOW_GITLAB_TOKEN; CI_JOB_TOKEN cannot push).',
    );
    const bad = await rejection(requests(s, 'glpat-wrong').propose(proposal()));
    expect(bad.message).toBe(
      'GitLab API 401 while reading project 42: 401 Unauthorized. The token was rejected (invalid, expired or revoked): set DEVSECFLOW_GITLAB_TOKEN to a project access token with the "api" scope.',
    );
    const missing = await rejection(requests(s, TOKEN, 7).propose(proposal()));
    expect(missing.message).toBe(
      'GitLab API 404 while reading project 7: 404 Project Not Found. project 7 does not exist or the token cannot see it.',
    );
    // With the base given, the project is not read first: its 404 still is not "no such branch".
    const missingWithBase = await rejection(requests(s, TOKEN, 7).propose(proposal({ base: 'main' })));
    expect(missingWithBase.message).toBe(
      'GitLab API 404 while reading branch "main" of project 7: 404 Project Not Found. project 7 does not exist or the token cannot see it.',
    );
    for (const e of [readOnly, bad, missing]) {
      expect(e.message).not.toMatch(/glpat-/);
      expect(e.message).not.toContain('\n');
      expect(e.cause).toBeUndefined();
    }
  });

  it('gives GitLab’s reason for a refused MR (another run opened one since the lookup)', async () => {
    const s = await start();
    s.failNext('POST', '/api/v4/projects/42/merge_requests', 409, {
      message: ['Another open merge request already exists for this source branch: !9'],
    });
    const e = await rejection(requests(s).propose(proposal()));
    expect(e.message).toBe(
      'GitLab API 409 while opening the merge request from devsecflow/fix/lodash into main in project 42: Another open merge request already exists for this source branch: !9.',
    );
  });

  it('checks the proposal before any call', async () => {
    const s = await start();
    const e = await rejection(requests(s).propose(proposal({ branch: 'fix me' })));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toContain('branch "fix me" is not a valid branch name');
    expect(s.requests).toHaveLength(0);
  });

  it('is there on the platform with DEVSECFLOW_GITLAB_TOKEN, based on CI_DEFAULT_BRANCH', async () => {
    const s = await start();
    s.push('trunk', { 'package-lock.json': LOCK_V1 });
    const env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: s.apiUrl,
      CI_PROJECT_ID: '42',
      CI_DEFAULT_BRANCH: 'trunk',
      CI_JOB_TOKEN: 'job-token',
    };
    const logger = createMemoryLogger();
    expect(createGitLabPlatform({ env, logger }).changeRequests?.()).toBeUndefined();
    const c = createGitLabPlatform({
      env: { ...env, DEVSECFLOW_GITLAB_TOKEN: TOKEN },
      logger,
    }).changeRequests?.();
    expect(await c?.propose(proposal())).toMatchObject({ id: '1', created: true });
    expect(s.mergeRequests[0]!.target_branch).toBe('trunk');
    expect(s.requests.every((r) => r.privateToken === TOKEN)).toBe(true);
  });
});
