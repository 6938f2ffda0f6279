import { createServer, type ServerResponse } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  readJsonObject as readJson,
  sendJson as send,
} from '@devsecflow/core/testing';

/*
 * Test helper: the GitHub Issues REST endpoints the issue tracker uses, on 127.0.0.1, with state
 * (issues, comments), GitHub's pagination (Link header), its 422 for assignees who cannot be
 * assigned, and token checks (a read-only token gets 403 on writes, an unknown one 401).
 */

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason?: string | null;
  labels: string[];
  assignees: string[];
  html_url: string;
  pull_request?: { url: string };
  comments: string[];
}

export interface IssuesRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: Record<string, unknown>;
}

export interface FakeIssuesServer {
  url: string;
  issues: FakeIssue[];
  requests: IssuesRequest[];
  /** Adds an issue as if someone had filed it. */
  seed(issue: Partial<FakeIssue> & { title: string }): FakeIssue;
  close(): Promise<void>;
}

export interface FakeIssuesOptions {
  owner?: string;
  repo?: string;
  /** Token allowed everything. */
  token: string;
  /** Token allowed reads only (a workflow without `issues: write`). */
  readOnlyToken?: string;
  /** Logins that can be assigned; others make the create fail with 422. */
  assignable?: string[];
  /** Drop labels on create, as GitHub does for tokens without push access. */
  dropLabels?: boolean;
}

export async function startFakeIssues(options: FakeIssuesOptions): Promise<FakeIssuesServer> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const issues: FakeIssue[] = [];
  const requests: IssuesRequest[] = [];
  let base = '';
  const prefix = `/repos/${owner}/${repo}/issues`;

  const seed = (partial: Partial<FakeIssue> & { title: string }): FakeIssue => {
    const number = issues.length + 1;
    const issue: FakeIssue = {
      number,
      body: null,
      state: 'open',
      labels: [],
      assignees: [],
      html_url: `https://github.example/${owner}/${repo}/issues/${number}`,
      comments: [],
      ...partial,
    };
    issues.push(issue);
    return issue;
  };
  const view = (i: FakeIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason ?? null,
    labels: i.labels.map((name) => ({ name })),
    assignees: i.assignees.map((login) => ({ login })),
    html_url: i.html_url,
    ...(i.pull_request ? { pull_request: i.pull_request } : {}),
  });
  const error = (res: ServerResponse, status: number, message: string, extra: object = {}) =>
    send(res, status, {
      message,
      documentation_url: 'https://docs.github.com/rest/issues',
      status,
      ...extra,
    });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const body = await readJson(req);
    const authorization = req.headers.authorization;
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(authorization ? { authorization } : {}),
      ...(body ? { body } : {}),
    });
    const token = authorization?.replace(/^(token|bearer) /i, '');
    if (token !== options.token && token !== options.readOnlyToken) return error(res, 401, 'Bad credentials');
    if (method !== 'GET' && token !== options.token)
      return error(res, 403, 'Resource not accessible by integration');

    const p = url.pathname;
    if (p === prefix && method === 'GET') {
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const state = url.searchParams.get('state') ?? 'open';
      const list = issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => b.number - a.number);
      const perPage = Number(url.searchParams.get('per_page') ?? '30');
      const page = Number(url.searchParams.get('page') ?? '1');
      const headers: Record<string, string> = {};
      if (page * perPage < list.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next.href}>; rel="next"`;
      }
      return send(res, 200, list.slice((page - 1) * perPage, page * perPage).map(view), headers);
    }
    if (p === prefix && method === 'POST') {
      const assignees = (body?.assignees as string[] | undefined) ?? [];
      const bad = assignees.filter((a) => !(options.assignable ?? []).includes(a));
      if (bad.length) {
        return error(res, 422, 'Validation Failed', {
          errors: bad.map((value) => ({ value, resource: 'Issue', field: 'assignees', code: 'invalid' })),
        });
      }
      const i = seed({
        title: String(body?.title),
        body: (body?.body as string | undefined) ?? null,
        labels: options.dropLabels ? [] : ((body?.labels as string[] | undefined) ?? []),
        assignees,
      });
      return send(res, 201, view(i));
    }
    const one = new RegExp(`^${prefix}/(\\d+)(/comments)?$`).exec(p);
    const issue = one ? issues.find((i) => i.number === Number(one[1])) : undefined;
    if (one && !issue) return error(res, 404, 'Not Found');
    if (issue && !one?.[2] && method === 'PATCH') {
      if (body?.title !== undefined) issue.title = String(body.title);
      if (body?.body !== undefined) issue.body = String(body.body);
      if (body?.labels !== undefined) issue.labels = body.labels as string[];
      if (body?.state === 'open' || body?.state === 'closed') {
        issue.state = body.state;
        issue.state_reason = body.state === 'closed' ? String(body.state_reason ?? 'completed') : 'reopened';
      }
      return send(res, 200, view(issue));
    }
    if (issue && one?.[2] && method === 'POST') {
      issue.comments.push(String(body?.body));
      return send(res, 201, { id: issue.comments.length, body: body?.body });
    }
    return error(res, 404, 'Not Found');
  });
  base = await listenOnLoopback(server);
  return {
    url: base,
    issues,
    requests,
    seed,
    close: () => closeServer(server),
  };
}
