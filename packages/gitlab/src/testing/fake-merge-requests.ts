import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  readJsonObject as readJson,
  sendJson as send,
} from '@devsecflow/core/testing';

/*
 * Test helper: the GitLab endpoints a change proposal uses, on 127.0.0.1: the project, branches,
 * repository files (blob ids as git computes them), compare, the Commits API with `actions`,
 * `start_branch` and `force` (GitLab's 400s for a create on an existing file or an update on a
 * missing one), merge requests and their notes. It keeps a small git object store, records every
 * request (raw path, percent-encoding kept) and checks tokens (read-only: 403 on writes).
 */

export interface FakeMergeRequest {
  iid: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed' | 'merged';
  source_branch: string;
  target_branch: string;
  source_project_id: number;
  labels: string[];
  remove_source_branch?: boolean;
  notes: string[];
  web_url: string;
}

export interface GlChangeRequest {
  method: string;
  /** As sent, percent-encoding kept. */
  rawPath: string;
  query: Record<string, string>;
  privateToken?: string;
  body?: Record<string, unknown>;
}

export interface FakeGlCommit {
  tree: Map<string, string>;
  parents: string[];
  message: string;
}

export interface FakeGlChangeServer {
  url: string;
  /** `CI_API_V4_URL` for this server. */
  apiUrl: string;
  mergeRequests: FakeMergeRequest[];
  requests: GlChangeRequest[];
  /** Branch name -> commit id. */
  branches: Map<string, string>;
  commits: Map<string, FakeGlCommit>;
  filesAt(branch: string): Record<string, string> | undefined;
  /** Commits `files` on top of `branch` (as someone pushing), returning the commit id. */
  push(branch: string, files: Record<string, string>, message?: string): string;
  seedMergeRequest(
    mr: Partial<FakeMergeRequest> & { title: string; source_branch: string },
  ): FakeMergeRequest;
  /** Answers the next `method rawPath` with `status` and `body` instead of serving it. */
  failNext(method: string, rawPath: string, status: number, body: Record<string, unknown>): void;
  close(): Promise<void>;
}

export interface FakeGlChangeOptions {
  /** Numeric project id. */
  project?: string;
  /** Full path, accepted in place of the id. */
  projectPath?: string;
  defaultBranch?: string;
  files?: Record<string, string>;
  token: string;
  /** A read_api token, or a Reporter: 403 on every write. */
  readOnlyToken?: string;
}

const blobId = (content: string) => {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
};

/** One page with GitLab's pagination headers: these lists stay small. */
const list = (res: ServerResponse, items: unknown[]) =>
  send(res, 200, items, {
    'x-page': '1',
    'x-per-page': '100',
    'x-total': String(items.length),
    'x-total-pages': '1',
  });

