import { type ChangeProposal, createMemoryLogger, issueMarker, UserError } from '@devsecflow/core';
import { rejectionOf as rejection } from '@devsecflow/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubChangeRequests, PULL_BODY_LIMIT } from './change-requests.js';
import { createOctokit } from './octokit.js';
import { createGitHubPlatform } from './platform.js';
import { type FakePullsServer, startFakePulls } from './testing/fake-pulls.js';

const TOKEN = 'ghs_pullsTestToken0123456789';
const READ_ONLY = 'ghs_readOnlyToken0123456789';
const NO_PULLS = 'ghs_contentsOnlyToken012345';
const KEY = 'devsecflow-fix:shop:lodash';
const LOCK_V1 =
  '{"name":"shop","lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.20"}}}\n';
const LOCK_V2 =
  '{"name":"shop","lockfileVersion":3,"packages":{"node_modules/lodash":{"version":"4.17.21"}}}\n';

let server: FakePullsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (extra: { actionsCannotCreatePulls?: boolean } = {}) => {
  server = await startFakePulls({
    token: TOKEN,
    readOnlyToken: READ_ONLY,
    noPullsToken: NO_PULLS,
    files: { 'package.json': '{"name":"shop"}\n', 'package-lock.json': LOCK_V1 },
    ...extra,
  });
  return server;
};

const requests = (s: FakePullsServer, token = TOKEN, logger = createMemoryLogger()) =>
  createGitHubChangeRequests({ octokit: createOctokit(token, s.url), owner: 'acme', repo: 'shop', logger });

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

const writes = (s: FakePullsServer) => s.requests.filter((r) => r.method !== 'GET');

