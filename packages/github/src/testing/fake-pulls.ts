import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import {
  closeServer,
  listenOnLoopback,
  readJsonObject as readJson,
  sendJson as send,
} from '@devsecflow/core/testing';

/*
 * A stand-in for the GitHub REST endpoints a change proposal uses, on 127.0.0.1: the repository,
 * the Git Data API (refs, commits, trees, blobs, content-addressed like git, so the same files give
 * the same tree sha), pull requests and their labels and comments. It keeps state, records every
 * request (raw path, percent-encoding kept) and checks tokens per permission: a token without
 * `contents: write` or without `pull-requests: write` gets GitHub's 403 on those writes.
 */

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  head: string;
  base: string;
  labels: string[];
  comments: string[];
  html_url: string;
  /** Full name of the repository the head branch lives in; default this one (a fork otherwise). */
  headRepo?: string;
}

export interface FakeCommit {
  tree: string;
  parents: string[];
  message: string;
}

export interface PullsRequest {
  method: string;
  /** As sent, percent-encoding kept. */
  rawPath: string;
  query: Record<string, string>;
  authorization?: string;
  body?: Record<string, unknown>;
}

export interface FakePullsOptions {
  owner?: string;
  repo?: string;
  defaultBranch?: string;
  /** Files of the default branch's one commit. */
  files?: Record<string, string>;
  /** Token allowed everything. */
  token: string;
  /** Token with `contents: read` and `pull-requests: read` only. */
  readOnlyToken?: string;
  /** Token with `contents: write` but only `pull-requests: read`. */
  noPullsToken?: string;
  /** Answer PR creation as GitHub does when Actions may not create pull requests. */
  actionsCannotCreatePulls?: boolean;
}

export interface FakePullsServer {
  url: string;
  pulls: FakePull[];
  requests: PullsRequest[];
  /** Branch name -> commit sha. */
  refs: Map<string, string>;
  commits: Map<string, FakeCommit>;
  /** The files at a branch's head (path -> content). */
  filesAt(branch: string): Record<string, string> | undefined;
  /** Commits `files` on top of `branch` (as someone pushing), returning the new sha. */
  push(branch: string, files: Record<string, string>, message?: string): string;
  seedPull(pull: Partial<FakePull> & { title: string; head: string }): FakePull;
  /** Answers the next `method path` (raw path) with `status` and `body` instead of serving it. */
  failNext(method: string, rawPath: string, status: number, body: Record<string, unknown>): void;
  close(): Promise<void>;
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
/** git's blob id: the same content gives the same sha, as on GitHub. */
const blobSha = (content: string) => {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
};

export async function startFakePulls(options: FakePullsOptions): Promise<FakePullsServer> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const defaultBranch = options.defaultBranch ?? 'main';
  const requests: PullsRequest[] = [];
  const pulls: FakePull[] = [];
  const blobs = new Map<string, string>();
  /** Tree sha -> path -> blob sha (a flat tree is enough here). */
  const trees = new Map<string, Map<string, string>>();
  const commits = new Map<string, FakeCommit>();
  const refs = new Map<string, string>();
  let base = '';
  const failures: Array<{ method: string; rawPath: string; status: number; body: Record<string, unknown> }> =
    [];

  const putTree = (entries: Map<string, string>) => {
    const sha = sha1(JSON.stringify([...entries].sort(([a], [b]) => (a < b ? -1 : 1))));
    trees.set(sha, entries);
    return sha;
  };
  const putCommit = (c: FakeCommit) => {
    const sha = sha1(JSON.stringify({ ...c, n: commits.size }));
    commits.set(sha, c);
    return sha;
  };
  const putBlob = (content: string) => {
    const sha = blobSha(content);
    blobs.set(sha, content);
    return sha;
  };
  const push = (branch: string, files: Record<string, string>, message = 'change'): string => {
    const parent = refs.get(branch);
    const entries = new Map(parent ? trees.get(commits.get(parent)!.tree) : []);
    for (const [path, content] of Object.entries(files)) entries.set(path, putBlob(content));
    const sha = putCommit({ tree: putTree(entries), parents: parent ? [parent] : [], message });
    refs.set(branch, sha);
    return sha;
  };
  push(defaultBranch, options.files ?? { 'package.json': '{}\n' }, 'initial');

