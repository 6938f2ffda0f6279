import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, hasIssueMarker, type IssueDraft, issueMarker } from '@devsecflow/core';
import { rejectionOf as rejection } from '@devsecflow/core/testing';
import { type Ecosystem, OfflineDb, toCycloneDx } from '@devsecflow/deps';
import { monitor, openInventoryStore } from '@devsecflow/inventory';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitHubIssueTracker } from './issues.js';
import { createOctokit } from './octokit.js';
import { createGitHubPlatform } from './platform.js';
import { type FakeIssuesServer, startFakeIssues } from './test-issues-server.js';

const TOKEN = 'ghs_issuesTestToken0123456789';
const READ_ONLY = 'ghs_readOnlyToken0123456789';
const KEY = 'devsecflow-monitor:shop:GHSA-35jh-r3h4-6jhm';

let server: FakeIssuesServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (assignable: string[] = ['alice']) => {
  server = await startFakeIssues({ token: TOKEN, readOnlyToken: READ_ONLY, assignable });
  return server;
};

const tracker = (s: FakeIssuesServer, token = TOKEN, logger = createMemoryLogger()) =>
  createGitHubIssueTracker({ octokit: createOctokit(token, s.url), owner: 'acme', repo: 'shop', logger });

const draft = (extra: Partial<IssueDraft> = {}): IssueDraft => ({
  key: KEY,
  title: 'GHSA-35jh-r3h4-6jhm (high) affects shop',
  body: `Deployed versions of **shop** are affected.\n\n${issueMarker(KEY)}`,
  labels: ['security', 'devsecflow'],
  assignees: ['alice'],
  ...extra,
});

