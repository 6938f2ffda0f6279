import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parse, parseAsync, type SgNode, type SgRoot } from '@ast-grep/napi';
import type { Confidence, FindingDraft, ReportError, Severity } from '@devsecflow/core';
import {
  type Grammar,
  grammarForPath,
  grammarFromShebang,
  grammarsOf,
  languageOf,
  napiLang,
} from './languages.js';
import type { CompiledRule } from './rules.js';
import { TaintAnalyzer } from './taint.js';

const LOWER: Record<Severity, Severity> = {
  critical: 'high',
  high: 'medium',
  medium: 'low',
  low: 'low',
  info: 'info',
};

const SNIPPET_MAX = 300;

function cweUrl(cwe: string): string {
  return `https://cwe.mitre.org/data/definitions/${cwe.slice(4)}.html`;
}

function interpolate(message: string, node: SgNode): string {
  return message.replace(/\$([A-Z_][A-Z0-9_]*)/g, (all, name: string) => {
    const m = node.getMatch(name);
    if (!m) return all;
    const t = m.text().replace(/\s+/g, ' ');
    return t.length > 60 ? `${t.slice(0, 57)}...` : t;
  });
}

function draft(
  rule: CompiledRule,
  node: SgNode,
  path: string,
  confidence: Confidence,
  severity: Severity,
  flow?: string,
): FindingDraft {
  const r = node.range();
  const text = node.text();
  const snippet = text.trim();
  return {
    ruleId: rule.id,
    title: rule.title,
    message:
      flow === 'source-not-visible'
        ? `${interpolate(rule.message, node)} Low confidence: no untrusted source is visible in this function, but the value is not a constant; check where it comes from.`
        : interpolate(rule.message, node),
    severity,
    confidence,
    location: {
      path,
      startLine: r.start.line + 1,
      startColumn: r.start.column + 1,
      endLine: r.end.line + 1,
      endColumn: r.end.column + 1,
      snippet: snippet.length > SNIPPET_MAX ? `${snippet.slice(0, SNIPPET_MAX)}...` : snippet,
    },
    identifiers: [
      ...rule.cwe.map((value) => ({ type: 'cwe' as const, value, url: cweUrl(value) })),
      ...rule.owasp.map((value) => ({ type: 'owasp' as const, value })),
      { type: 'rule', value: rule.id },
    ],
    references: rule.references,
    fix: { summary: rule.fix },
    fingerprintContext: text,
    ...(flow ? { properties: { taint: flow } } : {}),
  };
}

const IDENT = /[A-Za-z0-9_$]/;

/** `word` occurs in `text` as a whole identifier (not inside a longer one). */
function hasIdentifier(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + 1)) {
    const before = i > 0 ? text[i - 1]! : ' ';
    const after = text[i + word.length] ?? ' ';
    if (!IDENT.test(before) && !IDENT.test(after)) return true;
  }
  return false;
}

/** Rules that apply to a grammar and whose pre-filter words occur in the text. */
export function applicableRules(text: string, grammar: Grammar, rules: CompiledRule[]): CompiledRule[] {
  let lower: string | undefined;
  const seen = new Map<string, boolean>();
  const has = (w: string): boolean => {
    let hit = seen.get(w);
    if (hit === undefined) {
      if (w.startsWith('i:')) {
        lower ??= text.toLowerCase();
        hit = lower.includes(w.slice(2));
      } else if (w.startsWith('b:')) hit = hasIdentifier(text, w.slice(2));
      else hit = text.includes(w);
      seen.set(w, hit);
    }
    return hit;
  };
  return rules.filter(
    (r) => grammarsOf(r.language).includes(grammar) && (!r.requires || r.requires.every((c) => c.some(has))),
  );
}

/** Runs rules over a parsed tree. `rules` should already be filtered with {@link applicableRules}. */
export function scanTree(
  root: SgRoot,
  grammar: Grammar,
  rules: CompiledRule[],
  path: string,
): FindingDraft[] {
  const out: FindingDraft[] = [];
  const top = root.root();
  let taint: TaintAnalyzer | undefined;
  for (const rule of rules) {
    // A rule that only reports visible sources has nothing to find in a file without any.
    if (rule.taint && rule.taint.reportUnknown === false) {
      taint ??= new TaintAnalyzer(top, grammar);
      if (!taint.hasSources(rule.taint)) continue;
    }
    const seen = new Set<string>();
    for (const node of top.findAll(rule.matcher)) {
      const r = node.range();
      const at = `${r.start.index}:${r.end.index}`;
      if (seen.has(at)) continue;
      seen.add(at);
      if (rule.kind === 'structural' || !rule.taint) {
        out.push(draft(rule, node, path, rule.confidence, rule.severity));
        continue;
      }
      taint ??= new TaintAnalyzer(top, grammar);
      // Without $ARG the whole match is checked; for a call, that means its arguments.
      const arg = node.getMatch('ARG') ?? (node.field('arguments' as never) as SgNode | null) ?? node;
      const { state, built } = taint.analyze(arg, rule.taint);
      const unknownWanted = rule.taint.reportUnknown === 'concatenation' ? built : rule.taint.reportUnknown;
      if (state === 'tainted')
        out.push(draft(rule, node, path, rule.confidence, rule.severity, 'source-reached'));
      else if (state === 'unknown' && unknownWanted) {
        out.push(draft(rule, node, path, 'low', LOWER[rule.severity], 'source-not-visible'));
      }
    }
  }
  return out;
}

