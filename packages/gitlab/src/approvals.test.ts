import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listApprovals, reviewPendingDeployment } from './approvals.js';

const HEAD = 'a1'.repeat(20);
const FIRST = 'd4'.repeat(20);
const MERGE = 'b2'.repeat(20);
const TOKEN = 'glpat-approvals-test-0123';

interface Recorded {
  method: string;
  /** Raw path, percent-encoding kept. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  token?: string;
}
type Handler = (req: Recorded) => [number, unknown] | undefined;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A GitLab REST stand-in on 127.0.0.1; routes match the raw path under /api/v4. */
async function gitlab(routes: [string, RegExp, Handler][]) {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const raw = (req.url ?? '/').split('?')[0]!;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const rec: Recorded = {
      method: req.method ?? 'GET',
      path: raw.replace(/^\/api\/v4/, ''),
      query: Object.fromEntries(url.searchParams.entries()),
      body,
      token: req.headers['private-token'] as string | undefined,
    };
    requests.push(rec);
    if (rec.token !== TOKEN) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ message: '401 Unauthorized' }));
    }
    for (const [method, re, handler] of routes) {
      if (method !== rec.method || !re.test(rec.path)) continue;
      const out = handler(rec);
      if (!out) continue;
      res.writeHead(out[0], { 'content-type': 'application/json' });
      return res.end(JSON.stringify(out[1]));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `404 ${rec.method} ${rec.path} not handled` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, requests, conn: { host, auth: { token: TOKEN }, queryTimeout: 5_000 } };
}

const mr = {
  iid: 7,
  state: 'merged',
  sha: HEAD,
  merge_commit_sha: MERGE,
  squash_commit_sha: null,
  author: { username: 'dev' },
};
const versions = [
  { id: 2, head_commit_sha: HEAD, created_at: '2026-11-18T09:00:00Z' },
  { id: 1, head_commit_sha: FIRST, created_at: '2026-11-17T09:00:00Z' },
];
const approver = (id: number, username: string, approved_at?: string) => ({
  user: { id, username },
  ...(approved_at ? { approved_at } : {}),
});

function mrRoutes(
  approvedBy: unknown[],
  members: Record<string, number[]> = {},
  project: Record<string, unknown> = {},
): [string, RegExp, Handler][] {
  return [
    ['GET', /^\/projects\/42\/repository\/commits\/[0-9a-f]+\/merge_requests$/, () => [200, [mr]]],
    ['GET', /^\/projects\/42\/merge_requests\/7$/, () => [200, mr]],
    [
      'GET',
      /^\/projects\/42\/merge_requests\/7\/approvals$/,
      () => [200, { iid: 7, approved_by: approvedBy }],
    ],
    ['GET', /^\/projects\/42\/merge_requests\/7\/versions$/, () => [200, versions]],
    ['GET', /^\/projects\/42\/approvals$/, () => [200, project]],
    [
      'GET',
      /^\/groups\/[^/]+\/members\/all\/\d+$/,
      (req) => {
        const [, , group, , , id] = req.path.split('/');
        return (members[decodeURIComponent(group!)] ?? []).includes(Number(id))
          ? [200, { id: Number(id), state: 'active', access_level: 30 }]
          : [404, { message: '404 Not found' }];
      },
    ],
  ];
}