describe('GitHub change requests', () => {
  it('commits the files onto a new branch through the Git Data API and opens a labelled PR', async () => {
    const s = await start();
    const mainBefore = s.refs.get('main')!;
    const result = await requests(s).propose(proposal());

    expect(result).toEqual({
      id: '1',
      url: 'https://github.example/acme/shop/pull/1',
      created: true,
      unchanged: false,
    });
    // One commit on top of main with the new lockfile; main itself untouched.
    const head = s.refs.get('devsecflow/fix/lodash')!;
    expect(s.commits.get(head)).toMatchObject({
      parents: [mainBefore],
      message: 'fix(deps): lodash 4.17.21',
    });
    expect(s.filesAt('devsecflow/fix/lodash')).toEqual({
      'package.json': '{"name":"shop"}\n',
      'package-lock.json': LOCK_V2,
    });
    expect(s.refs.get('main')).toBe(mainBefore);
    const pr = s.pulls[0]!;
    expect(pr).toMatchObject({ head: 'devsecflow/fix/lodash', base: 'main', state: 'open' });
    expect(pr.labels).toEqual(['security', 'dependencies']);
    expect(pr.body).toBe(`${proposal().body}\n\n${issueMarker(KEY)}\n`);
    // The calls, in order: nothing pushed, no force on a new branch.
    expect(writes(s).map((r) => `${r.method} ${r.rawPath}`)).toEqual([
      'POST /repos/acme/shop/git/blobs',
      'POST /repos/acme/shop/git/trees',
      'POST /repos/acme/shop/git/commits',
      'POST /repos/acme/shop/git/refs',
      'POST /repos/acme/shop/pulls',
      'POST /repos/acme/shop/issues/1/labels',
    ]);
    expect(s.requests.find((r) => r.rawPath.endsWith('/git/refs'))?.body).toEqual({
      ref: 'refs/heads/devsecflow/fix/lodash',
      sha: head,
    });
    // The default branch came from the repository, the tree was built on main's tree.
    expect(s.requests.some((r) => r.method === 'GET' && r.rawPath === '/repos/acme/shop')).toBe(true);
    const tree = s.requests.find((r) => r.rawPath.endsWith('/git/trees'))!.body!;
    expect(tree.base_tree).toBe(s.commits.get(mainBefore)!.tree);
  });

  it('changes nothing when the same proposal comes again', async () => {
    const s = await start();
    await requests(s).propose(proposal());
    const head = s.refs.get('devsecflow/fix/lodash');
    // GitHub may hand the body back with CRLF line endings: still the same text.
    s.pulls[0]!.body = s.pulls[0]!.body!.replace(/\n/g, '\r\n');
    const before = s.requests.length;

    const again = await requests(s).propose(proposal());
    expect(again).toEqual({ id: '1', url: s.pulls[0]!.html_url, created: false, unchanged: true });
    expect(s.refs.get('devsecflow/fix/lodash')).toBe(head);
    expect(s.pulls).toHaveLength(1);
    // Only the content-addressed blob and tree were written: no commit, ref, PR or label call.
    expect(
      s.requests
        .slice(before)
        .filter((r) => r.method !== 'GET')
        .map((r) => r.rawPath),
    ).toEqual(['/repos/acme/shop/git/blobs', '/repos/acme/shop/git/trees']);
  });

  it('force-updates the branch and updates the PR when the files or the text change', async () => {
    const s = await start();
    await requests(s).propose(proposal());
    const first = s.refs.get('devsecflow/fix/lodash')!;
    // A person adds a label; main moves on meanwhile.
    s.pulls[0]!.labels.push('needs-review');
    const mainNow = s.push('main', { 'README.md': '# shop\n' });

    const lock3 = LOCK_V2.replace('4.17.21', '4.17.22');
    const result = await requests(s).propose(
      proposal({
        title: 'fix(deps): lodash 4.17.22',
        body: 'Fixes two advisories.',
        labels: ['security', 'automerge'],
        files: [{ path: 'package-lock.json', content: lock3 }],
      }),
    );
    expect(result).toEqual({ id: '1', url: s.pulls[0]!.html_url, created: false, unchanged: false });
    const head = s.refs.get('devsecflow/fix/lodash')!;
    expect(head).not.toBe(first);
    // Rebuilt on the current main: one commit, the new lockfile and main's new file.
    expect(s.commits.get(head)!.parents).toEqual([mainNow]);
    expect(s.filesAt('devsecflow/fix/lodash')).toMatchObject({
      'package-lock.json': lock3,
      'README.md': '# shop\n',
    });
    const patch = s.requests.find((r) => r.method === 'PATCH' && r.rawPath.includes('/git/refs/'))!;
    expect(patch.body).toEqual({ sha: head, force: true });
    expect(s.pulls).toHaveLength(1);
    expect(s.pulls[0]).toMatchObject({
      title: 'fix(deps): lodash 4.17.22',
      body: `Fixes two advisories.\n\n${issueMarker(KEY)}\n`,
    });
    expect(s.pulls[0]!.labels).toEqual(['security', 'dependencies', 'needs-review', 'automerge']);
  });

  it('URL-encodes a branch name with odd characters and passes file paths through untouched', async () => {
    const s = await start();
    const branch = 'devsecflow/fix/@types+node#2%41';
    const path = 'apps/$(touch pwned)/`id` & "x".json';
    const p = proposal({ branch, files: [{ path, content: 'x\n' }] });
    await requests(s).propose(p);
    expect(s.filesAt(branch)?.[path]).toBe('x\n');
    // Second run reads and updates the ref through its encoded path.
    s.push('main', { 'README.md': 'moved\n' });
    const again = await requests(s).propose(p);
    expect(again.created).toBe(false);
    const refPaths = s.requests
      .filter((r) => r.rawPath.includes('/git/ref'))
      .map((r) => `${r.method} ${r.rawPath}`);
    expect(refPaths).toContain(
      'GET /repos/acme/shop/git/ref/heads%2Fdevsecflow%2Ffix%2F%40types%2Bnode%232%2541',
    );
    expect(refPaths).toContain(
      'PATCH /repos/acme/shop/git/refs/heads%2Fdevsecflow%2Ffix%2F%40types%2Bnode%232%2541',
    );
    expect(s.refs.has('devsecflow/fix/@types+node#2A')).toBe(false);
    const lists = s.requests.filter((r) => r.method === 'GET' && r.rawPath === '/repos/acme/shop/pulls');
    expect(lists[0]!.query.head).toBe(`acme:${branch}`);
    const tree = s.requests.find((r) => r.rawPath.endsWith('/git/trees'))!.body!;
    expect((tree.tree as Array<{ path: string }>)[0]!.path).toBe(path);
  });

  it('finds its open PR by head (never a fork PR), and closes one carrying the key from an earlier branch as superseded', async () => {
    const s = await start();
    s.seedPull({
      title: 'someone else',
      head: 'feature',
      body: 'quoting\n```\n' + issueMarker(KEY) + '\n```',
    });
    const old = s.seedPull({
      title: 'old fix',
      head: 'devsecflow/fix/lodash-4.17.21',
      body: `x\n${issueMarker(KEY)}`,
    });
    s.push('devsecflow/fix/lodash-4.17.21', { 'package-lock.json': LOCK_V2 });
    const fork = s.seedPull({
      title: 'fork copy',
      head: 'devsecflow/fix/lodash-4.17.21',
      headRepo: 'mallory/shop',
      body: issueMarker(KEY),
    });

    const result = await requests(s).propose(proposal());
    expect(result).toMatchObject({ id: '4', created: true });
    expect(old).toMatchObject({ state: 'closed', comments: ['Superseded by #4.'] });
    expect(fork).toMatchObject({ state: 'open', comments: [] });
    expect(s.pulls[0]).toMatchObject({ state: 'open', comments: [] });
  });

  it('uses the given base, and says so when the base branch does not exist', async () => {
    const s = await start();
    s.push('release/1.x', { 'package-lock.json': LOCK_V1 });
    const r = await requests(s).propose(proposal({ base: 'release/1.x' }));
    expect(s.pulls[Number(r.id) - 1]!.base).toBe('release/1.x');
    expect(s.requests.some((q) => q.method === 'GET' && q.rawPath === '/repos/acme/shop')).toBe(false);

    const e = await rejection(requests(s).propose(proposal({ base: 'develop' })));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe('GitHub: base branch "develop" does not exist in acme/shop');
  });

  it('refuses to propose files the base already has', async () => {
    const s = await start();
    const e = await rejection(
      requests(s).propose(proposal({ files: [{ path: 'package-lock.json', content: LOCK_V1 }] })),
    );
    expect(e.message).toBe('GitHub: nothing to propose on acme/shop: main already has these files');
    expect(s.refs.has('devsecflow/fix/lodash')).toBe(false);
  });

  it('names the missing permission in one line, without the token', async () => {
    const s = await start();
    const readOnly = await rejection(requests(s, READ_ONLY).propose(proposal()));
    expect(readOnly).toBeInstanceOf(UserError);
    expect(readOnly.message).toBe(
      'GitHub API 403 while uploading package-lock.json to acme/shop: Resource not accessible by integration. The token needs the "contents: write" permission on acme/shop (workflow: permissions: contents: write, pull-requests: write).',
    );

    const noPulls = await rejection(requests(s, NO_PULLS).propose(proposal()));
    expect(noPulls.message).toContain(
      'GitHub API 403 while opening the pull request from devsecflow/fix/lodash into main',
    );
    expect(noPulls.message).toContain('The token needs the "pull-requests: write" permission on acme/shop');

    const bad = await rejection(requests(s, 'ghs_wrong').propose(proposal()));
    expect(bad.message).toBe(
      'GitHub API 401 while reading acme/shop: Bad credentials. The token was rejected (invalid or expired).',
    );
    for (const e of [readOnly, noPulls, bad]) {
      expect(e.message).not.toMatch(/ghs_/);
      expect(e.message).not.toContain('\n');
      expect(e.cause).toBeUndefined();
    }
  });

  it('names the repository setting when Actions may not open pull requests', async () => {
    const s = await start({ actionsCannotCreatePulls: true });
    const e = await rejection(requests(s).propose(proposal()));
    expect(e.message).toContain('GitHub Actions is not permitted to create or approve pull requests');
    expect(e.message).toContain('"Allow GitHub Actions to create and approve pull requests"');
  });

  it('says what the 404 and 422 answers mean', async () => {
    const s = await start();
    const missing = createGitHubChangeRequests({
      octokit: createOctokit(TOKEN, s.url),
      owner: 'acme',
      repo: 'gone',
    });
    const e404 = await rejection(missing.propose(proposal({ base: 'main' })));
    expect(e404.message).toBe(
      'GitHub API 404 while reading acme/gone: Not Found. acme/gone does not exist or the token cannot see it (a token without access to a private repository gets 404).',
    );
    // A PR opened from the branch between our list and our create (another run): GitHub's 422 details.
    s.failNext('POST', '/repos/acme/shop/pulls', 422, {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:devsecflow/fix/lodash.',
        },
      ],
    });
    const e422 = await rejection(requests(s).propose(proposal()));
    expect(e422.message).toBe(
      'GitHub API 422 while opening the pull request from devsecflow/fix/lodash into main in acme/shop: Validation Failed: A pull request already exists for acme:devsecflow/fix/lodash.',
    );
  });

  it('cuts a body over the GitHub limit and still finds the PR by it', async () => {
    const s = await start();
    const output = Array.from({ length: 8000 }, (_, i) => `  failing test ${i}`).join('\n');
    const p = proposal({ body: `Tests failed:\n\n\`\`\`text\n${output}\n\`\`\`` });
    await requests(s).propose(p);
    const body = s.pulls[0]!.body!;
    expect(body.length).toBeLessThanOrEqual(PULL_BODY_LIMIT);
    expect(body).toContain("_Cut to fit the platform's 65,536-character limit");
    expect(body.endsWith(`${issueMarker(KEY)}\n`)).toBe(true);
    expect(await requests(s).propose(p)).toMatchObject({ id: '1', unchanged: true });
  });

  it('checks the proposal before any call', async () => {
    const s = await start();
    const e = await rejection(requests(s).propose(proposal({ files: [{ path: '../x', content: '' }] })));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toContain('"../x"');
    expect(s.requests).toHaveLength(0);
  });

  it('is there on the platform when a token and a repository are', async () => {
    const s = await start();
    const env = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: s.url };
    const logger = createMemoryLogger();
    expect(createGitHubPlatform({ env, logger }).changeRequests?.()).toBeUndefined();
    const platform = createGitHubPlatform({ env, logger, token: TOKEN });
    const result = await platform.changeRequests?.()?.propose(proposal());
    expect(result).toMatchObject({ id: '1', created: true });
    expect(s.requests[0]!.authorization).toBe(`token ${TOKEN}`);
  });
});
