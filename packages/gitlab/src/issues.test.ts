import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, hasIssueMarker, type IssueDraft, issueMarker } from '@devsecflow/core';
import { rejectionOf as rejection } from '@devsecflow/core/testing';
import { type Ecosystem, OfflineDb, toCycloneDx } from '@devsecflow/deps';
import { monitor, openInventoryStore } from '@devsecflow/inventory';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitLabIssueTracker } from './issues.js';
import { createGitLabPlatform } from './platform.js';
import { type FakeGlIssuesServer, startFakeGitLabIssues } from './test-issues-server.js';

const TOKEN = 'glpat-issuesTest0123456789';
const READ_ONLY = 'glpat-readApiOnly0123456789';
const KEY = 'devsecflow-monitor:shop:GHSA-35jh-r3h4-6jhm';

let server: FakeGlIssuesServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async () => {
  server = await startFakeGitLabIssues({ token: TOKEN, readOnlyToken: READ_ONLY, users: { alice: 7 } });
  return server;
};

const tracker = (s: FakeGlIssuesServer, token = TOKEN, logger = createMemoryLogger()) =>
  createGitLabIssueTracker({ host: s.url, auth: { token }, projectId: '42', logger });

const draft = (extra: Partial<IssueDraft> = {}): IssueDraft => ({
  key: KEY,
  title: 'GHSA-35jh-r3h4-6jhm (high) affects shop',
  body: `Deployed versions of **shop** are affected.\n\n${issueMarker(KEY)}`,
  labels: ['security', 'devsecflow'],
  assignees: ['alice'],
  ...extra,
});

