import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, posix, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError, normalisePath } from '@devsecflow/core';
import { parseXml, readHead, XmlContentError, type XmlInput } from './xml.js';

/** Coverage formats the gate reads. The one list the options schema and the docs derive from. */
export const COVERAGE_FORMATS = ['lcov', 'cobertura', 'jacoco', 'istanbul-summary', 'go'] as const;
export type CoverageFormat = (typeof COVERAGE_FORMATS)[number];

/** Coverage of one source file. `lines` maps a 1-based executable line to its hit count. */
export interface FileCoverage {
  path: string;
  /** Per-line hits; absent when the format has only totals (Istanbul summary). */
  lines?: Map<number, number>;
  /** Per-line branches; absent when the format has none. */
  branches?: Map<number, { found: number; hit: number }>;
  linesFound: number;
  linesHit: number;
  branchesFound: number;
  branchesHit: number;
}

export interface CoverageTotals {
  linesFound: number;
  linesHit: number;
  branchesFound: number;
  branchesHit: number;
}

export interface CoverageData {
  format: CoverageFormat;
  /** The report file(s), relative to the root. */
  file: string;
  files: Map<string, FileCoverage>;
  /** False when the format only has totals per file (no per-line data: no new-code coverage). */
  lineDetail: boolean;
}

export interface ReadCoverageOptions {
  /** Path used in messages, relative to the root. */
  displayPath: string;
  /** Absolute root: absolute paths under it become relative. */
  root?: string;
  /** Go module path (from go.mod) stripped from coverprofile paths. */
  goModule?: string;
  signal?: AbortSignal;
}

/** Percent (0-100) or undefined when nothing was measured. */
export function percent(hit: number, found: number): number | undefined {
  return found > 0 ? Math.round((hit / found) * 10000) / 100 : undefined;
}

export function totalsOf(data: CoverageData): CoverageTotals {
  const t: CoverageTotals = { linesFound: 0, linesHit: 0, branchesFound: 0, branchesHit: 0 };
  for (const f of data.files.values()) {
    t.linesFound += f.linesFound;
    t.linesHit += f.linesHit;
    t.branchesFound += f.branchesFound;
    t.branchesHit += f.branchesHit;
  }
  return t;
}

/** Normalises a path a coverage tool wrote: forward slashes, relative to the root when under it. */
export function coveragePath(path: string, root?: string, base?: string): string {
  let p = path.replace(/\\/g, '/');
  if (root) {
    const abs = isAbsolute(p) || /^[A-Za-z]:\//.test(p) ? p : base ? resolve(base, p) : undefined;
    if (abs) {
      const rel = relative(root, abs).replace(/\\/g, '/');
      if (rel && !rel.startsWith('../') && rel !== '..' && !isAbsolute(rel)) return rel;
    }
  }
  p = normalisePath(p);
  return p.startsWith('/') ? p : posix.normalize(p);
}

function fileEntry(files: Map<string, FileCoverage>, path: string, detail = true): FileCoverage {
  let f = files.get(path);
  if (!f) {
    f = { path, linesFound: 0, linesHit: 0, branchesFound: 0, branchesHit: 0 };
    if (detail) f.lines = new Map();
    files.set(path, f);
  }
  return f;
}

/** Recomputes a file's totals from its per-line data. */
function finalise(f: FileCoverage): void {
  if (f.lines) {
    f.linesFound = f.lines.size;
    f.linesHit = 0;
    for (const hits of f.lines.values()) if (hits > 0) f.linesHit++;
  }
  if (f.branches) {
    f.branchesFound = 0;
    f.branchesHit = 0;
    for (const b of f.branches.values()) {
      f.branchesFound += b.found;
      f.branchesHit += b.hit;
    }
  }
}

function setLine(f: FileCoverage, line: number, hits: number): void {
  const lines = f.lines ?? new Map<number, number>();
  f.lines = lines;
  lines.set(line, Math.max(lines.get(line) ?? 0, hits));
}

function addBranches(f: FileCoverage, line: number, found: number, hit: number): void {
  const branches = f.branches ?? new Map<number, { found: number; hit: number }>();
  f.branches = branches;
  const b = branches.get(line) ?? { found: 0, hit: 0 };
  b.found += found;
  b.hit += hit;
  branches.set(line, b);
}

