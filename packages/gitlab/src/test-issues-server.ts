import { createServer, type ServerResponse } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  readJsonObject as readJson,
  sendJson as send,
} from '@devsecflow/core/testing';

/*
 * Test helper: the GitLab issue endpoints the issue tracker uses (project issues, issue notes, user
 * lookup), on 127.0.0.1, with state, GitLab's offset pagination (Link + X-* headers) and token
 * checks (a read-only token gets 403 on writes, an unknown one 401). Records every request.
 */

export interface FakeGlIssue {
  iid: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed';
  labels: string[];
  assignee_ids: number[];
  web_url: string;
  notes: string[];
}

export interface GlIssuesRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  privateToken?: string;
  body?: Record<string, unknown>;
}

export interface FakeGlIssuesServer {
  url: string;
  /** `CI_API_V4_URL` for this server. */
  apiUrl: string;
  issues: FakeGlIssue[];
  requests: GlIssuesRequest[];
  seed(issue: Partial<FakeGlIssue> & { title: string }): FakeGlIssue;
  close(): Promise<void>;
}

export interface FakeGlIssuesOptions {
  /** Numeric project id the issues live in. */
  project?: string;
  token: string;
  readOnlyToken?: string;
  /** Known users: username -> id. */
  users?: Record<string, number>;
  /** Drop labels on create (a token whose role may not set them). */
  dropLabels?: boolean;
}

const labelList = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map(String)
    : String(v ?? '')
        .split(',')
        .filter(Boolean);

export async function startFakeGitLabIssues(options: FakeGlIssuesOptions): Promise<FakeGlIssuesServer> {
  const project = options.project ?? '42';
  const issues: FakeGlIssue[] = [];
  const requests: GlIssuesRequest[] = [];
  let base = '';
  const prefix = `/api/v4/projects/${project}/issues`;

  const seed = (partial: Partial<FakeGlIssue> & { title: string }): FakeGlIssue => {
    const iid = issues.length + 1;
    const issue: FakeGlIssue = {
      iid,
      description: null,
      state: 'opened',
      labels: [],
      assignee_ids: [],
      web_url: `https://gitlab.example.com/group/project/-/issues/${iid}`,
      notes: [],
      ...partial,
    };
    issues.push(issue);
    return issue;
  };
  const view = ({ notes: _n, assignee_ids, ...i }: FakeGlIssue) => ({
    ...i,
    id: 10_000 + i.iid,
    project_id: Number(project),
    assignees: assignee_ids.map((id) => ({ id })),
  });

  const paginate = (res: ServerResponse, items: unknown[], url: URL) => {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 20) || 20, 100);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
    };
    if (page < totalPages) {
      const next = new URL(url.pathname + url.search, base);
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      headers['x-next-page'] = String(page + 1);
      headers.link = `<${next.href}>; rel="next"`;
    }
    send(res, 200, items.slice((page - 1) * perPage, page * perPage), headers);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const body = await readJson(req);
    const privateToken = req.headers['private-token'] as string | undefined;
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(privateToken ? { privateToken } : {}),
      ...(body ? { body } : {}),
    });
    if (privateToken !== options.token && privateToken !== options.readOnlyToken)
      return send(res, 401, { message: '401 Unauthorized' });
    if (method !== 'GET' && privateToken !== options.token)
      return send(res, 403, { message: '403 Forbidden' });

    const p = url.pathname;
    if (p === '/api/v4/users' && method === 'GET') {
      const username = url.searchParams.get('username') ?? '';
      const id = options.users?.[username];
      return send(res, 200, id === undefined ? [] : [{ id, username, state: 'active' }]);
    }
    if (p === prefix && method === 'GET') {
      const labels = labelList(url.searchParams.get('labels'));
      const state = url.searchParams.get('state') ?? 'all';
      const list = issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.iid - a.iid)
        .map(view);
      return paginate(res, list, url);
    }
    if (p === prefix && method === 'POST') {
      if (!body?.title) return send(res, 400, { error: 'title is missing' });
      const i = seed({
        title: String(body.title),
        description: (body.description as string | undefined) ?? null,
        labels: options.dropLabels ? [] : labelList(body.labels),
        assignee_ids: ((body.assignee_ids as number[] | undefined) ?? []).map(Number),
      });
      return send(res, 201, view(i));
    }
    const one = new RegExp(`^${prefix}/(\\d+)(/notes)?$`).exec(p);
    const issue = one ? issues.find((i) => i.iid === Number(one[1])) : undefined;
    if (one && !issue) return send(res, 404, { message: '404 Not found' });
    if (issue && !one?.[2] && method === 'PUT') {
      if (body?.title !== undefined) issue.title = String(body.title);
      if (body?.description !== undefined) issue.description = String(body.description);
      if (body?.labels !== undefined) issue.labels = labelList(body.labels);
      if (body?.state_event === 'reopen') issue.state = 'opened';
      if (body?.state_event === 'close') issue.state = 'closed';
      return send(res, 200, view(issue));
    }
    if (issue && one?.[2] && method === 'POST') {
      issue.notes.push(String(body?.body));
      return send(res, 201, { id: issue.notes.length, body: body?.body, system: false });
    }
    return send(res, 404, { message: `404 ${method} ${p} not handled by the fake` });
  });
  base = await listenOnLoopback(server);
  return {
    url: base,
    apiUrl: `${base}/api/v4`,
    issues,
    requests,
    seed,
    close: () => closeServer(server),
  };
}
