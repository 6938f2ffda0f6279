import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  readRequestBody as readBody,
  sendJson as send,
} from '@devsecflow/core/testing';

/*
 * A stand-in for the parts of the GitHub REST API the platform uses, on 127.0.0.1. It keeps state
 * (comments, uploads, statuses) across requests so a test can run the platform twice, records every
 * request, and can be told to answer a route with an error status (403 read-only token, 404 code
 * scanning off). Shipped as `@devsecflow/github/testing` so the action tests can use it too.
 */

export type RouteName =
  | 'getAuthenticated'
  | 'listFiles'
  | 'getPull'
  | 'listComments'
  | 'createComment'
  | 'updateComment'
  | 'uploadSarif'
  | 'getSarif'
  | 'createStatus'
  | 'createCheckRun'
  | 'listReviews';

export interface RecordedRequest {
  route: RouteName | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  issue: number;
}

export interface PullFile {
  filename: string;
  status: string;
  patch?: string;
  additions?: number;
  deletions?: number;
}

export interface FakeGitHubOptions {
  /** Login GET /user answers with; undefined answers 403 as it does for GITHUB_TOKEN. */
  login?: string;
  /** Login recorded as the author of comments this server creates. Default `github-actions[bot]`. */
  commentAuthor?: string;
  pullFiles?: PullFile[];
  reviews?: unknown[];
  /** What GET /repos/{o}/{r}/pulls/{n} answers (approvals read the PR's head, merge commit and author). */
  pull?: Record<string, unknown>;
  /** How many GET .../sarifs/{id} polls answer `pending` before `complete`. */
  pendingPolls?: number;
  /** Final processing status of uploads. */
  sarifStatus?: 'complete' | 'failed';
}

export interface FakeGitHub {
  /** Base URL to use as GITHUB_API_URL. */
  url: string;
  requests: RecordedRequest[];
  comments: FakeComment[];
  sarifUploads: { id: string; body: Record<string, unknown> }[];
  statuses: { sha: string; body: Record<string, unknown> }[];
  checkRuns: Record<string, unknown>[];
  /** Answers `route` with `status` (and GitHub's error body) until cleared with `fail(route)`. */
  fail(route: RouteName, status?: number, message?: string): void;
  close(): Promise<void>;
}

const ROUTES: [RouteName, string, RegExp][] = [
  ['getAuthenticated', 'GET', /^\/user$/],
  ['listFiles', 'GET', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/],
  ['listReviews', 'GET', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/reviews$/],
  ['getPull', 'GET', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/],
  ['listComments', 'GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/],
  ['createComment', 'POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/],
  ['updateComment', 'PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/],
  ['uploadSarif', 'POST', /^\/repos\/[^/]+\/[^/]+\/code-scanning\/sarifs$/],
  ['getSarif', 'GET', /^\/repos\/[^/]+\/[^/]+\/code-scanning\/sarifs\/([^/]+)$/],
  ['createStatus', 'POST', /^\/repos\/[^/]+\/[^/]+\/statuses\/([0-9a-f]+)$/],
  ['createCheckRun', 'POST', /^\/repos\/[^/]+\/[^/]+\/check-runs$/],
];

/** Starts the fake API on 127.0.0.1 with a random port. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const comments: FakeComment[] = [];
  const sarifUploads: FakeGitHub['sarifUploads'] = [];
  const statuses: FakeGitHub['statuses'] = [];
  const checkRuns: Record<string, unknown>[] = [];
  const failures = new Map<RouteName, { status: number; message: string }>();
  const polls = new Map<string, number>();
  let nextId = 1000;
  let base = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const match = ROUTES.map(
      ([name, m, re]) => [name, m === method ? re.exec(url.pathname) : null] as const,
    ).find(([, m]) => m);
    const route = match?.[0] ?? 'unknown';
    const param = match?.[1]?.[1] ?? '';
    requests.push({
      route,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });
    if (route === 'unknown') return send(res, 404, { message: 'Not Found' });
    const failure = failures.get(route);
    if (failure) {
      return send(res, failure.status, {
        message: failure.message,
        documentation_url: 'https://docs.github.com/rest',
        status: String(failure.status),
      });
    }
    const b = (body ?? {}) as Record<string, unknown>;
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '30');
    const paged = (items: unknown[]) => {
      const slice = items.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      const last = Math.max(1, Math.ceil(items.length / perPage));
      if (page < last) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next.href}>; rel="next"`;
      }
      send(res, 200, slice, headers);
    };
    switch (route) {
      case 'getAuthenticated':
        if (!options.login) return send(res, 403, { message: 'Resource not accessible by integration' });
        return send(res, 200, { login: options.login, type: 'User' });
      case 'listFiles':
        // GitHub stops listing at 3,000 files.
        return paged((options.pullFiles ?? []).slice(0, 3000));
      case 'listReviews':
        return paged(options.reviews ?? []);
      case 'getPull':
        if (!options.pull) return send(res, 404, { message: 'Not Found' });
        return send(res, 200, { number: Number(param), ...options.pull });
      case 'listComments':
        return paged(comments.filter((c) => c.issue === Number(param)));
      case 'createComment': {
        const c: FakeComment = {
          id: nextId++,
          body: String(b.body ?? ''),
          user: { login: options.commentAuthor ?? 'github-actions[bot]', type: 'Bot' },
          issue: Number(param),
        };
        comments.push(c);
        return send(res, 201, c);
      }
      case 'updateComment': {
        const c = comments.find((x) => x.id === Number(param));
        if (!c) return send(res, 404, { message: 'Not Found' });
        c.body = String(b.body ?? '');
        return send(res, 200, c);
      }
      case 'uploadSarif': {
        const id = `sarif-${nextId++}`;
        sarifUploads.push({ id, body: b });
        polls.set(id, 0);
        return send(res, 202, { id, url: `${base}${url.pathname}/${id}` });
      }
      case 'getSarif': {
        if (!polls.has(param)) return send(res, 404, { message: 'Not Found' });
        const n = polls.get(param)! + 1;
        polls.set(param, n);
        if (n <= (options.pendingPolls ?? 0)) return send(res, 200, { processing_status: 'pending' });
        if (options.sarifStatus === 'failed') {
          return send(res, 200, { processing_status: 'failed', errors: ['invalid SARIF: example error'] });
        }
        return send(res, 200, {
          processing_status: 'complete',
          analyses_url: `${base}/analyses?sarif_id=${param}`,
        });
      }
      case 'createStatus':
        statuses.push({ sha: param, body: b });
        return send(res, 201, { id: nextId++, state: b.state, context: b.context });
      case 'createCheckRun':
        checkRuns.push(b);
        return send(res, 201, { id: nextId++, ...b });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { message: String(e) }));
  });
  base = await listenOnLoopback(server);
  return {
    url: base,
    requests,
    comments,
    sarifUploads,
    statuses,
    checkRuns,
    fail(route, status, message) {
      if (status === undefined) failures.delete(route);
      else failures.set(route, { status, message: message ?? 'Resource not accessible by integration' });
    },
    close: () => closeServer(server),
  };
}