describe('GitLab issue tracker', () => {
  it('finds an issue by its marker across pages, ignoring a quoted marker', async () => {
    const s = await start();
    const target = s.seed({ title: 'ours', description: `x\n${issueMarker(KEY)}`, labels: ['devsecflow'] });
    for (let i = 0; i < 120; i++)
      s.seed({ title: `other ${i}`, description: issueMarker(`k${i}`), labels: ['devsecflow'] });
    s.seed({
      title: 'quoting',
      description: `We mark issues like this:\n\`\`\`\n${issueMarker(KEY)}\n\`\`\``,
      labels: ['devsecflow'],
    });
    const found = await tracker(s).find(KEY);
    expect(found).toEqual({ id: String(target.iid), url: target.web_url, state: 'open' });
    const lists = s.requests.filter((r) => r.method === 'GET');
    expect(lists.map((r) => r.query.page ?? '1')).toEqual(['1', '2']);
    expect(lists[0]).toMatchObject({
      path: '/api/v4/projects/42/issues',
      query: { labels: 'devsecflow', state: 'all', per_page: '100' },
    });
    expect(s.requests.some((r) => r.path.includes('/search'))).toBe(false);
    expect(await tracker(s).find('devsecflow-monitor:shop:none')).toBeUndefined();
  });

  it('finds a closed issue and reports it closed', async () => {
    const s = await start();
    const closed = s.seed({
      title: 'x',
      description: issueMarker(KEY),
      labels: ['devsecflow'],
      state: 'closed',
    });
    expect(await tracker(s).find(KEY)).toEqual({
      id: String(closed.iid),
      url: closed.web_url,
      state: 'closed',
    });
  });

  it('creates an issue with labels and assignees resolved to user ids, leaving out unknown users', async () => {
    const s = await start();
    const logger = createMemoryLogger();
    const ref = await tracker(s, TOKEN, logger).create(
      draft({ labels: ['security'], assignees: ['alice', 'ghost'] }),
    );
    expect(ref).toEqual({ id: '1', url: 'https://gitlab.example.com/group/project/-/issues/1' });
    expect(s.issues[0]).toMatchObject({
      title: draft().title,
      description: draft().body,
      labels: ['security', 'devsecflow'],
      assignee_ids: [7],
    });
    expect(s.requests.filter((r) => r.path === '/api/v4/users').map((r) => r.query.username)).toEqual([
      'alice',
      'ghost',
    ]);
    expect(s.requests.at(-1)!.body).toMatchObject({ labels: 'security,devsecflow', assignee_ids: [7] });
    expect(logger.lines).toEqual([
      'warning: GitLab has no user @ghost; the issue on project 42 is not assigned to them',
    ]);
  });

  it('warns when GitLab did not apply the label find() relies on', async () => {
    server = await startFakeGitLabIssues({ token: TOKEN, dropLabels: true });
    const logger = createMemoryLogger();
    await tracker(server, TOKEN, logger).create(draft({ assignees: [] }));
    expect(logger.lines).toEqual([
      'warning: GitLab did not apply the label "devsecflow" to issue #1 on project 42: the monitor cannot find this issue again if its state store is lost',
    ]);
  });

  it('update replaces title, description and labels and reopens a closed issue', async () => {
    const s = await start();
    const i = s.seed({ title: 'old', description: 'old', labels: ['devsecflow'], state: 'closed' });
    await tracker(s).update({ id: String(i.iid) }, draft({ title: 'new title' }));
    expect(i).toMatchObject({
      title: 'new title',
      description: draft().body,
      labels: ['security', 'devsecflow'],
      state: 'opened',
    });
    expect(s.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/api/v4/projects/42/issues/${i.iid}` });
    expect(s.requests.at(-1)!.body).toMatchObject({ state_event: 'reopen' });
  });

  it('close adds a note, then closes', async () => {
    const s = await start();
    const i = s.seed({ title: 'x', description: issueMarker(KEY), labels: ['devsecflow'] });
    await tracker(s).close({ id: String(i.iid) }, 'No longer deployed.');
    expect(i.notes).toEqual(['No longer deployed.']);
    expect(i.state).toBe('closed');
    expect(s.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v4/projects/42/issues/${i.iid}/notes`,
      `PUT /api/v4/projects/42/issues/${i.iid}`,
    ]);
    expect(s.requests[1]!.body).toEqual({ state_event: 'close' });
  });

  it('a token that may not write gives one line naming the call and the api scope, without the token', async () => {
    const s = await start();
    const err = await rejection(tracker(s, READ_ONLY).create(draft({ assignees: [] })));
    expect(err.message).toMatch(
      /^GitLab API 403 while creating the issue "GHSA-35jh-r3h4-6jhm \(high\) affects shop" on project 42: .*\. The token needs the "api" scope and at least the Reporter role on project 42 \(DEVSECFLOW_GITLAB_TOKEN; CI_JOB_TOKEN cannot write issues\)\.$/,
    );
    expect(err.message).not.toContain('\n');
    const closing = await rejection(tracker(s, READ_ONLY).close({ id: '1' }, 'bye'));
    expect(closing.message).toMatch(
      /^GitLab API 403 while commenting on issue #1 on project 42: .*"api" scope/,
    );
    for (const e of [err, closing]) {
      expect(e.cause).toBeUndefined();
      expect(JSON.stringify({ ...e, message: e.message, stack: e.stack })).not.toContain(READ_ONLY);
    }
  });

  it('a rejected token (401) is one line, and the token appears nowhere', async () => {
    const s = await start();
    const bad = 'glpat-revoked0123456789';
    const err = await rejection(tracker(s, bad).find(KEY));
    expect(err.message).toMatch(
      /^GitLab API 401 while listing the "devsecflow" issues of project 42: .*The token was rejected \(invalid, expired or revoked\): set DEVSECFLOW_GITLAB_TOKEN to a project access token with the "api" scope\.$/,
    );
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(bad);
  });

  it('the platform offers the tracker only with DEVSECFLOW_GITLAB_TOKEN', async () => {
    const s = await start();
    const env = {
      GITLAB_CI: 'true',
      CI_API_V4_URL: s.apiUrl,
      CI_PROJECT_ID: '42',
      CI_JOB_TOKEN: 'job-token',
    };
    const logger = createMemoryLogger();
    expect(createGitLabPlatform({ env, logger }).issueTracker?.()).toBeUndefined();
    const t = createGitLabPlatform({
      env: { ...env, DEVSECFLOW_GITLAB_TOKEN: TOKEN },
      logger,
    }).issueTracker?.();
    expect(t).toBeDefined();
    await t!.create(draft({ assignees: [] }));
    expect(s.requests[0]!.privateToken).toBe(TOKEN);
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

describe('monitor end to end on GitLab (real gitbeaker, fake API)', () => {
  it('opens one issue, none on a second run, and closes it after a fixed deploy', async () => {
    const s = await start();
    const dir = await mkdtemp(join(tmpdir(), 'dsf-gl-monitor-'));
    const store = await openInventoryStore(join(dir, 'inventory.sqlite'));
    try {
      const deploy = (commit: string, lodash: string, time: string) =>
        store.recordDeployment({
          application: 'shop',
          environment: 'production',
          commit,
          time,
          owners: ['@alice', 'shop@example.com'],
          sbom: sbom([
            ['npm', 'lodash', lodash],
            ['npm', 'ms', '2.1.3'],
          ]),
        });
      const source = new OfflineDb({ dir: OSV_DB, cacheDir: join(dir, 'osv-cache') });
      const issues = createGitLabPlatform({
        env: {
          GITLAB_CI: 'true',
          CI_API_V4_URL: s.apiUrl,
          CI_PROJECT_ID: '42',
          DEVSECFLOW_GITLAB_TOKEN: TOKEN,
        },
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
      expect(issue.assignee_ids).toEqual([7]);
      expect(hasIssueMarker(issue.description, 'devsecflow-monitor:shop:GHSA-35jh-r3h4-6jhm')).toBe(true);
      expect(first.events[0]!.issue).toEqual({ id: '1', url: issue.web_url });

      const second = await run();
      expect(second.events).toEqual([]);
      expect(s.issues).toHaveLength(1);

      await deploy('2222222222222222', '4.17.21', '2026-11-10T00:00:00Z');
      const third = await run();
      expect(third.errors).toEqual([]);
      expect(third.events.map((e) => `${e.type} ${e.advisory.id}`)).toEqual(['closed GHSA-35jh-r3h4-6jhm']);
      expect(s.issues).toHaveLength(1);
      expect(issue.state).toBe('closed');
      expect(issue.notes).toHaveLength(1);
      expect(issue.notes[0]).toContain('no longer contain a version affected by GHSA-35jh-r3h4-6jhm');
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
