import { createServer, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody as readBody, sendJson as send } from '@devsecflow/core/testing';

/** One request as the fake server saw it. */
export interface RecordedRequest {
  method: string;
  /** Raw path, as sent (percent-encoding kept). */
  path: string;
  query: Record<string, string>;
  privateToken?: string;
  jobToken?: string;
  body?: unknown;
}

export interface FakeNote {
  id: number;
  body: string;
  system: boolean;
  author: { username: string };
}

export interface FakeGitLabOptions {
  /** Token accepted for everything. */
  token?: string;
  /** Token accepted for reads but refused (403) for writes: a Guest, or a read_api token. */
  readOnlyToken?: string;
  /** CI_JOB_TOKEN accepted for reads only. */
  jobToken?: string;
  /** Project id (numeric string) or full path the MR lives in. */
  project?: string;
  mrIid?: number;
  diffs?: unknown[];
  notes?: FakeNote[];
  approvedBy?: Array<{ user: { id?: number; username: string }; approved_at?: string }>;
  /** The MR as `GET .../merge_requests/:iid` returns it. */
  mr?: Record<string, unknown>;
  /** `GET /projects/:id/repository/commits/:sha/merge_requests`, by sha. */
  commitMergeRequests?: Record<string, Array<Record<string, unknown>>>;
  /** `GET .../merge_requests/:iid/versions`. */
  versions?: Array<{ head_commit_sha: string; created_at: string }>;
  /** Project approval settings (`GET /projects/:id/approvals`). */
  resetApprovalsOnPush?: boolean;
  /** Group full path -> ids of its members (inherited included). */
  groups?: Record<string, number[]>;
}

/**
 * A GitLab API on 127.0.0.1 that speaks the endpoints the platform uses (MR notes, MR diffs, MR
 * approvals, commit statuses), paginates like GitLab (Link + X-* headers) and records every request.
 */
export interface FakeGitLab {
  url: string;
  /** `CI_API_V4_URL` for this server. */
  apiUrl: string;
  requests: RecordedRequest[];
  notes: FakeNote[];
  statuses: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startFakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  const project = options.project ?? '42';
  const iid = options.mrIid ?? 7;
  const requests: RecordedRequest[] = [];
  const notes: FakeNote[] = options.notes ? [...options.notes] : [];
  const statuses: Array<Record<string, unknown>> = [];
  const diffs = options.diffs ?? [];
  let nextNoteId = 1000;
  let base = '';

  const paginate = (res: ServerResponse, items: unknown[], query: Record<string, string>, path: string) => {
    const perPage = Math.min(Number(query.per_page ?? 20) || 20, 100);
    const page = Math.max(Number(query.page ?? 1) || 1, 1);
    const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
    };
    if (page < totalPages) {
      const next = new URL(`${base}${path}`);
      for (const [k, v] of Object.entries(query)) next.searchParams.set(k, v);
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      headers['x-next-page'] = String(page + 1);
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    send(res, 200, items.slice((page - 1) * perPage, page * perPage), headers);
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const body = await readBody(req);
    const privateToken = req.headers['private-token'] as string | undefined;
    const jobToken = req.headers['job-token'] as string | undefined;
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query, privateToken, jobToken, body });

    const write = req.method !== 'GET';
    const fullAccess = options.token !== undefined && privateToken === options.token;
    const readAccess =
      (options.readOnlyToken !== undefined && privateToken === options.readOnlyToken) ||
      (options.jobToken !== undefined && jobToken === options.jobToken);
    if (!fullAccess && !readAccess) return send(res, 401, { message: '401 Unauthorized' });
    if (write && !fullAccess) return send(res, 403, { message: '403 Forbidden' });

    const member = /^\/api\/v4\/groups\/([^/]+)\/members\/all\/(\d+)$/.exec(url.pathname);
    if (member && req.method === 'GET') {
      const ids = options.groups?.[decodeURIComponent(member[1] as string)];
      if (!ids) return send(res, 404, { message: '404 Group Not Found' });
      return ids.includes(Number(member[2]))
        ? send(res, 200, { id: Number(member[2]) })
        : send(res, 404, { message: '404 Not found' });
    }
    const projectRef = decodeURIComponent(url.pathname.split('/')[4] ?? '');
    const mrPrefix = `/api/v4/projects/${encodeURIComponent(project)}/merge_requests/${iid}`;
    const p = url.pathname;
    if (projectRef !== project) return send(res, 404, { message: '404 Project Not Found' });

    if (p === `${mrPrefix}/diffs` && req.method === 'GET') return paginate(res, diffs, query, p);
    if (p === `${mrPrefix}/versions` && req.method === 'GET') return send(res, 200, options.versions ?? []);
    if (p === `/api/v4/projects/${encodeURIComponent(project)}/approvals` && req.method === 'GET') {
      return send(res, 200, { reset_approvals_on_push: options.resetApprovalsOnPush ?? false });
    }
    if (p === mrPrefix && req.method === 'GET') {
      return options.mr
        ? send(res, 200, { iid, project_id: Number(project), ...options.mr })
        : send(res, 404, {});
    }
    const commitMrs = new RegExp(
      `^/api/v4/projects/${encodeURIComponent(project)}/repository/commits/([0-9a-f]+)/merge_requests$`,
    ).exec(p);
    if (commitMrs && req.method === 'GET') {
      return send(res, 200, options.commitMergeRequests?.[commitMrs[1] as string] ?? []);
    }
    if (p === `${mrPrefix}/approvals` && req.method === 'GET') {
      return send(res, 200, {
        iid,
        approved_by: options.approvedBy ?? [],
        updated_at: '2026-01-02T03:04:05Z',
      });
    }
    if (p === `${mrPrefix}/notes` && req.method === 'GET') {
      const sorted = [...notes].sort((a, b) => (query.sort === 'desc' ? b.id - a.id : a.id - b.id));
      return paginate(res, sorted, query, p);
    }
    if (p === `${mrPrefix}/notes` && req.method === 'POST') {
      const note: FakeNote = {
        id: nextNoteId++,
        body: String((body as { body?: unknown })?.body ?? ''),
        system: false,
        author: { username: 'devsecflow-bot' },
      };
      notes.push(note);
      return send(res, 201, note);
    }
    const edit = new RegExp(`^${mrPrefix}/notes/(\\d+)$`).exec(p);
    if (edit && req.method === 'PUT') {
      const note = notes.find((n) => n.id === Number(edit[1]));
      if (!note) return send(res, 404, { message: '404 Not found' });
      if (note.author.username !== 'devsecflow-bot') return send(res, 403, { message: '403 Forbidden' });
      note.body = String((body as { body?: unknown })?.body ?? note.body);
      return send(res, 200, note);
    }
    const status = new RegExp(`^/api/v4/projects/${encodeURIComponent(project)}/statuses/([0-9a-f]+)$`).exec(
      p,
    );
    if (status && req.method === 'POST') {
      const record: Record<string, unknown> = { sha: status[1], ...(body as Record<string, unknown>) };
      statuses.push(record);
      return send(res, 201, { id: statuses.length, status: record.state, name: record.name });
    }
    return send(res, 404, { message: `404 ${req.method} ${p} not handled by the fake` });
  });
  base = await listenOnLoopback(server);
  return {
    url: base,
    apiUrl: `${base}/api/v4`,
    requests,
    notes,
    statuses,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
