import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AdvisorySource,
  isOsvVuln,
  type OsvVuln,
  type PackageQuery,
  type SourceResult,
} from './types.js';

export interface OsvApiOptions {
  /** Default https://api.osv.dev. */
  baseUrl?: string;
  /** On-disk cache of full records keyed by id and `modified`. */
  cacheDir?: string;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Overall deadline for the whole lookup. Default 5 min. */
  deadlineMs?: number;
  /** Concurrent GET /v1/vulns/{id}. Default 8. */
  concurrency?: number;
  /** Retries per request on 429, 5xx, timeouts and unreadable bodies. Default 4. */
  retries?: number;
  /** First backoff step; doubles per retry, plus up to the same again as jitter. Default 500 ms. */
  backoffMs?: number;
  /** Queries per POST /v1/querybatch (the API's maximum is 1000). */
  batchSize?: number;
  fetch?: typeof fetch;
  log?: (message: string) => void;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

interface BatchResult {
  results?: { vulns?: { id: string; modified?: string }[]; next_page_token?: string }[];
}

/**
 * The OSV API: `POST /v1/querybatch` for ids (batches of at most 1000, following each result's
 * `next_page_token`), then `GET /v1/vulns/{id}` for the records, cached on disk by id + modified.
 * Any request that still fails after its retries fails the lookup: the caller reports `partial`.
 */
export class OsvApi implements AdvisorySource {
  readonly name: string;
  private readonly base: string;
  private readonly o: Required<Omit<OsvApiOptions, 'cacheDir' | 'log' | 'baseUrl'>> &
    Pick<OsvApiOptions, 'cacheDir' | 'log'>;
  /** Requests made, for tests and `--verbose`. */
  readonly stats = { requests: 0, retries: 0, cacheHits: 0 };