  const seedPull = (p: Partial<FakePull> & { title: string; head: string }): FakePull => {
    const number = pulls.length + 1;
    const pull: FakePull = {
      number,
      body: null,
      state: 'open',
      base: defaultBranch,
      labels: [],
      comments: [],
      html_url: `https://github.example/${owner}/${repo}/pull/${number}`,
      ...p,
    };
    pulls.push(pull);
    return pull;
  };
  const view = (p: FakePull) => ({
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    html_url: p.html_url,
    head: {
      ref: p.head,
      label: `${(p.headRepo ?? `${owner}/${repo}`).split('/')[0]}:${p.head}`,
      sha: refs.get(p.head),
      repo: { full_name: p.headRepo ?? `${owner}/${repo}` },
    },
    base: { ref: p.base },
    labels: p.labels.map((name) => ({ name })),
  });
  const error = (res: ServerResponse, status: number, message: string, errors?: unknown[]) =>
    send(res, status, {
      message,
      documentation_url: 'https://docs.github.com/rest',
      status: String(status),
      ...(errors ? { errors } : {}),
    });

  const server = createServer(async (req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const body = await readJson(req);
    const authorization = req.headers.authorization;
    requests.push({
      method,
      rawPath,
      query: Object.fromEntries(url.searchParams),
      ...(authorization ? { authorization } : {}),
      ...(body ? { body } : {}),
    });
    const token = authorization?.replace(/^(token|bearer) /i, '');
    const known = [options.token, options.readOnlyToken, options.noPullsToken].filter(Boolean);
    if (!token || !known.includes(token)) return error(res, 401, 'Bad credentials');
    const failure = failures.findIndex((f) => f.method === method && f.rawPath === rawPath);
    if (failure >= 0) {
      const [f] = failures.splice(failure, 1);
      return send(res, f!.status, f!.body);
    }

    const prefix = `/repos/${owner}/${repo}`;
    if (!rawPath.startsWith(prefix)) return error(res, 404, 'Not Found');
    const rest = rawPath.slice(prefix.length);
    const isGit = rest.startsWith('/git/');
    const write = method !== 'GET';
    const mayWrite = isGit
      ? token === options.token || token === options.noPullsToken
      : token === options.token;
    if (write && !mayWrite) return error(res, 403, 'Resource not accessible by integration');

    if (rest === '' && method === 'GET')
      return send(res, 200, { full_name: `${owner}/${repo}`, default_branch: defaultBranch });

    // Refs: the ref is one path parameter, percent-encoded by the client (`heads%2Fx`).
    const ref = /^\/git\/refs?\/([^/]+)$/.exec(rest);
    if (ref && method === 'GET' && rest.startsWith('/git/ref/')) {
      const name = decodeURIComponent(ref[1]!).replace(/^heads\//, '');
      const sha = refs.get(name);
      if (!sha) return error(res, 404, 'Not Found');
      return send(res, 200, { ref: `refs/heads/${name}`, object: { sha, type: 'commit' } });
    }
    if (ref && method === 'PATCH' && rest.startsWith('/git/refs/')) {
      const name = decodeURIComponent(ref[1]!).replace(/^heads\//, '');
      const current = refs.get(name);
      const sha = String(body?.sha);
      if (!current) return error(res, 422, 'Reference does not exist');
      if (!commits.has(sha)) return error(res, 422, 'Object does not exist');
      if (!body?.force && !commits.get(sha)!.parents.includes(current))
        return error(res, 422, 'Update is not a fast forward');
      refs.set(name, sha);
      return send(res, 200, { ref: `refs/heads/${name}`, object: { sha, type: 'commit' } });
    }
    if (rest === '/git/refs' && method === 'POST') {
      const full = String(body?.ref);
      const sha = String(body?.sha);
      if (!full.startsWith('refs/')) return error(res, 422, 'Reference name must start with refs/');
      const name = full.replace(/^refs\/heads\//, '');
      if (refs.has(name)) return error(res, 422, 'Reference already exists');
      if (!commits.has(sha)) return error(res, 422, 'Object does not exist');
      refs.set(name, sha);
      return send(res, 201, { ref: full, object: { sha, type: 'commit' } });
    }
    const commit = /^\/git\/commits\/([0-9a-f]{40})$/.exec(rest);
    if (commit && method === 'GET') {
      const c = commits.get(commit[1]!);
      if (!c) return error(res, 404, 'Not Found');
      return send(res, 200, {
        sha: commit[1],
        message: c.message,
        tree: { sha: c.tree },
        parents: c.parents.map((sha) => ({ sha })),
      });
    }
    if (rest === '/git/blobs' && method === 'POST') {
      if (body?.encoding !== 'utf-8') return error(res, 422, 'encoding must be utf-8 here');
      return send(res, 201, { sha: putBlob(String(body.content)) });
    }
    if (rest === '/git/trees' && method === 'POST') {
      const baseTree = body?.base_tree ? trees.get(String(body.base_tree)) : new Map<string, string>();
      if (!baseTree) return error(res, 422, 'Invalid tree info', ['base_tree is not a valid tree']);
      const entries = new Map(baseTree);
      for (const e of (body?.tree ?? []) as Array<{ path: string; sha: string; mode: string }>) {
        if (!blobs.has(e.sha) || e.mode !== '100644') return error(res, 422, 'Invalid tree info');
        entries.set(e.path, e.sha);
      }
      return send(res, 201, { sha: putTree(entries) });
    }
    if (rest === '/git/commits' && method === 'POST') {
      const parents = (body?.parents ?? []) as string[];
      if (!trees.has(String(body?.tree)) || parents.some((p) => !commits.has(p)))
        return error(res, 422, 'Invalid request');
      const sha = putCommit({ tree: String(body?.tree), parents, message: String(body?.message) });
      return send(res, 201, { sha, tree: { sha: body?.tree } });
    }

    if (rest === '/pulls' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      const list = pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || (!p.headRepo && `${owner}:${p.head}` === head))
        .sort((a, b) => b.number - a.number);
      return send(res, 200, list.map(view));
    }
    if (rest === '/pulls' && method === 'POST') {
      if (options.actionsCannotCreatePulls)
        return error(res, 403, 'GitHub Actions is not permitted to create or approve pull requests.');
      const head = String(body?.head);
      const baseRef = String(body?.base);
      if (!refs.has(baseRef))
        return error(res, 422, 'Validation Failed', [
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      if (!refs.has(head))
        return error(res, 422, 'Validation Failed', [
          { resource: 'PullRequest', field: 'head', code: 'invalid' },
        ]);
      if (pulls.some((p) => p.state === 'open' && p.head === head && !p.headRepo))
        return error(res, 422, 'Validation Failed', [
          { message: `A pull request already exists for ${owner}:${head}.` },
        ]);
      const p = seedPull({
        title: String(body?.title),
        body: (body?.body as string) ?? null,
        head,
        base: baseRef,
      });
      return send(res, 201, view(p));
    }
    const one = /^\/(pulls|issues)\/(\d+)(\/labels|\/comments)?$/.exec(rest);
    const pull = one ? pulls.find((p) => p.number === Number(one[2])) : undefined;
    if (one && !pull) return error(res, 404, 'Not Found');
    if (pull && one?.[1] === 'pulls' && !one[3] && method === 'PATCH') {
      if (body?.title !== undefined) pull.title = String(body.title);
      if (body?.body !== undefined) pull.body = String(body.body);
      if (body?.base !== undefined) pull.base = String(body.base);
      if (body?.state === 'open' || body?.state === 'closed') pull.state = body.state;
      return send(res, 200, view(pull));
    }
    if (pull && one?.[1] === 'issues' && one[3] === '/labels' && method === 'POST') {
      for (const l of (body?.labels ?? []) as string[]) if (!pull.labels.includes(l)) pull.labels.push(l);
      return send(
        res,
        200,
        pull.labels.map((name) => ({ name })),
      );
    }
    if (pull && one?.[1] === 'issues' && one[3] === '/comments' && method === 'POST') {
      pull.comments.push(String(body?.body));
      return send(res, 201, { id: pull.comments.length, body: body?.body });
    }
    return error(res, 404, 'Not Found');
  });
  base = await listenOnLoopback(server);
  return {
    url: base,
    pulls,
    requests,
    refs,
    commits,
    push,
    seedPull,
    failNext: (method, rawPath, status, body) => failures.push({ method, rawPath, status, body }),
    filesAt(branch) {
      const sha = refs.get(branch);
      if (!sha) return undefined;
      const tree = trees.get(commits.get(sha)!.tree)!;
      return Object.fromEntries([...tree].map(([path, blob]) => [path, blobs.get(blob)!]));
    },
    close: () => closeServer(server),
  };
}
