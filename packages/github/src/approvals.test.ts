import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listApprovals, reviewPendingDeployment, setDeploymentStatus } from './approvals.js';
import { createOctokit } from './octokit.js';

const HEAD = 'a1'.repeat(20);
const MERGE = 'b2'.repeat(20);
const OLD = 'c3'.repeat(20);
const TOKEN = 'ghs_test0123456789';

interface Recorded {
  method: string;
  path: string;
  body: unknown;
  auth?: string;
}

type Handler = (req: Recorded, query: URLSearchParams) => [number, unknown] | undefined;

/** A GitHub REST stand-in on 127.0.0.1: routes are (method, path regexp) -> [status, body]. */
async function github(routes: [string, RegExp, Handler][]) {
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const rec: Recorded = {
      method: req.method ?? 'GET',
      path: url.pathname,
      body: text ? JSON.parse(text) : undefined,
      auth: req.headers.authorization,
    };
    requests.push(rec);
    for (const [method, re, handler] of routes) {
      if (method !== rec.method || !re.test(url.pathname)) continue;
      const out = handler(rec, url.searchParams);
      if (!out) continue;
      res.writeHead(out[0], { 'content-type': 'application/json' });
      res.end(out[1] === undefined ? '' : JSON.stringify(out[1]));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Not Found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, requests, octokit: createOctokit(TOKEN, url) };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const review = (login: string, state: string, at: string, commit = HEAD) => ({
  user: { login },
  state,
  submitted_at: at,
  commit_id: commit,
});

const pull = {
  number: 12,
  merged_at: '2026-11-18T10:00:00Z',
  merge_commit_sha: MERGE,
  head: { sha: HEAD },
  user: { login: 'dev' },
};

function prRoutes(reviews: unknown[], members: Record<string, string[]> = {}): [string, RegExp, Handler][] {
  return [
    ['GET', /^\/repos\/acme\/shop\/commits\/[0-9a-f]+\/pulls$/, () => [200, [pull]]],
    ['GET', /^\/repos\/acme\/shop\/pulls\/12$/, () => [200, pull]],
    ['GET', /^\/repos\/acme\/shop\/pulls\/12\/reviews$/, () => [200, reviews]],
    [
      'GET',
      /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/,
      (req) => {
        const [, , org, , slug, , user] = req.path.split('/');
        return (members[`${org}/${slug}`] ?? []).includes(user!)
          ? [200, { state: 'active', role: 'member' }]
          : [404, { message: 'Not Found' }];
      },
    ],
  ];
}

describe('listApprovals through @actions/github', () => {
  it('maps reviews on the merged head to the deployed merge commit, found from the commit', async () => {
    const gh = await github(
      prRoutes(
        [
          review('alice', 'APPROVED', '2026-11-18T09:00:00Z'),
          review('bob', 'APPROVED', '2026-11-17T09:00:00Z', OLD),
          review('dev', 'APPROVED', '2026-11-18T09:30:00Z'),
          review('carol', 'APPROVED', '2026-11-18T08:00:00Z'),
          review('carol', 'COMMENTED', '2026-11-18T09:40:00Z'),
          review('erin', 'APPROVED', '2026-11-18T08:00:00Z'),
          review('erin', 'CHANGES_REQUESTED', '2026-11-18T09:50:00Z'),
        ],
        { 'acme/release': ['alice'], 'other/sre': ['carol'] },
      ),
    );
    const approvals = await listApprovals({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      commit: MERGE,
      teams: ['release', 'other/sre'],
    });
    expect(approvals).toEqual([
      { user: 'bob', state: 'approved', at: '2026-11-17T09:00:00Z', commit: OLD },
      { user: 'carol', state: 'approved', at: '2026-11-18T08:00:00Z', commit: MERGE, teams: ['other/sre'] },
      { user: 'erin', state: 'changes_requested', at: '2026-11-18T09:50:00Z', commit: MERGE },
      { user: 'alice', state: 'approved', at: '2026-11-18T09:00:00Z', commit: MERGE, teams: ['release'] },
    ]);
    expect(gh.requests.every((r) => r.auth === `token ${TOKEN}`)).toBe(true);
    expect(gh.requests.map((r) => r.path)).toContain(`/repos/acme/shop/commits/${MERGE}/pulls`);
    expect(gh.requests.map((r) => r.path)).toContain('/orgs/acme/teams/release/memberships/alice');
  });

  it('reads the given pull request and keeps the reviewed commit when it is not the deployed one', async () => {
    const gh = await github(prRoutes([review('alice', 'APPROVED', '2026-11-18T09:00:00Z')]));
    const approvals = await listApprovals({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      commit: OLD,
      pullNumber: 12,
    });
    expect(approvals).toEqual([
      { user: 'alice', state: 'approved', at: '2026-11-18T09:00:00Z', commit: HEAD },
    ]);
    expect(gh.requests.some((r) => r.path.endsWith('/pulls'))).toBe(false);
  });

  it("counts a review of an open PR's head for its test merge commit (GITHUB_SHA on pull_request)", async () => {
    const open = { ...pull, merged_at: null, merge_commit_sha: MERGE };
    const gh = await github([
      ['GET', /^\/repos\/acme\/shop\/pulls\/12$/, () => [200, open]],
      ['GET', /\/reviews$/, () => [200, [review('alice', 'APPROVED', '2026-11-18T09:00:00Z')]]],
    ]);
    expect(
      await listApprovals({
        octokit: gh.octokit,
        owner: 'acme',
        repo: 'shop',
        commit: MERGE,
        pullNumber: 12,
      }),
    ).toEqual([{ user: 'alice', state: 'approved', at: '2026-11-18T09:00:00Z', commit: MERGE }]);
  });

  it('no pull request for the commit: no approvals', async () => {
    const gh = await github([['GET', /\/commits\/[0-9a-f]+\/pulls$/, () => [200, []]]]);
    expect(await listApprovals({ octokit: gh.octokit, owner: 'acme', repo: 'shop', commit: MERGE })).toEqual(
      [],
    );
  });

  it('an API failure throws one line naming the call, without the token', async () => {
    const gh = await github([
      ['GET', /^\/repos\/acme\/shop\/pulls\/12$/, () => [200, pull]],
      ['GET', /\/reviews$/, () => [502, { message: 'Bad Gateway' }]],
    ]);
    const err = await listApprovals({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      commit: MERGE,
      pullNumber: 12,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^GitHub API 502 while listing the reviews of pull request #12/);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('a team lookup the token may not make throws, saying which permission is needed', async () => {
    const gh = await github([
      ...prRoutes([review('alice', 'APPROVED', '2026-11-18T09:00:00Z')]).slice(0, 3),
      ['GET', /memberships/, () => [403, { message: 'Resource not accessible by integration' }]],
    ]);
    await expect(
      listApprovals({
        octokit: gh.octokit,
        owner: 'acme',
        repo: 'shop',
        commit: MERGE,
        pullNumber: 12,
        teams: ['release'],
      }),
    ).rejects.toThrow(/GitHub API 403 while reading alice's membership of team acme\/release.*members: read/);
  });
});

describe('reviewPendingDeployment', () => {
  const pending = [
    { environment: { id: 7, name: 'staging' }, current_user_can_approve: true },
    { environment: { id: 9, name: 'production' }, current_user_can_approve: true },
  ];

  it('approves the pending deployment of the named environment with the comment', async () => {
    const gh = await github([
      ['GET', /\/actions\/runs\/555\/pending_deployments$/, () => [200, pending]],
      [
        'POST',
        /\/actions\/runs\/555\/pending_deployments$/,
        () => [200, [{ id: 1, environment: 'production' }]],
      ],
    ]);
    const r = await reviewPendingDeployment({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      runId: 555,
      environment: 'Production',
      state: 'approved',
      comment: 'DevSecFlow: policy passed (1 approval: alice)',
    });
    expect(r).toEqual({ reviewed: true, state: 'approved', environmentId: 9 });
    expect(gh.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/repos/acme/shop/actions/runs/555/pending_deployments',
      body: {
        environment_ids: [9],
        state: 'approved',
        comment: 'DevSecFlow: policy passed (1 approval: alice)',
      },
    });
  });

  it('rejects with the reasons', async () => {
    const gh = await github([
      ['GET', /pending_deployments$/, () => [200, pending]],
      ['POST', /pending_deployments$/, () => [200, []]],
    ]);
    await reviewPendingDeployment({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      runId: 555,
      environment: 'production',
      state: 'rejected',
      comment: 'blocked: change freeze',
    });
    expect(gh.requests.at(-1)?.body).toMatchObject({ state: 'rejected', comment: 'blocked: change freeze' });
  });

  it('says why nothing was reviewed: not pending, or the token may not approve', async () => {
    const none = await github([['GET', /pending_deployments$/, () => [200, [pending[0]]]]]);
    expect(
      await reviewPendingDeployment({
        octokit: none.octokit,
        owner: 'acme',
        repo: 'shop',
        runId: 1,
        environment: 'production',
        state: 'approved',
        comment: 'x',
      }),
    ).toEqual({ reviewed: false, reason: 'no deployment to production is waiting for review in run 1' });
    const cannot = await github([
      ['GET', /pending_deployments$/, () => [200, [{ ...pending[1], current_user_can_approve: false }]]],
    ]);
    const r = await reviewPendingDeployment({
      octokit: cannot.octokit,
      owner: 'acme',
      repo: 'shop',
      runId: 1,
      environment: 'production',
      state: 'approved',
      comment: 'x',
    });
    expect(r).toMatchObject({ reviewed: false, reason: expect.stringContaining('not a required reviewer') });
    expect(cannot.requests.some((q) => q.method === 'POST')).toBe(false);
  });

  it('waits for the deployment to become pending when asked', async () => {
    let polls = 0;
    const gh = await github([
      ['GET', /pending_deployments$/, () => [200, ++polls < 3 ? [] : pending]],
      ['POST', /pending_deployments$/, () => [200, []]],
    ]);
    const r = await reviewPendingDeployment({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      runId: 2,
      environment: 'production',
      state: 'approved',
      comment: 'ok',
      wait: { intervalMs: 1, timeoutMs: 5_000 },
    });
    expect(r.reviewed).toBe(true);
    expect(polls).toBe(3);
  });
});

describe('setDeploymentStatus', () => {
  it("sets the status of the commit's latest deployment to the environment", async () => {
    const gh = await github([
      [
        'GET',
        /^\/repos\/acme\/shop\/deployments$/,
        (_r, q) => [200, q.get('sha') === MERGE && q.get('environment') === 'production' ? [{ id: 31 }] : []],
      ],
      ['POST', /^\/repos\/acme\/shop\/deployments\/31\/statuses$/, () => [201, { id: 1 }]],
    ]);
    const id = await setDeploymentStatus({
      octokit: gh.octokit,
      owner: 'acme',
      repo: 'shop',
      commit: MERGE,
      environment: 'production',
      state: 'failure',
      description: `blocked: ${'x'.repeat(200)}`,
      logUrl: 'https://github.com/acme/shop/actions/runs/1',
    });
    expect(id).toBe(31);
    const body = gh.requests.at(-1)?.body as { state: string; description: string; log_url: string };
    expect(body.state).toBe('failure');
    expect(body.description).toHaveLength(140);
    expect(body.log_url).toBe('https://github.com/acme/shop/actions/runs/1');
    expect(
      await setDeploymentStatus({
        octokit: gh.octokit,
        owner: 'acme',
        repo: 'shop',
        commit: OLD,
        environment: 'production',
        state: 'success',
        description: 'ok',
      }),
    ).toBeUndefined();
  });
});