  constructor(options: OsvApiOptions = {}) {
    this.base = (options.baseUrl ?? 'https://api.osv.dev').replace(/\/+$/, '');
    this.name = `OSV API ${this.base}`;
    this.o = {
      timeoutMs: options.timeoutMs ?? 30_000,
      deadlineMs: options.deadlineMs ?? 300_000,
      concurrency: options.concurrency ?? 8,
      retries: options.retries ?? 4,
      backoffMs: options.backoffMs ?? 500,
      batchSize: Math.min(options.batchSize ?? 1000, 1000),
      fetch: options.fetch ?? globalThis.fetch,
      cacheDir: options.cacheDir,
      log: options.log,
    };
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    deadline: AbortSignal,
    body?: unknown,
  ): Promise<unknown> {
    let attempt = 0;
    for (;;) {
      if (deadline.aborted)
        throw new Error(`deadline of ${this.o.deadlineMs} ms passed before ${method} ${path} finished`);
      const signal = AbortSignal.any([deadline, AbortSignal.timeout(this.o.timeoutMs)]);
      try {
        this.stats.requests++;
        const res = await this.o.fetch(`${this.base}${path}`, {
          method,
          signal,
          headers:
            body === undefined
              ? { accept: 'application/json' }
              : { 'content-type': 'application/json', accept: 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (res.status === 429 || res.status >= 500) {
          const ra = Number(res.headers.get('retry-after'));
          await res.body?.cancel().catch(() => undefined);
          throw new RetryableError(
            `HTTP ${res.status}`,
            Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined,
          );
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => undefined);
          throw new Error(`${method} ${path}: HTTP ${res.status}`);
        }
        const text = await res.text();
        try {
          return JSON.parse(text);
        } catch {
          throw new RetryableError(`unreadable response body (${text.length} bytes, truncated?)`);
        }
      } catch (e) {
        const retryable =
          e instanceof RetryableError ||
          (!deadline.aborted &&
            ((e as Error).name === 'TimeoutError' ||
              (e as Error).name === 'AbortError' ||
              e instanceof TypeError));
        if (!retryable || attempt >= this.o.retries || deadline.aborted) {
          const why = deadline.aborted
            ? `deadline of ${this.o.deadlineMs} ms passed`
            : (e as Error).name === 'TimeoutError'
              ? `timed out after ${this.o.timeoutMs} ms`
              : (e as Error).message;
          throw new Error(`${method} ${this.base}${path} failed after ${attempt + 1} attempt(s): ${why}`);
        }
        const step = this.o.backoffMs * 2 ** attempt;
        const wait = (e as RetryableError).retryAfterMs ?? step + Math.random() * step;
        attempt++;
        this.stats.retries++;
        this.o.log?.(
          `OSV: ${method} ${path}: ${(e as Error).message}; retry ${attempt} in ${Math.round(wait)} ms`,
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** Advisory ids (with `modified`) affecting each query, following pagination. */
  async queryIds(
    packages: PackageQuery[],
    deadline: AbortSignal,
  ): Promise<{ id: string; modified?: string }[][]> {
    const out: { id: string; modified?: string }[][] = packages.map(() => []);
    for (let start = 0; start < packages.length; start += this.o.batchSize) {
      let todo = packages
        .slice(start, start + this.o.batchSize)
        .map((_p, k) => ({ i: start + k, token: undefined as string | undefined }));
      while (todo.length) {
        const body = {
          queries: todo.map(({ i, token }) => ({
            package: { ecosystem: packages[i]!.ecosystem, name: packages[i]!.name },
            version: packages[i]!.version,
            ...(token ? { page_token: token } : {}),
          })),
        };
        const res = (await this.request('POST', '/v1/querybatch', deadline, body)) as BatchResult;
        if (!res || !Array.isArray(res.results) || res.results.length !== todo.length) {
          throw new Error(
            `POST ${this.base}/v1/querybatch: expected ${todo.length} results, got ${Array.isArray(res?.results) ? res.results.length : 'none'}`,
          );
        }
        const next: typeof todo = [];
        res.results.forEach((r, k) => {
          const q = todo[k]!;
          for (const v of r.vulns ?? []) out[q.i]!.push(v);
          if (r.next_page_token) next.push({ i: q.i, token: r.next_page_token });
        });
        todo = next;
      }
    }
    return out;
  }

  private async cached(id: string, modified: string | undefined): Promise<OsvVuln | undefined> {
    if (!this.o.cacheDir || !modified) return undefined;
    try {
      const rec = JSON.parse(
        await readFile(join(this.o.cacheDir, `${encodeURIComponent(id)}.json`), 'utf8'),
      ) as OsvVuln;
      return rec.modified === modified ? rec : undefined;
    } catch {
      return undefined;
    }
  }

  private async store(rec: OsvVuln): Promise<void> {
    if (!this.o.cacheDir) return;
    await mkdir(this.o.cacheDir, { recursive: true });
    const file = join(this.o.cacheDir, `${encodeURIComponent(rec.id)}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(rec));
    await rename(tmp, file);
  }

  /** Full records for ids, from the cache when `modified` matches, else GET /v1/vulns/{id}. */
  async fetchVulns(
    ids: Map<string, string | undefined>,
    deadline: AbortSignal,
  ): Promise<Map<string, OsvVuln>> {
    const out = new Map<string, OsvVuln>();
    const queue = [...ids];
    let failure: Error | undefined;
    const worker = async () => {
      while (queue.length && !failure) {
        const [id, modified] = queue.shift()!;
        const hit = await this.cached(id, modified);
        if (hit) {
          this.stats.cacheHits++;
          out.set(id, hit);
          continue;
        }
        try {
          const rec = await this.request('GET', `/v1/vulns/${encodeURIComponent(id)}`, deadline);
          if (!isOsvVuln(rec)) throw new Error(`GET /v1/vulns/${id}: not an OSV record`);
          out.set(id, rec);
          await this.store(rec).catch(() => undefined);
        } catch (e) {
          failure = e as Error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, worker));
    if (failure) throw failure;
    return out;
  }

  async query(packages: PackageQuery[], signal?: AbortSignal): Promise<SourceResult> {
    const deadline = AbortSignal.any([AbortSignal.timeout(this.o.deadlineMs), ...(signal ? [signal] : [])]);
    const vulns: OsvVuln[][] = packages.map(() => []);
    try {
      const ids = await this.queryIds(packages, deadline);
      const wanted = new Map<string, string | undefined>();
      for (const list of ids) for (const v of list) wanted.set(v.id, v.modified);
      const records = await this.fetchVulns(wanted, deadline);
      ids.forEach((list, i) => {
        for (const v of list) {
          const rec = records.get(v.id);
          if (rec && !rec.withdrawn) vulns[i]!.push(rec);
        }
      });
      return { vulns, errors: [] };
    } catch (e) {
      return {
        vulns: packages.map(() => []),
        errors: [
          {
            message: `advisory lookup failed, ${packages.length} packages were not checked: ${(e as Error).message}`,
          },
        ],
      };
    }
  }
}