export async function startFakeGitLabChanges(options: FakeGlChangeOptions): Promise<FakeGlChangeServer> {
  const project = options.project ?? '42';
  const projectPath = options.projectPath ?? 'acme/shop';
  const defaultBranch = options.defaultBranch ?? 'main';
  const requests: GlChangeRequest[] = [];
  const mergeRequests: FakeMergeRequest[] = [];
  const blobs = new Map<string, string>();
  const commits = new Map<string, FakeGlCommit>();
  const branches = new Map<string, string>();
  let base = '';
  const failures: Array<{ method: string; rawPath: string; status: number; body: Record<string, unknown> }> =
    [];

  const putCommit = (tree: Map<string, string>, parents: string[], message: string) => {
    const id = createHash('sha1')
      .update(JSON.stringify({ tree: [...tree], parents, message, n: commits.size }))
      .digest('hex');
    commits.set(id, { tree, parents, message });
    return id;
  };
  const putBlob = (content: string) => {
    const id = blobId(content);
    blobs.set(id, content);
    return id;
  };
  const push = (branch: string, files: Record<string, string>, message = 'change'): string => {
    const parent = branches.get(branch);
    const tree = new Map(parent ? commits.get(parent)!.tree : []);
    for (const [path, content] of Object.entries(files)) tree.set(path, putBlob(content));
    const id = putCommit(tree, parent ? [parent] : [], message);
    branches.set(branch, id);
    return id;
  };
  push(defaultBranch, options.files ?? { 'package.json': '{}\n' }, 'initial');

  const seedMergeRequest = (
    mr: Partial<FakeMergeRequest> & { title: string; source_branch: string },
  ): FakeMergeRequest => {
    const iid = mergeRequests.length + 1;
    const created: FakeMergeRequest = {
      iid,
      description: null,
      state: 'opened',
      target_branch: defaultBranch,
      source_project_id: Number(project),
      labels: [],
      notes: [],
      web_url: `https://gitlab.example.com/${projectPath}/-/merge_requests/${iid}`,
      ...mr,
    };
    mergeRequests.push(created);
    return created;
  };
  const view = ({ notes: _n, ...mr }: FakeMergeRequest) => ({
    ...mr,
    id: 5000 + mr.iid,
    project_id: Number(project),
    sha: branches.get(mr.source_branch),
  });
  const labelList = (v: unknown): string[] =>
    String(v ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);

  const server = createServer(async (req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const body = await readJson(req);
    const privateToken = req.headers['private-token'] as string | undefined;
    requests.push({
      method,
      rawPath,
      query: Object.fromEntries(url.searchParams),
      ...(privateToken ? { privateToken } : {}),
      ...(body ? { body } : {}),
    });
    if (privateToken !== options.token && privateToken !== options.readOnlyToken)
      return send(res, 401, { message: '401 Unauthorized' });
    if (method !== 'GET' && privateToken !== options.token)
      return send(res, 403, { message: '403 Forbidden' });
    const failure = failures.findIndex((f) => f.method === method && f.rawPath === rawPath);
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return send(res, f!.status, f!.body);
    }

    // Each path parameter is one segment, percent-encoded by the client.
    const seg = rawPath.split('/').map((s) => decodeURIComponent(s));
    if (seg[1] !== 'api' || seg[2] !== 'v4' || seg[3] !== 'projects' || seg.length < 5)
      return send(res, 404, { message: '404 Not Found' });
    if (seg[4] !== project && seg[4] !== projectPath)
      return send(res, 404, { message: '404 Project Not Found' });
    const rest = seg.slice(5);
    const route = rest.map((s, i) =>
      i > 0 && /^(branches|files|merge_requests)$/.test(rest[i - 1]!) ? ':x' : s,
    );
    const r = `${method} ${route.join('/')}`;

    if (r === 'GET ')
      return send(res, 200, {
        id: Number(project),
        path_with_namespace: projectPath,
        default_branch: defaultBranch,
      });
    if (r === 'GET repository/branches/:x') {
      const id = branches.get(rest[2]!);
      if (!id) return send(res, 404, { message: '404 Branch Not Found' });
      return send(res, 200, { name: rest[2], commit: { id, parent_ids: commits.get(id)!.parents } });
    }
    if (r === 'GET repository/files/:x') {
      const ref = url.searchParams.get('ref') ?? '';
      const commit = commits.get(branches.get(ref) ?? ref);
      const blob = commit?.tree.get(rest[2]!);
      if (!commit || !blob) return send(res, 404, { message: '404 File Not Found' });
      return send(res, 200, {
        file_path: rest[2],
        blob_id: blob,
        ref,
        encoding: 'base64',
        content: Buffer.from(blobs.get(blob)!, 'utf8').toString('base64'),
      });
    }
    if (r === 'GET repository/compare') {
      const from = commits.get(url.searchParams.get('from') ?? '');
      const to = commits.get(url.searchParams.get('to') ?? '');
      if (!from || !to) return send(res, 404, { message: '404 Ref Not Found' });
      const paths = new Set([...from.tree.keys(), ...to.tree.keys()]);
      const diffs = [...paths]
        .filter((p) => from.tree.get(p) !== to.tree.get(p))
        .map((p) => ({
          old_path: p,
          new_path: p,
          new_file: !from.tree.has(p),
          deleted_file: !to.tree.has(p),
        }));
      return send(res, 200, { commits: [], diffs });
    }
    if (r === 'POST repository/commits') {
      const branch = String(body?.branch ?? '');
      const start = body?.start_branch === undefined ? undefined : String(body.start_branch);
      const exists = branches.has(branch);
      // Like GitLab: an existing branch is committed on unless `force` rewrites it from start_branch.
      const from = exists && !body?.force ? branches.get(branch) : start ? branches.get(start) : undefined;
      if (!from)
        return send(res, 400, { message: 'You can only create or edit files when you are on a branch' });
      const tree = new Map(commits.get(from)!.tree);
      for (const a of (body?.actions ?? []) as Array<Record<string, unknown>>) {
        const path = String(a.file_path);
        if (a.action === 'create' && tree.has(path))
          return send(res, 400, { message: 'A file with this name already exists' });
        if (a.action === 'update' && !tree.has(path))
          return send(res, 400, { message: "A file with this name doesn't exist" });
        if (a.action !== 'create' && a.action !== 'update')
          return send(res, 400, { message: 'unknown action' });
        tree.set(path, putBlob(String(a.content)));
      }
      const id = putCommit(tree, [from], String(body?.commit_message));
      branches.set(branch, id);
      return send(res, 201, { id, parent_ids: [from], message: body?.commit_message });
    }
    if (r === 'GET merge_requests') {
      const state = url.searchParams.get('state') ?? 'all';
      const source = url.searchParams.get('source_branch');
      return list(
        res,
        mergeRequests
          .filter((m) => state === 'all' || m.state === state)
          .filter((m) => !source || m.source_branch === source)
          .sort((a, b) => b.iid - a.iid)
          .map(view),
      );
    }
    if (r === 'POST merge_requests') {
      const source = String(body?.source_branch);
      const target = String(body?.target_branch);
      if (!branches.has(source) || !branches.has(target))
        return send(res, 400, { message: ['Source branch or target branch does not exist'] });
      const open = mergeRequests.find(
        (m) => m.state === 'opened' && m.source_branch === source && m.source_project_id === Number(project),
      );
      if (open)
        return send(res, 409, {
          message: [`Another open merge request already exists for this source branch: !${open.iid}`],
        });
      const mr = seedMergeRequest({
        title: String(body?.title),
        description: (body?.description as string | undefined) ?? null,
        source_branch: source,
        target_branch: target,
        labels: labelList(body?.labels),
        remove_source_branch: body?.remove_source_branch === true,
      });
      return send(res, 201, view(mr));
    }
    const mr =
      rest[0] === 'merge_requests' && rest[1]
        ? mergeRequests.find((m) => m.iid === Number(rest[1]))
        : undefined;
    if (rest[0] === 'merge_requests' && rest[1] && !mr) return send(res, 404, { message: '404 Not found' });
    if (mr && r === 'PUT merge_requests/:x') {
      if (body?.title !== undefined) mr.title = String(body.title);
      if (body?.description !== undefined) mr.description = String(body.description);
      if (body?.target_branch !== undefined) mr.target_branch = String(body.target_branch);
      for (const l of labelList(body?.add_labels)) if (!mr.labels.includes(l)) mr.labels.push(l);
      if (body?.state_event === 'close') mr.state = 'closed';
      return send(res, 200, view(mr));
    }
    if (mr && r === 'POST merge_requests/:x/notes') {
      mr.notes.push(String(body?.body));
      return send(res, 201, { id: mr.notes.length, body: body?.body, system: false });
    }
    return send(res, 404, { message: `404 ${method} ${rawPath} not handled by the fake` });
  });
  base = await listenOnLoopback(server);
  return {
    url: base,
    apiUrl: `${base}/api/v4`,
    mergeRequests,
    requests,
    branches,
    commits,
    push,
    seedMergeRequest,
    failNext: (method, rawPath, status, body) => failures.push({ method, rawPath, status, body }),
    filesAt(branch) {
      const id = branches.get(branch);
      if (!id) return undefined;
      return Object.fromEntries([...commits.get(id)!.tree].map(([path, blob]) => [path, blobs.get(blob)!]));
    },
    close: () => closeServer(server),
  };
}