describe('GitHub issue tracker', () => {
  it('finds an issue by its marker across pages, never through the search API', async () => {
    const s = await start();
    const target = s.seed({ title: 'ours', body: `old text\n${issueMarker(KEY)}`, labels: ['devsecflow'] });
    s.seed({ title: 'closed dup', body: issueMarker(KEY), labels: ['devsecflow'], state: 'closed' });
    for (let i = 0; i < 150; i++)
      s.seed({ title: `other ${i}`, body: issueMarker(`k${i}`), labels: ['devsecflow'] });
    // Newer, on page 1: the marker quoted in a code block, and a pull request carrying it.
    s.seed({
      title: 'quoting',
      body: `Our issues carry\n\`\`\`\n${issueMarker(KEY)}\n\`\`\``,
      labels: ['devsecflow'],
    });
    s.seed({ title: 'pr', body: issueMarker(KEY), labels: ['devsecflow'], pull_request: { url: 'x' } });

    const found = await tracker(s).find(KEY);
    expect(found).toEqual({ id: String(target.number), url: target.html_url, state: 'open' });
    const lists = s.requests.filter((r) => r.method === 'GET');
    expect(lists.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(lists[0]).toMatchObject({
      path: '/repos/acme/shop/issues',
      query: { labels: 'devsecflow', state: 'all', per_page: '100' },
    });
    expect(s.requests.some((r) => r.path.startsWith('/search'))).toBe(false);
    expect(await tracker(s).find('devsecflow-monitor:shop:none')).toBeUndefined();
  });

  it('finds a closed issue and reports it closed', async () => {
    const s = await start();
    const closed = s.seed({ title: 'x', body: issueMarker(KEY), labels: ['devsecflow'], state: 'closed' });
    expect(await tracker(s).find(KEY)).toEqual({
      id: String(closed.number),
      url: closed.html_url,
      state: 'closed',
    });
  });

  it('creates an issue with labels and assignees', async () => {
    const s = await start();
    const ref = await tracker(s).create(draft({ labels: ['security'] }));
    expect(ref).toEqual({ id: '1', url: 'https://github.example/acme/shop/issues/1' });
    expect(s.issues[0]).toMatchObject({
      title: draft().title,
      body: draft().body,
      labels: ['security', 'devsecflow'],
      assignees: ['alice'],
    });
  });

  it('creates the issue without assignees GitHub refuses, and says so', async () => {
    const s = await start(['alice']);
    const logger = createMemoryLogger();
    const ref = await tracker(s, TOKEN, logger).create(draft({ assignees: ['alice', 'ghost'] }));
    expect(ref.id).toBe('1');
    expect(s.issues).toHaveLength(1);
    expect(s.issues[0]!.assignees).toEqual([]);
    const posts = s.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.body?.assignees)).toEqual([['alice', 'ghost'], undefined]);
    expect(logger.lines).toEqual([
      'warning: GitHub refused the assignees @alice, @ghost on acme/shop (Validation Failed); creating the issue without assignees',
    ]);
  });

  it('warns when GitHub drops the label find() relies on', async () => {
    server = await startFakeIssues({ token: TOKEN, assignable: ['alice'], dropLabels: true });
    const logger = createMemoryLogger();
    await tracker(server, TOKEN, logger).create(draft());
    expect(logger.lines).toEqual([
      'warning: GitHub did not apply the label "devsecflow" to issue #1 on acme/shop (it drops labels for tokens without push access): the monitor cannot find this issue again if its state store is lost',
    ]);
  });

  it('update replaces title, body and labels and reopens a closed issue', async () => {
    const s = await start();
    const i = s.seed({ title: 'old', body: 'old', labels: ['devsecflow'], state: 'closed' });
    await tracker(s).update({ id: String(i.number) }, draft({ title: 'new title', labels: ['security'] }));
    expect(i).toMatchObject({
      title: 'new title',
      body: draft().body,
      labels: ['security', 'devsecflow'],
      state: 'open',
    });
    expect(s.requests.at(-1)).toMatchObject({ method: 'PATCH', path: `/repos/acme/shop/issues/${i.number}` });
    expect(s.requests.at(-1)!.body).toMatchObject({ state: 'open' });
  });

  it('close comments, then closes as completed', async () => {
    const s = await start();
    const i = s.seed({ title: 'x', body: issueMarker(KEY), labels: ['devsecflow'] });
    await tracker(s).close({ id: String(i.number) }, 'No longer deployed.');
    expect(i.comments).toEqual(['No longer deployed.']);
    expect(i.state).toBe('closed');
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/shop/issues/${i.number}/comments`,
      `PATCH /repos/acme/shop/issues/${i.number}`,
    ]);
    expect(s.requests[1]!.body).toEqual({ state: 'closed', state_reason: 'completed' });
  });

  it('a token without issues: write gives one line naming the call and the permission, without the token', async () => {
    const s = await start();
    const err = await rejection(tracker(s, READ_ONLY).create(draft()));
    expect(err.message).toBe(
      'GitHub API 403 while creating the issue "GHSA-35jh-r3h4-6jhm (high) affects shop" in acme/shop: Resource not accessible by integration. The token needs the "issues: write" permission on acme/shop (workflow: permissions: issues: write).',
    );
    expect(err.message).not.toContain('\n');
    const closing = await rejection(tracker(s, READ_ONLY).close({ id: '1' }, 'bye'));
    expect(closing.message).toMatch(
      /^GitHub API 403 while commenting on issue #1 in acme\/shop: .*"issues: write"/,
    );
    for (const e of [err, closing]) {
      expect(JSON.stringify({ ...e, message: e.message, stack: e.stack, cause: e.cause })).not.toContain(
        READ_ONLY,
      );
    }
  });

  it('a rejected token (401) is one line, and the token appears nowhere', async () => {
    const s = await start();
    const bad = 'ghs_revokedToken0123456789';
    const err = await rejection(tracker(s, bad).find(KEY));
    expect(err.message).toBe(
      'GitHub API 401 while listing the "devsecflow" issues of acme/shop: Bad credentials. The token was rejected (invalid or expired).',
    );
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(bad);
  });

  it('the platform offers the tracker only with a token and a repository', async () => {
    const s = await start();
    const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_ACTIONS: 'true' };
    const logger = createMemoryLogger();
    expect(createGitHubPlatform({ env, logger, apiUrl: s.url }).issueTracker?.()).toBeUndefined();
    const t = createGitHubPlatform({ env, logger, apiUrl: s.url, token: TOKEN }).issueTracker?.();
    expect(t).toBeDefined();
    await t!.create(draft());
    expect(s.requests[0]!.authorization).toBe(`token ${TOKEN}`);
    expect(s.issues).toHaveLength(1);
  });
});

const OSV_DB = join(import.meta.dirname, '..', '..', '..', 'examples', 'deps', 'osv-db');

const sbom = (packages: [Ecosystem, string, string][]) =>
  toCycloneDx(
    [
      {
        manifest: 'package-lock.json',
        ecosystem: 'npm',
        format: 'npm',
        packages: packages.map(([ecosystem, name, version]) => ({
          ecosystem,
          name,
          version,
          manifest: 'package-lock.json',
          direct: true,
          scope: 'prod' as const,
        })),
      },
    ],
    { name: 'shop' },
  );

describe('monitor end to end on GitHub (real octokit, fake API)', () => {
  it('opens one issue, none on a second run, and closes it after a fixed deploy', async () => {
    const s = await start(['alice']);
    const dir = await mkdtemp(join(tmpdir(), 'dsf-gh-monitor-'));
    const store = await openInventoryStore(join(dir, 'inventory.sqlite'));
    try {
      const deploy = (commit: string, lodash: string, time: string) =>
        store.recordDeployment({
          application: 'shop',
          environment: 'production',
          commit,
          time,
          owners: ['@alice', '@acme/shop-team'],
          sbom: sbom([
            ['npm', 'lodash', lodash],
            ['npm', 'ms', '2.1.3'],
          ]),
        });
      const source = new OfflineDb({ dir: OSV_DB, cacheDir: join(dir, 'osv-cache') });
      const issues = createGitHubPlatform({
        env: { GITHUB_REPOSITORY: 'acme/shop' },
        token: TOKEN,
        apiUrl: s.url,
        logger: createMemoryLogger(),
      }).issueTracker?.();
      const run = () => monitor({ store, source, tracker: issues, now: new Date('2026-11-22T00:00:00Z') });

      await deploy('1111111111111111', '4.17.20', '2026-11-01T00:00:00Z');
      const first = await run();
      expect(first.errors).toEqual([]);
      expect(first.events.map((e) => `${e.type} ${e.advisory.id}`)).toEqual(['opened GHSA-35jh-r3h4-6jhm']);
      expect(s.issues).toHaveLength(1);
      const issue = s.issues[0]!;
      expect(issue.labels).toEqual(['security', 'devsecflow']);
      expect(issue.assignees).toEqual(['alice']);
      expect(hasIssueMarker(issue.body, 'devsecflow-monitor:shop:GHSA-35jh-r3h4-6jhm')).toBe(true);
      expect(first.events[0]!.issue).toEqual({ id: '1', url: issue.html_url });

      const second = await run();
      expect(second.events).toEqual([]);
      expect(s.issues).toHaveLength(1);

      await deploy('2222222222222222', '4.17.21', '2026-11-10T00:00:00Z');
      const third = await run();
      expect(third.errors).toEqual([]);
      expect(third.events.map((e) => `${e.type} ${e.advisory.id}`)).toEqual(['closed GHSA-35jh-r3h4-6jhm']);
      expect(s.issues).toHaveLength(1);
      expect(issue.state).toBe('closed');
      expect(issue.comments).toHaveLength(1);
      expect(issue.comments[0]).toContain('no longer contain a version affected by GHSA-35jh-r3h4-6jhm');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
