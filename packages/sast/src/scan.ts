import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { findInFiles, parse, parseAsync, type SgNode, type SgRoot } from '@ast-grep/napi';
import type { Confidence, FindingDraft, ReportError, Severity } from '@devsecflow/core';
import { combineRules, type MatchedFile, matchNodes, type RuleSlot } from './combined.js';
import { type Grammar, grammarForPath, grammarFromShebang, languageOf, napiLang } from './languages.js';
import { applicableRules } from './prefilter.js';
import type { CompiledRule } from './rules.js';

const SNIPPET_MAX = 300;

function cweUrl(cwe: string): string {
  return `https://cwe.mitre.org/data/definitions/${cwe.slice(4)}.html`;
}

function interpolate(message: string, node: SgNode, prefix: string): string {
  return message.replace(/\$([A-Z_][A-Z0-9_]*)/g, (all, name: string) => {
    const m = node.getMatch(`${prefix}${name}`);
    if (!m) return all;
    const t = m.text().replace(/\s+/g, ' ');
    return t.length > 60 ? `${t.slice(0, 57)}...` : t;
  });
}

function draft(
  slot: RuleSlot,
  node: SgNode,
  path: string,
  confidence: Confidence,
  severity: Severity,
  flow?: string,
): FindingDraft {
  const { rule, prefix } = slot;
  const r = node.range();
  const text = node.text();
  const snippet = text.trim();
  return {
    ruleId: rule.id,
    title: rule.title,
    message:
      flow === 'source-not-visible'
        ? `${interpolate(rule.message, node, prefix)} Low confidence: no untrusted source is visible in this function, but the value is not a constant; check where it comes from.`
        : interpolate(rule.message, node, prefix),
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

/** Runs every rule of `rules` that applies to `grammar` over a parsed tree, in one search. */
export function scanTree(root: SgRoot, grammar: Grammar, rules: CompiledRule[], path: string): MatchedFile {
  const combined = combineRules(rules, grammar);
  if (combined.rules.length === 0) return { findings: [] };
  return matchNodes(root.root().findAll(combined.config), combined, (slot, node, c, sev, flow) =>
    draft(slot, node, path, c, sev, flow),
  );
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
  return scanTree(parse(napiLang(grammar), text), grammar, applicable, path).findings;
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

/** The result of a parsed file's matches: a syntax error is reported, and the rest still scanned. */
function parsedResult(file: FileInput, grammar: Grammar, matched: MatchedFile): FileResult {
  const line = matched.syntaxErrorLine;
  if (line === undefined) return { findings: matched.findings, outcome: 'scanned', grammar };
  return {
    findings: matched.findings,
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

/** A file deliberately left out: no findings, and a `skipped` line saying why. */
function skipped(file: FileInput, why: string): FileResult {
  return {
    findings: [],
    outcome: 'skipped',
    error: { path: file.path, kind: 'skipped', message: `not scanned: ${why}` },
  };
}

function tooLarge(file: FileInput, size: number, limits: ScanLimits): FileResult {
  return skipped(
    file,
    `${(size / 1048576).toFixed(1)} MB is above the SAST limit of ${limits.maxBytes / 1048576} MB per file`,
  );
}

/** A large file whose lines average more than the limit is generated or minified: skipped, and said so. */
function minifiedResult(file: FileInput, bytes: Buffer, limits: ScanLimits): FileResult | undefined {
  if (bytes.length < limits.minifiedMinSize) return undefined;
  let lines = 1;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  if (bytes.length / lines <= limits.minifiedLineLength) return undefined;
  return skipped(
    file,
    `looks minified or generated (${lines} lines, ${Math.round(bytes.length / lines)} characters per line on average)`,
  );
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
    return tooLarge(file, file.size, limits);
  }
  const bytes = await readBytes(file);
  if (!Buffer.isBuffer(bytes)) return bytes;
  if (grammar === undefined) {
    const first = bytes.subarray(0, 200).toString('latin1').split('\n', 1)[0] ?? '';
    grammar = grammarFromShebang(first);
    if (!grammar) return { findings: [], outcome: 'not-source' };
    if (bytes.length > limits.maxBytes) return { findings: [], outcome: 'not-source' };
  }
  if (languages && !languages.has(languageOf(grammar))) return { findings: [], outcome: 'not-source' };
  const source = sourceOf(file, grammar, bytes, limits);
  if ('outcome' in source) return source;
  const { text } = source;
  const applicable = applicableRules(text, grammar, rules);
  if (applicable.length === 0) return { findings: [], outcome: 'no-rules', grammar };
  let root: SgRoot;
  try {
    root = await parseAsync(napiLang(grammar), text);
  } catch (e) {
    return failed(file, `cannot parse as ${grammar}: ${(e as Error).message}`, grammar);
  }
  try {
    return parsedResult(file, grammar, scanTree(root, grammar, applicable, file.path));
  } catch (e) {
    return failed(file, `scan failed: ${(e as Error).message.split('\n')[0]}`, grammar);
  }
}

export interface ScanStats {
  filesScanned: number;
  /** Read, but holding none of the words any rule needs: not parsed. */
  filesWithoutApplicableRules: number;
  filesNotSource: number;
  filesSkipped: number;
  filesFailed: number;
  filesWithSyntaxErrors: number;
  /** Files parsed and matched in batches by ast-grep's own threads (the rest one by one here). */
  filesSearchedInBatches: number;
}

export interface ScanFilesOptions {
  limits?: ScanLimits;
  /** Files per ast-grep search at most: its combined matcher is compiled once per batch. */
  batchSize?: number;
  /** Batches in flight at once: at most this many batches of trees are alive. */
  batchesInFlight?: number;
  /** Files read at once. */
  concurrency?: number;
  languages?: Set<string>;
  signal?: AbortSignal;
  onFile?: (file: FileInput, result: FileResult) => void;
}

// How long to wait for a batch's last results after ast-grep says it is done, before the files
// still unreported are scanned one by one instead (results arriving later are then ignored).
const LATE_RESULTS_MS = 10_000;
// Files whose rule sets are sorted together before being cut into batches, so that files needing
// the same rules share a batch and its matcher holds few rules more than each of them needs.
const WINDOW = 512;
const SYNC_READ_MAX = 64 * 1024;
// Rule-bytes of extra matching that cost about as much as compiling one more matcher (6 ms for a
// batch of 35 rules, against ~4.5 ms per megabyte searched by one more rule): see flush.
const NEW_MATCHER_RULE_BYTES = 0.5 * 1024 * 1024;

interface Queued {
  file: FileInput;
  grammar: Grammar;
  rules: CompiledRule[];
  signature: string;
}

/**
 * Scans files from any (async) iterable. Each file is read and classified here, and its text
 * decides which rules can match it at all (the word pre-filter); files with rules go, in batches
 * of files needing similar rules, to ast-grep's parallel file search, whose own threads parse them
 * on every core and run the batch's combined matcher (see {@link combineRules}). Files without an
 * extension, and anything a batch did not report, are parsed one by one here instead, where a
 * clear error can name what went wrong. Memory stays bounded: a window of file names, and the
 * trees of the batches in flight.
 */
export async function scanFiles(
  files: AsyncIterable<FileInput> | Iterable<FileInput>,
  rules: CompiledRule[],
  options: ScanFilesOptions = {},
): Promise<{ findings: FindingDraft[]; errors: ReportError[]; stats: ScanStats }> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const languages = options.languages;
  const findings: FindingDraft[] = [];
  const errors: ReportError[] = [];
  const stats: ScanStats = {
    filesScanned: 0,
    filesWithoutApplicableRules: 0,
    filesNotSource: 0,
    filesSkipped: 0,
    filesFailed: 0,
    filesWithSyntaxErrors: 0,
    filesSearchedInBatches: 0,
  };
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

  const batches = new Set<Promise<void>>();
  const send = async (grammar: Grammar, batch: Queued[]) => {
    const inBatch = (file: FileInput, r: FileResult) => {
      stats.filesSearchedInBatches++;
      record(file, r);
    };
    const p: Promise<void> = searchBatch(grammar, batch, rules, inBatch)
      .then(async ({ unreported, complete }) => {
        for (const q of unreported) {
          if (complete) inBatch(q.file, { findings: [], outcome: 'scanned', grammar });
          else record(q.file, await scanFile(q.file, rules, limits, languages));
        }
      })
      .finally(() => batches.delete(p));
    batches.add(p);
    while (batches.size >= (options.batchesInFlight ?? 3)) await Promise.race(batches);
  };
  let window: Queued[] = [];
  const flush = async () => {
    const queued = window;
    window = [];
    queued.sort((a, b) => (a.grammar + a.signature).localeCompare(b.grammar + b.signature));
    const size = options.batchSize ?? 128;
    const cut: { batch: Queued[]; work: number }[] = [];
    let batch: Queued[] = [];
    let union = new Set<CompiledRule>();
    let bytes = 0;
    for (const q of queued) {
      if (batch.length > 0) {
        // Matching costs about (rules in the matcher) x (bytes searched), and a batch's matcher holds
        // every rule any of its files needs; compiling a matcher costs milliseconds on this thread.
        // A file joins the batch unless the rule-bytes it would add cost more than a new matcher.
        const added = q.rules.filter((r) => !union.has(r)).length;
        const extra = bytes * added + (q.file.size ?? 0) * (union.size + added - q.rules.length);
        if (batch.length >= size || batch[0]!.grammar !== q.grammar || extra > NEW_MATCHER_RULE_BYTES) {
          cut.push({ batch, work: bytes * union.size });
          batch = [];
          union = new Set();
          bytes = 0;
        }
      }
      batch.push(q);
      for (const r of q.rules) union.add(r);
      bytes += q.file.size ?? 0;
    }
    if (batch.length > 0) cut.push({ batch, work: bytes * union.size });
    // The biggest batches first, so that the last ones to finish are small and every core stays busy.
    cut.sort((a, b) => b.work - a.work);
    for (const c of cut) await send(c.batch[0]!.grammar, c.batch);
  };

  const reads = new Set<Promise<void>>();
  const classify = async (file: FileInput, grammar: Grammar) => {
    const r = await readSource(file, grammar, limits);
    if ('outcome' in r) return record(file, r);
    const applicable = applicableRules(r.text, grammar, rules);
    if (applicable.length === 0) return record(file, { findings: [], outcome: 'no-rules', grammar });
    window.push({ file, grammar, rules: applicable, signature: applicable.map((x) => x.id).join(' ') });
  };
  for await (const file of files) {
    if (options.signal?.aborted) break;
    const grammar = grammarForPath(file.path);
    if (grammar === null || (grammar && languages && !languages.has(languageOf(grammar)))) {
      record(file, { findings: [], outcome: 'not-source' });
      continue;
    }
    // Without an extension the shebang decides: the one-by-one path reads it.
    const p: Promise<void> = (
      grammar === undefined
        ? scanFile(file, rules, limits, languages).then((r) => record(file, r))
        : classify(file, grammar)
    ).finally(() => reads.delete(p));
    reads.add(p);
    if (reads.size >= (options.concurrency ?? 8)) await Promise.race(reads);
    if (window.length >= WINDOW) await flush();
  }
  await Promise.all(reads);
  if (!options.signal?.aborted) await flush();
  await Promise.all(batches);
  return { findings, errors, stats };
}

/** A file's bytes, or why it could not be read. */
async function readBytes(file: FileInput): Promise<Buffer | FileResult> {
  try {
    // A small file is read synchronously: a few microseconds of blocking cost less than the
    // promise and thread-pool round trips of an asynchronous read.
    return file.size !== undefined && file.size < SYNC_READ_MAX
      ? readFileSync(file.absolutePath)
      : await readFile(file.absolutePath);
  } catch (e) {
    return failed(file, `cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** The text of a file of a known grammar, or why it is not scanned (too large, minified, not UTF-8). */
function sourceOf(
  file: FileInput,
  grammar: Grammar,
  bytes: Buffer,
  limits: ScanLimits,
): { text: string } | FileResult {
  if (bytes.length > limits.maxBytes) return tooLarge(file, bytes.length, limits);
  const minified = minifiedResult(file, bytes, limits);
  if (minified) return { ...minified, grammar };
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return failed(file, 'not scanned: the file is not valid UTF-8', grammar);
  }
}

/** Reads a file of a known grammar: its text, or why it is not scanned. */
async function readSource(
  file: FileInput,
  grammar: Grammar,
  limits: ScanLimits,
): Promise<{ text: string } | FileResult> {
  if (file.size !== undefined && file.size > limits.maxBytes) return tooLarge(file, file.size, limits);
  const bytes = await readBytes(file);
  if (!Buffer.isBuffer(bytes)) return { ...bytes, grammar };
  return sourceOf(file, grammar, bytes, limits);
}

/**
 * One ast-grep parallel search over a batch of files of one grammar, with the combined matcher of
 * every rule any of them needs. ast-grep reports only files with matches: when the search
 * completes, the others (already read and decoded here) had none. When it fails or its results
 * stop arriving, the files not reported are returned for the one-by-one path, which says why.
 */
async function searchBatch(
  grammar: Grammar,
  batch: Queued[],
  rules: CompiledRule[],
  record: (file: FileInput, r: FileResult) => void,
): Promise<{ unreported: Queued[]; complete: boolean }> {
  const needed = new Set(batch.flatMap((q) => q.rules));
  // In the rule set's own order, so batches needing the same rules share one matcher.
  const union = batch[0]!.rules.length === needed.size ? batch[0]!.rules : rules.filter((r) => needed.has(r));
  const combined = combineRules(union, grammar);
  const byPath = new Map(batch.map((q) => [q.file.absolutePath, q]));
  let delivered = 0;
  let expected = Number.POSITIVE_INFINITY;
  let closed = false;
  let complete = false;
  let lost = false;
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onFile = (err: Error | null, nodes: SgNode[]) => {
    if (closed) return;
    delivered++;
    // A result that cannot be placed (an error, a path not asked for) means the files not reported
    // may have had matches: they are then scanned one by one, not taken as clean.
    if (err || nodes.length === 0) lost = true;
    else {
      const path = nodes[0]!.getRoot().filename();
      const q = byPath.get(path);
      if (!q) lost = true;
      else {
        byPath.delete(path);
        const { file } = q;
        let result: FileResult;
        try {
          result = parsedResult(
            file,
            grammar,
            matchNodes(nodes, combined, (slot, node, c, sev, flow) =>
              draft(slot, node, file.path, c, sev, flow),
            ),
          );
        } catch (e) {
          result = failed(file, `scan failed: ${(e as Error).message.split('\n')[0]}`, grammar);
        }
        record(file, result);
      }
    }
    if (delivered >= expected) finish();
  };
  try {
    expected = await findInFiles(
      napiLang(grammar),
      { paths: [...byPath.keys()], matcher: combined.config },
      onFile,
    );
    if (delivered >= expected) finish();
    let timer: NodeJS.Timeout | undefined;
    complete = await Promise.race([
      finished.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), LATE_RESULTS_MS);
      }),
    ]);
    clearTimeout(timer);
  } catch {
    // The one-by-one path reports whatever made the batch fail, file by file.
  }
  closed = true;
  return { unreported: [...byPath.values()], complete: complete && !lost };
}
