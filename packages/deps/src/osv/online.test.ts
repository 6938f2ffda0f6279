import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OsvApi } from './online.js';

const osvDir = fileURLToPath(new URL('../../test/fixtures/osv/', import.meta.url));
const record = (id: string) => readFileSync(`${osvDir}${id}.json`, 'utf8');

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server | undefined;
afterEach(async () => {
  // hung requests (the timeout tests) would keep close() waiting
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

/** A fake OSV API on 127.0.0.1 serving the real records; `log` records each request. */
async function fakeOsv(
  handler: Handler,
): Promise<{ url: string; log: { method: string; url: string; body: string }[] }> {
  const log: { method: string; url: string; body: string }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      log.push({ method: req.method!, url: req.url!, body });
      handler(req, body, res);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};

const modified = (id: string) => (JSON.parse(record(id)) as { modified: string }).modified;

/** Serves GET /v1/vulns/{id} from the fixtures. */
function serveVuln(req: IncomingMessage, res: ServerResponse): boolean {
  const m = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? '');
  if (req.method !== 'GET' || !m) return false;
  json(res, 200, record(decodeURIComponent(m[1]!)));
  return true;
}

const fast = { backoffMs: 5, timeoutMs: 2000, deadlineMs: 20_000 };

describe('OsvApi against a local OSV server', () => {
  it('follows next_page_token per result and fetches details', async () => {
    const { url, log } = await fakeOsv((req, body, res) => {
      if (serveVuln(req, res)) return;
      const q = JSON.parse(body).queries as { package: { name: string }; page_token?: string }[];
      json(res, 200, {
        results: q.map((x) =>
          x.package.name === 'lodash' && !x.page_token
            ? {
                vulns: [{ id: 'GHSA-p6mc-m468-83gw', modified: modified('GHSA-p6mc-m468-83gw') }],
                next_page_token: 'page-2',
              }
            : x.package.name === 'lodash'
              ? { vulns: [{ id: 'GHSA-35jh-r3h4-6jhm', modified: modified('GHSA-35jh-r3h4-6jhm') }] }
              : {},
        ),
      });
    });
    const api = new OsvApi({ baseUrl: url, ...fast });
    const r = await api.query([
      { ecosystem: 'npm', name: 'lodash', version: '4.17.15' },
      { ecosystem: 'npm', name: 'left-pad', version: '1.3.0' },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.vulns.map((v) => v.map((x) => x.id))).toEqual([
      ['GHSA-p6mc-m468-83gw', 'GHSA-35jh-r3h4-6jhm'],
      [],
    ]);
    const posts = log.filter((l) => l.method === 'POST');
    expect(posts.length).toBe(2);
    // the second page asks only for the query that had a token
    expect(JSON.parse(posts[1]!.body)).toEqual({
      queries: [{ package: { ecosystem: 'npm', name: 'lodash' }, version: '4.17.15', page_token: 'page-2' }],
    });
    expect(log.filter((l) => l.method === 'GET').length).toBe(2);
  });

  it('splits queries into batches of at most batchSize', async () => {
    const { url, log } = await fakeOsv((req, body, res) => {
      if (serveVuln(req, res)) return;
      json(res, 200, { results: JSON.parse(body).queries.map(() => ({})) });
    });
    const pkgs = Array.from({ length: 5 }, (_, i) => ({ ecosystem: 'npm', name: `p${i}`, version: '1.0.0' }));
    await new OsvApi({ baseUrl: url, batchSize: 2, ...fast }).query(pkgs);
    expect(log.map((l) => JSON.parse(l.body).queries.length)).toEqual([2, 2, 1]);
  });

  it('retries 429 and 5xx with backoff, and caches records by id + modified', async () => {
    let posts = 0;
    let gets = 0;
    const { url } = await fakeOsv((req, _body, res) => {
      if (req.method === 'POST') {
        posts++;
        if (posts === 1) return json(res, 429, { message: 'slow down' });
        if (posts === 2) return json(res, 503, { message: 'unavailable' });
        return json(res, 200, {
          results: [{ vulns: [{ id: 'GHSA-hrpp-h998-j3pp', modified: modified('GHSA-hrpp-h998-j3pp') }] }],
        });
      }
      gets++;
      if (gets === 1) return json(res, 502, 'bad gateway');
      serveVuln(req, res);
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'dsf-osvcache-'));
    const q = [{ ecosystem: 'npm', name: 'qs', version: '6.7.0' }];
    const api = new OsvApi({ baseUrl: url, cacheDir, ...fast });
    const r = await api.query(q);
    expect(r.errors).toEqual([]);
    expect(r.vulns[0]!.map((v) => v.id)).toEqual(['GHSA-hrpp-h998-j3pp']);
    expect(api.stats.retries).toBe(3);

    const again = new OsvApi({ baseUrl: url, cacheDir, ...fast });
    await again.query(q);
    expect(again.stats.cacheHits).toBe(1);
    expect(gets).toBe(2);
  });

  it('retries a request that times out, and a truncated body', async () => {
    let gets = 0;
    const { url } = await fakeOsv((req, _body, res) => {
      if (req.method === 'POST')
        return json(res, 200, { results: [{ vulns: [{ id: 'GHSA-xvch-5gv4-984h' }] }] });
      gets++;
      if (gets === 1) return; // never answers: the per-request timeout fires
      if (gets === 2) return json(res, 200, record('GHSA-xvch-5gv4-984h').slice(0, 100)); // truncated
      serveVuln(req, res);
    });
    const api = new OsvApi({ baseUrl: url, ...fast, timeoutMs: 200 });
    const r = await api.query([{ ecosystem: 'npm', name: 'minimist', version: '1.2.5' }]);
    expect(r.errors).toEqual([]);
    expect(r.vulns[0]!.map((v) => v.id)).toEqual(['GHSA-xvch-5gv4-984h']);
    expect(gets).toBe(3);
  });

  it('gives an error (never an empty answer) when the source keeps failing', async () => {
    const { url } = await fakeOsv((_req, _body, res) => json(res, 500, 'down'));
    const api = new OsvApi({ baseUrl: url, ...fast, retries: 2 });
    const r = await api.query([{ ecosystem: 'npm', name: 'qs', version: '6.7.0' }]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(
      /advisory lookup failed, 1 packages were not checked: POST http:\/\/127\.0\.0\.1:\d+\/v1\/querybatch failed after 3 attempt\(s\): HTTP 500/,
    );
  });

  it('stops at the overall deadline', async () => {
    const { url } = await fakeOsv(() => undefined);
    const api = new OsvApi({ baseUrl: url, backoffMs: 5, timeoutMs: 100, deadlineMs: 300, retries: 50 });
    const r = await api.query([{ ecosystem: 'npm', name: 'qs', version: '6.7.0' }]);
    expect(r.errors[0]!.message).toMatch(/deadline of 300 ms passed/);
  });

  it('reports a wrong number of batch results', async () => {
    const { url } = await fakeOsv((_req, _body, res) => json(res, 200, { results: [] }));
    const r = await new OsvApi({ baseUrl: url, ...fast }).query([
      { ecosystem: 'npm', name: 'qs', version: '6.7.0' },
    ]);
    expect(r.errors[0]!.message).toMatch(/expected 1 results, got 0/);
  });
});
