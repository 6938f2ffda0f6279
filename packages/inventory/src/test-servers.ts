// Test helpers: local HTTP fakes on 127.0.0.1 (OSV API, a generic issue tracker, a webhook receiver,
// an npm registry) and an IssueTracker implemented with fetch over the fake tracker's REST API.

import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { listenOnLoopback, readRequestBody, sendJson as send } from '@devsecflow/core/testing';
import type { IssueDraft, IssueTracker, TrackedIssue } from './tracker.js';
import { issueMarker } from './tracker.js';
import type { IssueRef } from './types.js';

const readJson = readRequestBody;

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<FakeServer> {
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((e) => send(res, 500, { error: String(e) }));
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type OsvRecord = {
  id: string;
  modified: string;
  affected?: { package?: { ecosystem: string; name: string } }[];
};

/** A fake OSV API serving the records in `records` (mutable between runs); `failing` answers 503. */
export async function fakeOsv(): Promise<
  FakeServer & { records: Map<string, OsvRecord>; state: { failing: boolean } }
> {
  const records = new Map<string, OsvRecord>();
  const state = { failing: false };
  const server = await listen(async (req, res) => {
    if (state.failing) return send(res, 503, { error: 'down' });
    if (req.method === 'POST' && req.url === '/v1/querybatch') {
      const body = (await readJson(req)) as { queries: { package: { ecosystem: string; name: string } }[] };
      const results = body.queries.map((q) => {
        const vulns = [...records.values()]
          .filter((r) =>
            r.affected?.some(
              (a) => a.package?.ecosystem === q.package.ecosystem && a.package?.name === q.package.name,
            ),
          )
          .map((r) => ({ id: r.id, modified: r.modified }));
        return vulns.length ? { vulns } : {};
      });
      return send(res, 200, { results });
    }
    const m = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && m) {
      const r = records.get(decodeURIComponent(m[1]!));
      return r ? send(res, 200, r) : send(res, 404, { code: 5, message: 'Bug not found.' });
    }
    send(res, 404, {});
  });
  return { ...server, records, state };
}

export interface FakeIssue {
  id: number;
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  comments: string[];
}

/** A fake issue tracker REST API: GET/POST /issues, PATCH /issues/:id, POST /issues/:id/comments. */
export async function fakeTracker(): Promise<
  FakeServer & { issues: FakeIssue[]; state: { failCreate: boolean } }
> {
  const issues: FakeIssue[] = [];
  const state = { failCreate: false };
  const server = await listen(async (req, res) => {
    const url = req.url ?? '';
    if (url === '/issues' && req.method === 'GET') return send(res, 200, issues);
    if (url === '/issues' && req.method === 'POST') {
      if (state.failCreate) return send(res, 502, { message: 'bad gateway' });
      const b = (await readJson(req)) as Omit<FakeIssue, 'id' | 'state' | 'comments'>;
      const issue: FakeIssue = { id: issues.length + 1, state: 'open', comments: [], ...b };
      issues.push(issue);
      return send(res, 201, issue);
    }
    const m = /^\/issues\/(\d+)(\/comments)?$/.exec(url);
    const issue = m ? issues.find((i) => i.id === Number(m[1])) : undefined;
    if (!issue) return send(res, 404, {});
    const b = (await readJson(req)) as Partial<FakeIssue>;
    if (m![2] && req.method === 'POST') {
      issue.comments.push(String(b.body));
      return send(res, 201, {});
    }
    if (req.method === 'PATCH') {
      Object.assign(issue, b);
      return send(res, 200, issue);
    }
    send(res, 405, {});
  });
  return { ...server, issues, state };
}

/** IssueTracker over the fake tracker's API with plain fetch: the shape a platform adapter takes. */
export function fetchTracker(base: string): IssueTracker {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return (await res.json()) as FakeIssue;
  };
  const ref = (i: FakeIssue): IssueRef => ({ id: String(i.id), url: `${base}/issues/${i.id}` });
  return {
    async find(key: string): Promise<TrackedIssue | undefined> {
      const all = (await call('GET', '/issues')) as unknown as FakeIssue[];
      const i = all.find((x) => x.body.includes(issueMarker(key)));
      return i ? { ...ref(i), state: i.state } : undefined;
    },
    async create(d: IssueDraft) {
      return ref(
        await call('POST', '/issues', {
          title: d.title,
          body: d.body,
          labels: d.labels,
          assignees: d.assignees,
        }),
      );
    },
    async update(issue, d) {
      await call('PATCH', `/issues/${issue.id}`, {
        title: d.title,
        body: d.body,
        labels: d.labels,
        state: 'open',
      });
    },
    async close(issue, comment) {
      await call('POST', `/issues/${issue.id}/comments`, { body: comment });
      await call('PATCH', `/issues/${issue.id}`, { state: 'closed' });
    },
  };
}

/** Collects webhook POSTs; `status` sets what it answers. */
export async function fakeWebhook(): Promise<
  FakeServer & { received: Record<string, unknown>[]; state: { status: number } }
> {
  const received: Record<string, unknown>[] = [];
  const state = { status: 200 };
  const server = await listen(async (req, res) => {
    const body = (await readJson(req)) as Record<string, unknown>;
    if (req.headers['content-type'] !== 'application/json') return send(res, 415, {});
    if (state.status === 200) received.push(body);
    send(res, state.status, { ok: state.status === 200 });
  });
  return { ...server, received, state };
}

/**
 * A read-only npm registry serving vendored packuments (`<dir>/<name>.json`, scoped names as
 * `@scope__name.json`) and tarballs (`<dir>/tarballs/<file>.tgz`), so package managers resolve and
 * fetch without the network. Tarball URLs are rewritten to this server. `only` hides versions
 * (a registry as it was before a fix was published); `requests` records every path asked for.
 */
export async function fakeNpmRegistry(
  dir: string,
  only?: Record<string, string[]>,
): Promise<FakeServer & { requests: string[] }> {
  const requests: string[] = [];
  let base = '';
  const server = await listen(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const tarball = /^\/(?:@[^/]+\/)?[^/@]+\/-\/([^/]+\.tgz)$/.exec(path);
    if (tarball) {
      const body = await readFile(join(dir, 'tarballs', tarball[1]!)).catch(() => undefined);
      if (!body) return send(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(body);
      return;
    }
    const name = path.slice(1);
    const text = await readFile(join(dir, `${name.replace('/', '__')}.json`), 'utf8').catch(() => undefined);
    if (!text) return send(res, 404, { error: 'not found' });
    const doc = JSON.parse(text) as {
      'dist-tags': Record<string, string>;
      versions: Record<string, { dist: { tarball: string } }>;
    };
    const keep = only?.[name];
    for (const [v, manifest] of Object.entries(doc.versions)) {
      if (keep && !keep.includes(v)) delete doc.versions[v];
      else manifest.dist.tarball = `${base}/${name}/-/${manifest.dist.tarball.split('/').pop()}`;
    }
    if (keep) doc['dist-tags'] = { latest: keep.at(-1)! };
    send(res, 200, doc);
  });
  base = server.url;
  return { ...server, requests };
}
