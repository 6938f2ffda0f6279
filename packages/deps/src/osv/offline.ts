import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { normalizePackageName } from '../versions.js';
import {
  type AdvisorySource,
  isOsvVuln,
  type OsvVuln,
  type PackageQuery,
  type SourceResult,
} from './types.js';

/** Bump when the on-disk index layout changes: old indexes are then rebuilt. */
const INDEX_VERSION = 2;

export interface OfflineDbOptions {
  /** Directory holding `<Ecosystem>/all.zip` or `<Ecosystem>/*.json` (the OSV per-ecosystem dumps). */
  dir: string;
  /** Where the index is kept; default `<dir>/.devsecflow-cache`. */
  cacheDir?: string;
  /** Progress and timing messages. */
  log?: (message: string) => void;
}

interface IndexMeta {
  version: number;
  stamp: string;
  records: number;
}

/**
 * A loaded index: `keys.tsv` holds one line per package name, sorted, `name<TAB>off,len,off,len...`
 * (byte ranges of its records in records.jsonl). A warm run reads it as one string and binary
 * searches it, so it never builds a 100k-entry object.
 */
class EcosystemIndex {
  private starts: number[] | undefined;
  constructor(
    readonly meta: IndexMeta,
    private readonly text: string,
  ) {}

  private lineStarts(): number[] {
    if (!this.starts) {
      const s: number[] = [];
      if (this.text.length) s.push(0);
      for (
        let i = this.text.indexOf('\n');
        i !== -1 && i + 1 < this.text.length;
        i = this.text.indexOf('\n', i + 1)
      )
        s.push(i + 1);
      this.starts = s;
    }
    return this.starts;
  }

  /** Byte ranges `[off, len, off, len, ...]` of the records naming this package. */
  lookup(name: string): number[] | undefined {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = starts[mid]!;
      const tab = this.text.indexOf('\t', a);
      const key = this.text.slice(a, tab);
      if (key === name) {
        const end = this.text.indexOf('\n', tab);
        return this.text
          .slice(tab + 1, end < 0 ? undefined : end)
          .split(',')
          .map(Number);
      }
      if (key < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

type DumpSource = { kind: 'zip'; path: string } | { kind: 'dir'; path: string; files: string[] };

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function findDump(dir: string, ecosystem: string): Promise<DumpSource | undefined> {
  const base = join(dir, ecosystem);
  const zip = join(base, 'all.zip');
  if (await exists(zip)) return { kind: 'zip', path: zip };
  const entries = await readdir(base).catch(() => undefined);
  if (!entries) return undefined;
  const files = entries.filter((f) => f.endsWith('.json')).sort();
  return files.length ? { kind: 'dir', path: base, files } : undefined;
}

async function stampOf(src: DumpSource): Promise<string> {
  if (src.kind === 'zip') {
    const s = await stat(src.path);
    return `zip:${s.size}:${Math.trunc(s.mtimeMs)}`;
  }
  // one stat per file would cost more than a warm run; the directory's own mtime changes on add/remove
  const s = await stat(src.path);
  const last = await stat(join(src.path, src.files[src.files.length - 1]!));
  return `dir:${src.files.length}:${Math.trunc(s.mtimeMs)}:${Math.trunc(last.mtimeMs)}:${last.size}`;
}

/**
 * Hands every JSON entry of an OSV dump to `onRecord`. Zips are read through their central
 * directory with fflate's unzipSync (zip64-aware: the real dumps have 100k+ entries).
 */
async function eachRecord(
  src: DumpSource,
  onRecord: (name: string, bytes: Uint8Array) => void,
): Promise<void> {
  if (src.kind === 'dir') {
    for (const f of src.files) onRecord(f, await readFile(join(src.path, f)));
    return;
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(await readFile(src.path), { filter: (f) => f.name.endsWith('.json') });
  } catch (e) {
    throw new Error(`${src.path}: not a readable zip (${(e as Error).message})`);
  }
  const names = Object.keys(files);
  if (names.length === 0) throw new Error(`${src.path}: no OSV records (.json entries) in the zip`);
  for (const n of names) {
    onRecord(n, files[n]!);
    delete files[n]; // let each record's bytes go once indexed
  }
}

/**
 * Advisories from the OSV per-ecosystem dumps on disk (`devsecflow deps --offline-db <dir>`).
 * The first run per ecosystem builds an index (records re-serialised one per line, plus a
 * name -> byte range map); later runs read the map and parse only the records of packages asked
 * about. The index is rebuilt when the dump's size/mtime stamp changes.
 */
export class OfflineDb implements AdvisorySource {
  readonly name: string;
  private readonly cacheDir: string;
  private readonly indexes = new Map<string, Promise<EcosystemIndex | undefined>>();
  /** Counters for the bench and `--verbose`. */
  readonly stats = { indexBuilds: 0, recordsParsed: 0, badRecords: 0 };

  constructor(private readonly options: OfflineDbOptions) {
    this.name = `offline OSV db ${options.dir}`;
    this.cacheDir = options.cacheDir ?? join(options.dir, '.devsecflow-cache');
  }

  /** Loads (or builds) the index of one ecosystem; undefined when the dump has no data for it. */
  index(ecosystem: string): Promise<EcosystemIndex | undefined> {
    let p = this.indexes.get(ecosystem);
    if (!p) {
      p = this.loadIndex(ecosystem);
      this.indexes.set(ecosystem, p);
    }
    return p;
  }

  private async loadIndex(ecosystem: string): Promise<EcosystemIndex | undefined> {
    const src = await findDump(this.options.dir, ecosystem);
    if (!src) return undefined;
    const stamp = await stampOf(src);
    const dir = join(this.cacheDir, `${ecosystem}.v${INDEX_VERSION}`);
    try {
      const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as IndexMeta;
      if (meta.version === INDEX_VERSION && meta.stamp === stamp) {
        return new EcosystemIndex(meta, await readFile(join(dir, 'keys.tsv'), 'utf8'));
      }
    } catch {
      // missing or unreadable: rebuild
    }
    return this.build(ecosystem, src, stamp, dir);
  }

  private async build(
    ecosystem: string,
    src: DumpSource,
    stamp: string,
    dir: string,
  ): Promise<EcosystemIndex> {
    const started = Date.now();
    this.stats.indexBuilds++;
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(tmp, { recursive: true });
    const out = createWriteStream(join(tmp, 'records.jsonl'));
    const keys: Record<string, number[]> = Object.create(null);
    let offset = 0;
    let records = 0;
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (!pending.length) return;
      const chunk = Buffer.concat(pending);
      pending.length = 0;
      pendingBytes = 0;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    };
    const decoder = new TextDecoder();
    const batch: [string, Uint8Array][] = [];
    const handle = (name: string, bytes: Uint8Array) => {
      let rec: unknown;
      try {
        rec = JSON.parse(decoder.decode(bytes));
      } catch {
        this.stats.badRecords++;
        this.options.log?.(`offline db: skipped ${ecosystem}/${name}: not valid JSON`);
        return;
      }
      if (!isOsvVuln(rec)) {
        this.stats.badRecords++;
        return;
      }
      if (rec.withdrawn) return;
      const names = new Set<string>();
      for (const a of rec.affected ?? []) {
        if (a.package && a.package.ecosystem.split(':')[0] === ecosystem) {
          names.add(normalizePackageName(ecosystem, a.package.name));
        }
      }
      if (!names.size) return;
      const line = Buffer.from(`${JSON.stringify(rec)}\n`);
      for (const n of names) {
        const list = keys[n];
        if (list) list.push(offset, line.length);
        else keys[n] = [offset, line.length];
      }
      offset += line.length;
      records++;
      pending.push(line);
      pendingBytes += line.length;
    };
    await eachRecord(src, (name, bytes) => {
      batch.push([name, bytes]);
    }).catch(async (e) => {
      out.destroy();
      await rm(tmp, { recursive: true, force: true });
      throw e;
    });
    for (const [name, bytes] of batch.splice(0)) {
      handle(name, bytes);
      if (pendingBytes > 4 << 20) await flush();
    }
    await flush();
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    const meta: IndexMeta = { version: INDEX_VERSION, stamp, records };
    // names never contain tabs or newlines in any OSV ecosystem; drop the odd one that would
    const names = Object.keys(keys)
      .filter((n) => !/[\t\n]/.test(n))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const tsv = names.map((n) => `${n}\t${keys[n]!.join(',')}\n`).join('');
    await writeFile(join(tmp, 'keys.tsv'), tsv);
    await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta));
    const idx = new EcosystemIndex(meta, tsv);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    this.options.log?.(`offline db: indexed ${records} ${ecosystem} records in ${Date.now() - started} ms`);
    return idx;
  }