/** Scans a source string: the entry point for rule tests and embedding. */
export function scanSource(
  text: string,
  grammar: Grammar,
  rules: CompiledRule[],
  path = 'input',
): FindingDraft[] {
  const applicable = applicableRules(text, grammar, rules);
  if (applicable.length === 0) return [];
  return scanTree(parse(napiLang(grammar), text), grammar, applicable, path);
}

export interface ScanLimits {
  /** Files above this size whose lines average more than `minifiedLineLength` are skipped as minified. */
  minifiedMinSize: number;
  minifiedLineLength: number;
  /** Hard cap: larger files are never parsed. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  minifiedMinSize: 128 * 1024,
  minifiedLineLength: 1000,
  maxBytes: 8 * 1024 * 1024,
};

export interface FileInput {
  path: string;
  absolutePath: string;
  size?: number;
}

export interface FileResult {
  findings: FindingDraft[];
  error?: ReportError;
  /** What happened, for stats. */
  outcome: 'scanned' | 'no-rules' | 'not-source' | 'skipped' | 'error';
  grammar?: Grammar;
  syntaxErrors?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file that could not be scanned: no findings, one report error naming it. */
function failed(file: FileInput, message: string, grammar?: Grammar): FileResult {
  return {
    findings: [],
    outcome: 'error',
    ...(grammar ? { grammar } : {}),
    error: { path: file.path, kind: 'error', message },
  };
}

/** Reads, classifies and scans one file. Never throws: problems come back as `error`. */
export async function scanFile(
  file: FileInput,
  rules: CompiledRule[],
  limits: ScanLimits = DEFAULT_LIMITS,
  languages?: Set<string>,
): Promise<FileResult> {
  let grammar = grammarForPath(file.path);
  if (grammar === null) return { findings: [], outcome: 'not-source' };
  if (file.size !== undefined && file.size > limits.maxBytes && grammar !== undefined) {
    return {
      findings: [],
      outcome: 'skipped',
      error: {
        path: file.path,
        kind: 'skipped',
        message: `not scanned: ${(file.size / 1048576).toFixed(1)} MB is above the SAST limit of ${limits.maxBytes / 1048576} MB per file`,
      },
    };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file.absolutePath);
  } catch (e) {
    return failed(file, `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (grammar === undefined) {
    const first = bytes.subarray(0, 200).toString('latin1').split('\n', 1)[0] ?? '';
    grammar = grammarFromShebang(first);
    if (!grammar) return { findings: [], outcome: 'not-source' };
    if (bytes.length > limits.maxBytes) return { findings: [], outcome: 'not-source' };
  }
  if (languages && !languages.has(languageOf(grammar))) return { findings: [], outcome: 'not-source' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return failed(file, 'not scanned: the file is not valid UTF-8', grammar);
  }
  if (bytes.length >= limits.minifiedMinSize) {
    let lines = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    if (bytes.length / lines > limits.minifiedLineLength) {
      return {
        findings: [],
        outcome: 'skipped',
        grammar,
        error: {
          path: file.path,
          kind: 'skipped',
          message: `not scanned: looks minified or generated (${lines} lines, ${Math.round(bytes.length / lines)} characters per line on average)`,
        },
      };
    }
  }
  const applicable = applicableRules(text, grammar, rules);
  if (applicable.length === 0) return { findings: [], outcome: 'no-rules', grammar };
  let root: SgRoot;
  try {
    root = await parseAsync(napiLang(grammar), text);
  } catch (e) {
    return failed(file, `cannot parse as ${grammar}: ${(e as Error).message}`, grammar);
  }
  try {
    const findings = scanTree(root, grammar, applicable, file.path);
    const bad = root.root().find({ rule: { kind: 'ERROR' } });
    if (bad) {
      const line = bad.range().start.line + 1;
      return {
        findings,
        outcome: 'scanned',
        grammar,
        syntaxErrors: true,
        error: {
          path: file.path,
          line,
          kind: 'error',
          message: `syntax error at line ${line} (not valid ${grammar}); scanned the parts the parser could recover`,
        },
      };
    }
    return { findings, outcome: 'scanned', grammar };
  } catch (e) {
    return failed(file, `scan failed: ${(e as Error).message.split('\n')[0]}`, grammar);
  }
}

export interface ScanStats {
  filesScanned: number;
  filesWithoutApplicableRules: number;
  filesNotSource: number;
  filesSkipped: number;
  filesFailed: number;
  filesWithSyntaxErrors: number;
  /** Worker threads used (0: all on the calling thread). */
  workerThreads: number;
}

export interface ScanFilesOptions {
  limits?: ScanLimits;
  /**
   * Worker threads that parse and match (default 2, one per core here). Needs the built package
   * (`dist/sast-worker.js`); running from sources, or with 0/1, everything stays on this thread.
   */
  workers?: number;
  /** Files per message to a worker. */
  batchSize?: number;
  /** Files in flight at once: reads and parses run on libuv's thread pool, so 4 keeps both cores busy. */
  concurrency?: number;
  languages?: Set<string>;
  signal?: AbortSignal;
  onFile?: (file: FileInput, result: FileResult) => void;
}

/**
 * Scans files from any (async) iterable with bounded concurrency. Parsing runs off the main thread
 * (napi `parseAsync`); memory stays bounded because at most `concurrency` trees are alive and the
 * loop returns to the event loop between files.
 */
export async function scanFiles(
  files: AsyncIterable<FileInput> | Iterable<FileInput>,
  rules: CompiledRule[],
  options: ScanFilesOptions = {},
): Promise<{ findings: FindingDraft[]; errors: ReportError[]; stats: ScanStats }> {
  const findings: FindingDraft[] = [];
  const errors: ReportError[] = [];
  const stats: ScanStats = {
    filesScanned: 0,
    filesWithoutApplicableRules: 0,
    filesNotSource: 0,
    filesSkipped: 0,
    filesFailed: 0,
    workerThreads: 0,
    filesWithSyntaxErrors: 0,
  };
  const limit = options.concurrency ?? 4;
  const inflight = new Set<Promise<void>>();
  const record = (file: FileInput, r: FileResult) => {
    findings.push(...r.findings);
    if (r.error) errors.push(r.error);
    if (r.syntaxErrors) stats.filesWithSyntaxErrors++;
    if (r.outcome === 'scanned') stats.filesScanned++;
    else if (r.outcome === 'no-rules') stats.filesWithoutApplicableRules++;
    else if (r.outcome === 'not-source') stats.filesNotSource++;
    else if (r.outcome === 'skipped') stats.filesSkipped++;
    else stats.filesFailed++;
    options.onFile?.(file, r);
  };
  // Named for its stage: an action bundle ships every stage's worker side by side.
  const workerFile = fileURLToPath(new URL('./sast-worker.js', import.meta.url));
  const workers = options.workers ?? 2;
  if (workers > 1 && existsSync(workerFile)) {
    stats.workerThreads = workers;
    await scanWithWorkers(files, rules, options, workers, workerFile, record);
    return { findings, errors, stats };
  }
  for await (const file of files) {
    if (options.signal?.aborted) break;
    const p: Promise<void> = scanFile(file, rules, options.limits, options.languages).then((r) => {
      record(file, r);
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size >= limit) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return { findings, errors, stats };
}

/**
 * Spreads batches of files over worker threads (each parses and matches on its own core). At most
 * two batches per worker are in flight, so memory stays bounded however large the tree is.
 */
async function scanWithWorkers(
  files: AsyncIterable<FileInput> | Iterable<FileInput>,
  rules: CompiledRule[],
  options: ScanFilesOptions,
  count: number,
  workerFile: string,
  record: (file: FileInput, r: FileResult) => void,
): Promise<void> {
  const pool = Array.from(
    { length: count },
    () =>
      new Worker(workerFile, {
        workerData: {
          rules,
          limits: options.limits ?? DEFAULT_LIMITS,
          languages: options.languages ? [...options.languages] : undefined,
        },
      }),
  );
  const pending = new Map<number, { files: FileInput[]; resolve: () => void; reject: (e: Error) => void }>();
  const load = pool.map(() => 0);
  let nextId = 0;
  for (const [i, w] of pool.entries()) {
    w.on('message', (m: { id: number; results: FileResult[] }) => {
      const job = pending.get(m.id);
      if (!job) return;
      pending.delete(m.id);
      load[i]!--;
      job.files.forEach((f, k) => {
        record(f, m.results[k]!);
      });
      job.resolve();
    });
    w.on('error', (e) => {
      for (const job of pending.values()) job.reject(e);
    });
  }
  const inflight = new Set<Promise<void>>();
  const send = (batch: FileInput[]) => {
    const target = load.indexOf(Math.min(...load));
    load[target]!++;
    const id = nextId++;
    const p = new Promise<void>((resolve, reject) => {
      pending.set(id, { files: batch, resolve, reject });
    }).finally(() => inflight.delete(p));
    inflight.add(p);
    pool[target]!.postMessage({ id, files: batch });
  };
  try {
    let batch: FileInput[] = [];
    const size = options.batchSize ?? 32;
    for await (const file of files) {
      if (options.signal?.aborted) break;
      batch.push(file);
      if (batch.length >= size) {
        send(batch);
        batch = [];
        while (inflight.size >= count * 2) await Promise.race(inflight);
      }
    }
    if (batch.length) send(batch);
    await Promise.all(inflight);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