describe('listApprovals through @gitbeaker/rest', () => {
  it('maps each approval to the MR head when it was given, and the merged head to the deployed commit', async () => {
    const gl = await gitlab(
      mrRoutes(
        [
          approver(1, 'alice', '2026-11-18T10:00:00Z'), // after the last push: on HEAD, merged as MERGE
          approver(2, 'bob', '2026-11-17T12:00:00Z'), // before the last push: on FIRST, stale
          approver(3, 'dev', '2026-11-18T10:00:00Z'), // the author
        ],
        { 'acme/release': [1] },
      ),
    );
    const approvals = await listApprovals({
      ...gl.conn,
      projectId: 42,
      commit: MERGE,
      groups: ['acme/release'],
    });
    expect(approvals).toEqual([
      {
        user: 'alice',
        state: 'approved',
        at: '2026-11-18T10:00:00Z',
        commit: MERGE,
        teams: ['acme/release'],
      },
      { user: 'bob', state: 'approved', at: '2026-11-17T12:00:00Z', commit: FIRST },
    ]);
    const paths = gl.requests.map((r) => r.path);
    expect(paths).toContain(`/projects/42/repository/commits/${MERGE}/merge_requests`);
    expect(paths).toContain('/groups/acme%2Frelease/members/all/1');
    expect(gl.requests.every((r) => r.token === TOKEN)).toBe(true);
  });

  it('without approved_at, trusts the head only when the project resets approvals on push', async () => {
    const reset = await gitlab(mrRoutes([approver(1, 'alice')], {}, { reset_approvals_on_push: true }));
    expect(await listApprovals({ ...reset.conn, projectId: 42, commit: HEAD, mergeRequestIid: 7 })).toEqual([
      { user: 'alice', state: 'approved', at: '', commit: HEAD },
    ]);
    const keep = await gitlab(mrRoutes([approver(1, 'alice')], {}, { reset_approvals_on_push: false }));
    expect(await listApprovals({ ...keep.conn, projectId: 42, commit: HEAD, mergeRequestIid: 7 })).toEqual([
      { user: 'alice', state: 'approved', at: '' },
    ]);
  });

  it('no MR for the commit: no approvals', async () => {
    const gl = await gitlab([['GET', /\/merge_requests$/, () => [200, []]]]);
    expect(await listApprovals({ ...gl.conn, projectId: 42, commit: MERGE })).toEqual([]);
  });

  it('an API failure throws one line naming the call, without the token', async () => {
    const gl = await gitlab([
      ['GET', /^\/projects\/42\/merge_requests\/7$/, () => [200, mr]],
      ['GET', /\/approvals$/, () => [503, { message: '503 Service Unavailable' }]],
    ]);
    const err = (await listApprovals({ ...gl.conn, projectId: 42, commit: MERGE, mergeRequestIid: 7 }).catch(
      (e: Error) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^GitLab API 503 while reading the approvals of merge request !7/);
    expect(err.message).not.toContain(TOKEN);
  });
});

describe('reviewPendingDeployment', () => {
  const blocked = [
    { id: 91, sha: MERGE, status: 'blocked' },
    { id: 90, sha: HEAD, status: 'blocked' },
  ];

  it('approves the blocked deployment of the commit with the reasons as comment', async () => {
    const gl = await gitlab([
      [
        'GET',
        /^\/projects\/42\/deployments$/,
        (r) => [200, r.query.environment === 'production' && r.query.status === 'blocked' ? blocked : []],
      ],
      [
        'POST',
        /^\/projects\/42\/deployments\/91\/approval$/,
        (r) => [200, { status: (r.body as { status: string }).status }],
      ],
    ]);
    const r = await reviewPendingDeployment({
      ...gl.conn,
      projectId: 42,
      environment: 'production',
      commit: MERGE,
      status: 'approved',
      comment: 'DevSecFlow: policy passed',
    });
    expect(r).toEqual({ reviewed: true, status: 'approved', deploymentId: 91 });
    expect(gl.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/projects/42/deployments/91/approval',
      body: { status: 'approved', comment: 'DevSecFlow: policy passed' },
    });
  });

  it('rejects a given deployment with the reasons', async () => {
    const gl = await gitlab([['POST', /\/deployments\/90\/approval$/, () => [200, { status: 'rejected' }]]]);
    await reviewPendingDeployment({
      ...gl.conn,
      projectId: 42,
      deploymentId: 90,
      environment: 'production',
      commit: HEAD,
      status: 'rejected',
      comment: 'blocked: change freeze weekly fri 16:00-24:00 (Europe/Berlin)',
    });
    expect(gl.requests.at(-1)?.body).toMatchObject({
      status: 'rejected',
      comment: expect.stringContaining('change freeze'),
    });
  });

  it('says when no deployment of the commit is blocked, and reports a refused approval as an error', async () => {
    const none = await gitlab([['GET', /\/deployments$/, () => [200, []]]]);
    expect(
      await reviewPendingDeployment({
        ...none.conn,
        projectId: 42,
        environment: 'production',
        commit: MERGE,
        status: 'approved',
        comment: 'x',
      }),
    ).toEqual({
      reviewed: false,
      reason: `no deployment of ${MERGE.slice(0, 12)} to production is waiting for approval`,
    });
    const refused = await gitlab([
      ['GET', /\/deployments$/, () => [200, blocked]],
      ['POST', /\/approval$/, () => [403, { message: '403 Forbidden' }]],
    ]);
    await expect(
      reviewPendingDeployment({
        ...refused.conn,
        projectId: 42,
        environment: 'production',
        commit: MERGE,
        status: 'approved',
        comment: 'x',
      }),
    ).rejects.toThrow(/GitLab API 403 while approving deployment 91 to production/);
  });
});