async function* linesOf(path: string): AsyncIterable<string> {
  const rl = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  yield* rl;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** lcov tracefile (`SF:` / `DA:` / `BRDA:` / `end_of_record`), as written by istanbul, c8, lcov, gcov. */
export async function readLcov(path: string, options: ReadCoverageOptions): Promise<CoverageData> {
  const files = new Map<string, FileCoverage>();
  let current: FileCoverage | undefined;
  let lineNo = 0;
  let records = 0;
  const bad = (what: string): never => {
    throw new InputError(`invalid lcov: ${what}`, { file: options.displayPath, line: lineNo });
  };
  for await (const raw of linesOf(path)) {
    lineNo++;
    const line = raw.trim();
    if (!line) continue;
    const colon = line.indexOf(':');
    const key = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    switch (key) {
      case 'TN':
        break;
      case 'SF':
        current = fileEntry(files, coveragePath(value, options.root));
        break;
      case 'DA': {
        if (!current) bad('DA before SF');
        const [ln, hits] = value.split(',');
        const l = int(ln);
        const h = Number(hits);
        if (l === undefined || !Number.isFinite(h)) bad(`expected DA:<line>,<hits>, got "${line}"`);
        setLine(current!, l!, h);
        break;
      }
      case 'BRDA': {
        if (!current) bad('BRDA before SF');
        const parts = value.split(',');
        const l = int(parts[0]);
        if (l === undefined || parts.length < 4)
          bad(`expected BRDA:<line>,<block>,<branch>,<taken>, got "${line}"`);
        const taken = parts[3] === '-' ? 0 : Number(parts[3]);
        addBranches(current!, l!, 1, taken > 0 ? 1 : 0);
        break;
      }
      case 'LF':
      case 'LH':
      case 'BRF':
      case 'BRH':
      case 'FN':
      case 'FNDA':
      case 'FNF':
      case 'FNH':
      case 'VER':
        break;
      case 'end_of_record':
        if (current) finalise(current);
        current = undefined;
        records++;
        break;
      default:
        if (lineNo === 1) bad(`unexpected "${line.slice(0, 40)}" (expected TN: or SF:)`);
    }
  }
  if (current) bad('the file ends inside a record (expected end_of_record)');
  if (records === 0 && files.size === 0) bad('no SF records found');
  return { format: 'lcov', file: options.displayPath, files, lineDetail: true };
}

/** Cobertura XML (coverage.py, istanbul's cobertura reporter, coverlet, gcovr...). */
export async function readCobertura(input: XmlInput, options: ReadCoverageOptions): Promise<CoverageData> {
  const files = new Map<string, FileCoverage>();
  const sources: string[] = [];
  let inSource = false;
  let sourceText = '';
  let cls: FileCoverage | undefined;
  let inMethods = 0;
  let rootSeen = false;
  const rawClasses: { filename: string; lines: [number, number, number, number][] }[] = [];
  let rawCurrent: { filename: string; lines: [number, number, number, number][] } | undefined;
  await parseXml(
    input,
    {
      open(tag, depth) {
        const a = tag.attributes;
        if (depth === 1) {
          if (tag.name !== 'coverage') {
            throw new InputError(
              `not a Cobertura report: the root element is <${tag.name}> (expected <coverage>)`,
              {
                file: options.displayPath,
              },
            );
          }
          rootSeen = true;
        }
        if (tag.name === 'source') {
          inSource = true;
          sourceText = '';
        } else if (tag.name === 'class') {
          rawCurrent = { filename: a.filename ?? a.name ?? '', lines: [] };
          rawClasses.push(rawCurrent);
        } else if (tag.name === 'methods') {
          inMethods++;
        } else if (tag.name === 'line' && rawCurrent && inMethods === 0) {
          const nr = int(a.number);
          if (nr === undefined) return;
          const hits = Number(a.hits ?? '0');
          let found = 0;
          let hit = 0;
          // condition-coverage="50% (1/2)"
          const m = /\((\d+)\/(\d+)\)/.exec(a['condition-coverage'] ?? '');
          if (a.branch === 'true' && m) {
            hit = Number(m[1]);
            found = Number(m[2]);
          }
          rawCurrent.lines.push([nr, Number.isFinite(hits) ? hits : 0, found, hit]);
        }
      },
      close(name) {
        if (name === 'source') {
          inSource = false;
          if (sourceText.trim()) sources.push(sourceText.trim());
        } else if (name === 'methods') inMethods--;
        else if (name === 'class') rawCurrent = undefined;
      },
      text(t) {
        if (inSource) sourceText += t;
      },
    },
    {
      displayPath: options.displayPath,
      allowKnownDoctypes: true,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  if (!rootSeen) throw new InputError('not a Cobertura report', { file: options.displayPath });
  // Paths are relative to one of the <source> directories; pick the one under the root.
  const base = sources.find((s) => options.root && !relative(options.root, s).startsWith('..')) ?? sources[0];
  for (const c of rawClasses) {
    cls = fileEntry(files, coveragePath(c.filename, options.root, base));
    for (const [nr, hits, found, hit] of c.lines) {
      setLine(cls, nr, hits);
      if (found > 0) addBranches(cls, nr, found, hit);
    }
  }
  for (const f of files.values()) finalise(f);
  return { format: 'cobertura', file: options.displayPath, files, lineDetail: true };
}

/** JaCoCo XML: `<package name>` / `<sourcefile name>` / `<line nr mi ci mb cb>`. */
export async function readJacoco(input: XmlInput, options: ReadCoverageOptions): Promise<CoverageData> {
  const files = new Map<string, FileCoverage>();
  let pkg = '';
  let source: FileCoverage | undefined;
  await parseXml(
    input,
    {
      open(tag, depth) {
        const a = tag.attributes;
        if (depth === 1 && tag.name !== 'report') {
          throw new XmlContentError(
            `not a JaCoCo report: the root element is <${tag.name}> (expected <report>)`,
          );
        }
        if (tag.name === 'package') pkg = a.name ?? '';
        else if (tag.name === 'sourcefile') {
          source = fileEntry(files, coveragePath(pkg ? `${pkg}/${a.name ?? ''}` : (a.name ?? '')));
        } else if (tag.name === 'line' && source) {
          const nr = int(a.nr);
          if (nr === undefined) return;
          setLine(source, nr, Number(a.ci ?? '0') > 0 ? 1 : 0);
          const mb = Number(a.mb ?? '0');
          const cb = Number(a.cb ?? '0');
          if (mb + cb > 0) addBranches(source, nr, mb + cb, cb);
        }
      },
      close(name) {
        if (name === 'sourcefile') {
          if (source) finalise(source);
          source = undefined;
        } else if (name === 'package') pkg = '';
      },
    },
    {
      displayPath: options.displayPath,
      allowKnownDoctypes: true,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  // A sourcefile element without lines (interfaces) measured nothing.
  for (const [k, f] of files) if (f.linesFound === 0 && f.branchesFound === 0) files.delete(k);
  return { format: 'jacoco', file: options.displayPath, files, lineDetail: true };
}

/** Istanbul `coverage-summary.json` (json-summary reporter): totals per file, no per-line data. */
export async function readIstanbulSummary(path: string, options: ReadCoverageOptions): Promise<CoverageData> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InputError(`invalid JSON: ${(e as Error).message}`, { file: options.displayPath });
  }
  if (!json || typeof json !== 'object' || !('total' in json)) {
    throw new InputError('not an Istanbul coverage summary (expected a "total" key)', {
      file: options.displayPath,
    });
  }
  const files = new Map<string, FileCoverage>();
  type Metric = { total?: number; covered?: number };
  for (const [key, entry] of Object.entries(json as Record<string, { lines?: Metric; branches?: Metric }>)) {
    if (key === 'total') continue;
    const f = fileEntry(files, coveragePath(key, options.root), false);
    f.linesFound = Number(entry?.lines?.total ?? 0);
    f.linesHit = Number(entry?.lines?.covered ?? 0);
    f.branchesFound = Number(entry?.branches?.total ?? 0);
    f.branchesHit = Number(entry?.branches?.covered ?? 0);
  }
  return { format: 'istanbul-summary', file: options.displayPath, files, lineDetail: false };
}

/**
 * Go coverprofile (`go test -coverprofile`): `file:startLine.col,endLine.col numStmts count`. A line's
 * hits are the highest count of the blocks that span it; Go has no branch coverage.
 */
export async function readGoCover(path: string, options: ReadCoverageOptions): Promise<CoverageData> {
  const files = new Map<string, FileCoverage>();
  let lineNo = 0;
  const re = /^(.+):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\d+)$/;
  const prefix = options.goModule ? `${options.goModule}/` : undefined;
  for await (const raw of linesOf(path)) {
    lineNo++;
    const line = raw.trim();
    if (!line) continue;
    if (lineNo === 1) {
      if (!/^mode: (set|count|atomic)$/.test(line)) {
        throw new InputError(
          `not a Go coverprofile: expected "mode: set|count|atomic", got "${line.slice(0, 40)}"`,
          {
            file: options.displayPath,
            line: 1,
          },
        );
      }
      continue;
    }
    // Merged profiles repeat the mode line.
    if (line.startsWith('mode: ')) continue;
    const m = re.exec(line);
    if (!m) {
      throw new InputError(
        `invalid coverprofile block: expected "file:l.c,l.c stmts count", got "${line.slice(0, 60)}"`,
        {
          file: options.displayPath,
          line: lineNo,
        },
      );
    }
    let file = m[1]!;
    if (prefix && file.startsWith(prefix)) file = file.slice(prefix.length);
    const f = fileEntry(files, coveragePath(file, options.root));
    const start = Number(m[2]);
    const end = Number(m[4]);
    const count = Number(m[7]);
    if (Number(m[6]) === 0) continue;
    for (let l = start; l <= end; l++) setLine(f, l, count);
  }
  if (lineNo === 0)
    throw new InputError('empty file (expected a Go coverprofile)', { file: options.displayPath });
  for (const f of files.values()) finalise(f);
  return { format: 'go', file: options.displayPath, files, lineDetail: true };
}

/** Guesses a coverage file's format from its name and first bytes. */
export async function detectCoverageFormat(path: string): Promise<CoverageFormat | undefined> {
  const head = (await readHead(path)).replace(/^\uFEFF/, '');
  const start = head.trimStart();
  if (/^mode: (set|count|atomic)\b/.test(start)) return 'go';
  if (/^(TN|SF):/m.test(start.split('\n').slice(0, 3).join('\n'))) return 'lcov';
  if (start.startsWith('{')) return 'istanbul-summary';
  if (start.startsWith('<')) {
    if (/<!DOCTYPE\s+report\b|<report[\s>]/.test(head)) return 'jacoco';
    if (/<!DOCTYPE\s+coverage\b|<coverage[\s>]/.test(head)) return 'cobertura';
  }
  if (/\.info$/.test(path)) return 'lcov';
  return undefined;
}

/** Reads one coverage file in the given (or detected) format. */
export async function readCoverage(
  path: string,
  options: ReadCoverageOptions & { format?: CoverageFormat },
): Promise<CoverageData> {
  const format = options.format ?? (await detectCoverageFormat(path));
  switch (format) {
    case 'lcov':
      return readLcov(path, options);
    case 'cobertura':
      return readCobertura(path, options);
    case 'jacoco':
      return readJacoco(path, options);
    case 'istanbul-summary':
      return readIstanbulSummary(path, options);
    case 'go':
      return readGoCover(path, options);
    default:
      throw new InputError(
        `cannot tell the coverage format (expected one of ${COVERAGE_FORMATS.join(', ')}; set {path, format} in stages.test-gate.coverage)`,
        { file: options.displayPath },
      );
  }
}

/** Joins several coverage reports: per line the highest hit count wins; totals-only files add up. */
export function mergeCoverage(list: CoverageData[]): CoverageData | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const files = new Map<string, FileCoverage>();
  for (const data of list) {
    for (const f of data.files.values()) {
      const existing = files.get(f.path);
      if (!existing) {
        files.set(f.path, {
          ...f,
          ...(f.lines ? { lines: new Map(f.lines) } : {}),
          ...(f.branches ? { branches: new Map([...f.branches].map(([k, v]) => [k, { ...v }])) } : {}),
        });
        continue;
      }
      if (existing.lines && f.lines) {
        for (const [l, h] of f.lines) setLine(existing, l, h);
        if (f.branches) {
          for (const [l, b] of f.branches) {
            const e = existing.branches?.get(l);
            if (!e) addBranches(existing, l, b.found, b.hit);
            else e.hit = Math.min(e.found, Math.max(e.hit, b.hit));
          }
        }
        finalise(existing);
      } else {
        // Totals only: the best measurement of the file wins.
        if (f.linesHit / (f.linesFound || 1) > existing.linesHit / (existing.linesFound || 1))
          files.set(f.path, f);
      }
    }
  }
  return {
    format: list[0]!.format,
    file: list.map((d) => d.file).join(', '),
    files,
    lineDetail: list.every((d) => d.lineDetail),
  };
}
