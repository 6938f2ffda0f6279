import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

export interface UpdateOfflineDbOptions {
  /** Directory to write `<Ecosystem>/all.zip` into (the `--offline-db` directory). */
  dir: string;
  /** OSV ecosystems to fetch, e.g. ['npm', 'PyPI']. */
  ecosystems: string[];
  /** Where the dumps are served. Default https://osv-vulnerabilities.storage.googleapis.com */
  baseUrl?: string;
  /** Per-download timeout. Default 10 min (the npm dump is large). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  log?: (message: string) => void;
}

export interface UpdateResult {
  ecosystem: string;
  status: 'updated' | 'unchanged' | 'failed';
  bytes?: number;
  error?: string;
}

/**
 * Downloads the OSV per-ecosystem dumps (`devsecflow db update`). Each zip is checked (it must
 * open and hold JSON records) before it atomically replaces the previous one, and the ETag is kept
 * so an unchanged dump is not downloaded again. A failed ecosystem leaves the old dump in place.
 */
export async function updateOfflineDb(options: UpdateOfflineDbOptions): Promise<UpdateResult[]> {
  const base = (options.baseUrl ?? 'https://osv-vulnerabilities.storage.googleapis.com').replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const results: UpdateResult[] = [];
  for (const eco of options.ecosystems) {
    const dir = join(options.dir, eco);
    const metaPath = join(dir, '.download.json');
    const url = `${base}/${encodeURIComponent(eco)}/all.zip`;
    try {
      await mkdir(dir, { recursive: true });
      const prev = await readFile(metaPath, 'utf8')
        .then((t) => JSON.parse(t) as { etag?: string })
        .catch(() => ({}) as { etag?: string });
      const res = await doFetch(url, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
        headers: prev.etag ? { 'if-none-match': prev.etag } : {},
      });
      if (res.status === 304) {
        results.push({ ecosystem: eco, status: 'unchanged' });
        continue;
      }
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      let count = 0;
      try {
        // list the entries through the central directory without inflating them
        unzipSync(bytes, {
          filter: (f) => {
            if (f.name.endsWith('.json')) count++;
            return false;
          },
        });
      } catch (e) {
        throw new Error(`GET ${url}: not a readable zip (${(e as Error).message})`);
      }
      if (count === 0) throw new Error(`GET ${url}: the zip holds no OSV records`);
      const tmp = join(dir, `all.zip.${process.pid}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, join(dir, 'all.zip'));
      const etag = res.headers.get('etag');
      await writeFile(
        metaPath,
        JSON.stringify({ url, etag: etag ?? undefined, fetchedAt: new Date().toISOString() }),
      );
      options.log?.(`db update: ${eco}: ${count} records, ${bytes.length} bytes`);
      results.push({ ecosystem: eco, status: 'updated', bytes: bytes.length });
    } catch (e) {
      await rm(join(dir, `all.zip.${process.pid}.tmp`), { force: true });
      results.push({ ecosystem: eco, status: 'failed', error: (e as Error).message });
    }
  }
  return results;
}