  async query(packages: PackageQuery[]): Promise<SourceResult> {
    const errors: SourceResult['errors'] = [];
    const vulns: OsvVuln[][] = packages.map(() => []);
    const byEco = new Map<string, number[]>();
    packages.forEach((p, i) => {
      const list = byEco.get(p.ecosystem);
      if (list) list.push(i);
      else byEco.set(p.ecosystem, [i]);
    });
    for (const [eco, idxs] of byEco) {
      let index: EcosystemIndex | undefined;
      try {
        index = await this.index(eco);
      } catch (e) {
        errors.push({
          message: `offline db: cannot read the ${eco} dump: ${(e as Error).message}`,
          path: join(this.options.dir, eco),
        });
        continue;
      }
      if (!index) {
        errors.push({
          message: `offline db has no ${eco} advisories (expected ${join(this.options.dir, eco, 'all.zip')} or JSON files there): ${idxs.length} ${eco} packages were not checked`,
          path: join(this.options.dir, eco),
        });
        continue;
      }
      const fh = await open(join(this.cacheDir, `${eco}.v${INDEX_VERSION}`, 'records.jsonl'), 'r');
      try {
        const cache = new Map<number, OsvVuln>();
        for (const i of idxs) {
          const ranges = index.lookup(normalizePackageName(eco, packages[i]!.name));
          if (!ranges) continue;
          for (let k = 0; k < ranges.length; k += 2) {
            const off = ranges[k]!;
            let rec = cache.get(off);
            if (!rec) {
              const buf = Buffer.alloc(ranges[k + 1]!);
              await fh.read(buf, 0, buf.length, off);
              rec = JSON.parse(buf.toString('utf8')) as OsvVuln;
              this.stats.recordsParsed++;
              cache.set(off, rec);
            }
            vulns[i]!.push(rec);
          }
        }
      } finally {
        await fh.close();
      }
    }
    return { vulns, errors };
  }
}
