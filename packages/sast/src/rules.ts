import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NapiConfig, parse } from '@ast-grep/napi';
import type { z } from '@devsecflow/core';
import { type Confidence, ConfigError, type Severity } from '@devsecflow/core';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { gatedSet } from './gate.js';
import { expandoChar, grammarsOf, LANGUAGES, type Language, napiLang } from './languages.js';
import { type RuleFile, RuleFileSchema, type TaintLibrary, TaintLibrarySchema } from './rule-schema.js';

type RuleObject = Record<string, unknown>;

/** A validated rule, ready to run. Plain data, so it can cross to a worker thread. */
export interface CompiledRule {
  id: string;
  language: Language;
  title: string;
  message: string;
  severity: Severity;
  confidence: Confidence;
  cwe: string[];
  owasp: string[];
  fix: string;
  references: string[];
  /** The YAML file the rule came from. */
  file: string;
  /** Structural rules report every match; taint rules report sinks reached by untrusted data. */
  kind: 'structural' | 'taint';
  /** The ast-grep matcher: the rule itself, or for taint rules the union of the sinks. */
  matcher: NapiConfig;
  taint?: {
    sources: NapiConfig;
    sanitizers?: NapiConfig;
    reportUnknown: boolean | 'concatenation';
    /** Cache keys: rules sharing the same sources/sanitisers reuse one search per file. */
    sourcesKey: string;
    sanitizersKey?: string;
  };
  /**
   * A cheap pre-filter in conjunctive form: the rule can only match a file that contains, for every
   * clause, at least one of its words. `b:` words must appear as whole identifiers, `i:` words in any
   * case. `null` when nothing can be derived (the rule then runs on every file of its language).
   */
  requires: string[][] | null;
  /**
   * The rule's own text pre-check (the `prefilter` of its YAML), a JavaScript regex: checked after
   * `requires`, on files that have its words.
   */
  prefilter?: { source: string; flags: string };
}

/** Where the package's own rule packs live (works from src/ and from dist/). */
export const BUILTIN_RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'rules');

function locate(doc: Document, lc: LineCounter, path: (string | number)[]): number | undefined {
  for (let p = path; ; p = p.slice(0, -1)) {
    const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lc.linePos(range[0]).line;
    if (p.length === 0) return undefined;
  }
}

function keyName(path: PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || '(top level)';
}

function readYaml(file: string, display: string): { data: unknown; doc: Document; lc: LineCounter } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read rule file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      file: display,
    });
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new ConfigError(`invalid YAML: ${err.message.split('\n')[0]}`, {
      file: display,
      line: pos?.line,
      column: pos?.col,
    });
  }
  return { data: doc.toJS(), doc, lc };
}

function zodFail(error: z.ZodError, doc: Document, lc: LineCounter, display: string, what: string): never {
  const issue = error.issues[0]!;
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  throw new ConfigError(`${what} key \`${keyName(path)}\`: ${issue.message}`, {
    file: display,
    line: locate(doc, lc, path),
  });
}

// Identifier-like words that appear in nearly every file: useless as a pre-filter.
const WEAK_WORDS = new Set([
  'function',
  'return',
  'const',
  'let',
  'var',
  'new',
  'this',
  'true',
  'false',
  'null',
  'import',
  'from',
  'def',
  'self',
  'func',
  'string',
  'String',
  'True',
  'False',
  'None',
  'if',
  'for',
  'in',
  'of',
]);

// Words common in ordinary code (method and property names every library uses): still usable as a
// pre-filter when nothing better is known, but any rarer word of the rule is preferred.
const COMMON_WORDS = new Set([
  'get',
  'set',
  'getAll',
  'text',
  'json',
  'data',
  'body',
  'url',
  'path',
  'name',
  'value',
  'type',
  'key',
  'end',
  'send',
  'write',
  'run',
  'all',
  'each',
  'find',
  'call',
  'apply',
  'then',
  'push',
  'join',
  'split',
  'replace',
  'error',
  'message',
  'options',
  'result',
  'length',
  'prototype',
  'exports',
  'require',
  'module',
  'default',
  'object',
  'undefined',
  'arguments',
  'Object',
  'Array',
  'Error',
  'Promise',
  'append',
  'before',
  'after',
  'test',
]);
const COMMON_SCORE = 2.5;

type WordSet = string[] | null;

function score(s: WordSet): number {
  if (!s || s.length === 0) return -1;
  return (
    Math.min(
      ...s.map((w) => {
        const bare = w.replace(/^[bi]:/, '');
        if (WEAK_WORDS.has(bare)) return 0;
        return COMMON_WORDS.has(bare) ? Math.min(COMMON_SCORE, bare.length) : bare.length;
      }),
    ) -
    s.length * 0.01
  );
}

function best(sets: WordSet[]): WordSet {
  let pick: WordSet = null;
  for (const s of sets) if (score(s) > score(pick)) pick = s;
  return pick;
}

function wordsOfPattern(p: string): WordSet[] {
  const words = p.replace(/\$+[A-Z_][A-Z0-9_]*|\$\$\$/g, ' ').match(/[A-Za-z_][A-Za-z0-9_]*/g);
  // Identifiers of a pattern occur in matched code as whole identifiers.
  return (words ?? []).filter((w) => w.length >= 3 && !WEAK_WORDS.has(w)).map((w) => [`b:${w}`]);
}

/**
 * Necessary words of a regex, read conservatively: only when the regex is a plain concatenation (no
 * top-level `|`, no `(?i)`), each mandatory group of bare word alternatives `(a|b)` and each literal
 * word is a candidate; anything the reader does not understand is skipped, never guessed.
 */
export function wordsOfRegex(regex: string): WordSet {
  return best(regexClauses(regex));
}

/** Every necessary word clause of a regex (see {@link wordsOfRegex}). */
function regexClauses(regex: string): WordSet[] {
  // `(?i)` words are kept lower-cased with an `i:` prefix and checked case-insensitively.
  const insensitive = regex.startsWith('(?i)');
  // ASCII classes `(?-u:\w)` are written that way only because Unicode classes are slow to compile.
  const r = (insensitive ? regex.slice(4) : regex).replace(/\(\?-u:(\\[wsd])\)/g, '$1');
  if (r.includes('(?')) return [];
  // Top-level alternatives: one of them matches, so the union of each one's best words is necessary.
  const alternatives = splitAlternatives(r);
  if (alternatives.length > 1) {
    const union = alternativesClause(alternatives, insensitive);
    return union ? [union] : [];
  }
  const candidates: WordSet[] = [];
  const quantified = (i: number) => r[i] === '?' || r[i] === '*' || r[i] === '{';
  // A word is a whole identifier when what surrounds it in the regex cannot be an identifier character.
  const openBefore = (i: number) => r[i - 1] === '^' || r[i - 1] === ')' || r.slice(i - 2, i) === '\\.';
  const closedAfter = (j: number) =>
    r[j] === '$' || r.slice(j, j + 2) === '\\.' || r.slice(j, j + 2) === '\\(';
  const mark = (words: string[], boundary: boolean) =>
    words.map((w) => (insensitive ? `i:${w.toLowerCase()}` : boundary ? `b:${w}` : w));
  let word = '';
  let wordStart = 0;
  const flush = (next: number) => {
    // A quantifier makes the last character optional (`files?` needs only `file`).
    const cut = quantified(next);
    const w = cut ? word.slice(0, -1) : word;
    if (w.length >= 3) candidates.push(mark([w], !cut && openBefore(wordStart) && closedAfter(next)));
    word = '';
  };
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (/[A-Za-z0-9_]/.test(c)) {
      if (!word) wordStart = i;
      word += c;
      continue;
    }
    flush(i);
    if (c === '|') return []; // not reached: top-level alternatives are split above
    if (c === '\\') i++;
    else if (c === '[') {
      while (i < r.length && r[i] !== ']') i += r[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      let depth = 1;
      let j = i + 1;
      for (; j < r.length && depth > 0; j++) {
        if (r[j] === '\\') j++;
        else if (r[j] === '(') depth++;
        else if (r[j] === ')') depth--;
      }
      const body = r.slice(i + 1, j - 1);
      if (!quantified(j) && /^[A-Za-z_][A-Za-z0-9_]*(\|[A-Za-z_][A-Za-z0-9_]*)*$/.test(body)) {
        candidates.push(mark(body.split('|'), openBefore(i) && closedAfter(j)));
      } else if (!quantified(j)) {
        // A group of longer alternatives (`(a\.b|c\.d)`): the union of each one's best words.
        const union = alternativesClause(splitAlternatives(body), insensitive);
        if (union) candidates.push(union);
      }
      i = j - 1;
    }
  }
  flush(r.length);
  return candidates;
}

/** Splits a regex at its top-level `|` (outside groups and classes). */
function splitAlternatives(r: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '\\') i++;
    else if (c === '[') {
      while (i < r.length && r[i] !== ']') i += r[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(r.slice(start, i));
      start = i + 1;
    }
  }
  out.push(r.slice(start));
  return out;
}

/**
 * The union of the best words of each alternative, or null when one of them has none. Words of an
 * alternative are matched as substrings (`i:` when case-insensitive): its boundaries are not known.
 */
function alternativesClause(alternatives: string[], insensitive: boolean): string[] | null {
  const union: string[] = [];
  for (const alt of alternatives) {
    const b = best(regexClauses(alt.replace(/^\^|\$$/g, '')));
    if (!b) return null;
    union.push(
      ...b.map((w) => {
        const bare = w.replace(/^[bi]:/, '');
        return insensitive ? `i:${bare.toLowerCase()}` : bare;
      }),
    );
  }
  return [...new Set(union)];
}

/** The single most selective necessary-word set of an ast-grep rule object. */
export function requiredWords(
  rule: unknown,
  utils: Record<string, unknown> = {},
  constraints: Record<string, unknown> = {},
): WordSet {
  return best(requiredClauses(rule, utils, constraints));
}

/**
 * Necessary-word clauses of an ast-grep rule object: every clause must have one of its words in a
 * file the rule can match (see {@link CompiledRule.requires}). Keys of a rule object, `all` and
 * relational rules are conjunctive; `any` contributes the union of its branches' best clauses.
 */
export function requiredClauses(
  rule: unknown,
  utils: Record<string, unknown> = {},
  constraints: Record<string, unknown> = {},
  seen = new Set<string>(),
): WordSet[] {
  if (!rule || typeof rule !== 'object') return [];
  const r = rule as RuleObject;
  const out: WordSet[] = [];
  if (typeof r.pattern === 'string') out.push(...wordsOfPattern(r.pattern));
  else if (r.pattern && typeof r.pattern === 'object') {
    const ctx = (r.pattern as RuleObject).context;
    if (typeof ctx === 'string') out.push(...wordsOfPattern(ctx));
  }
  if (typeof r.regex === 'string') out.push(...regexClauses(r.regex));
  for (const rel of ['inside', 'has', 'follows', 'precedes']) {
    if (r[rel]) out.push(...requiredClauses(r[rel], utils, constraints, seen));
  }
  if (Array.isArray(r.all))
    for (const sub of r.all) out.push(...requiredClauses(sub, utils, constraints, seen));
  if (Array.isArray(r.any)) {
    const union: string[] = [];
    let ok = r.any.length > 0;
    for (const sub of r.any) {
      const b = best(requiredClauses(sub, utils, constraints, seen));
      if (!b) ok = false;
      else union.push(...b);
    }
    if (ok) out.push([...new Set(union)]);
  }
  if (typeof r.matches === 'string' && !seen.has(r.matches)) {
    // `seen` guards recursion along one path only: sibling branches may use the same util.
    out.push(...requiredClauses(utils[r.matches], utils, constraints, new Set([...seen, r.matches])));
  }
  if (typeof r.pattern === 'string') {
    for (const mv of r.pattern.match(/\$[A-Z_][A-Z0-9_]*/g) ?? []) {
      const c = constraints[mv.slice(1)];
      if (c) out.push(...requiredClauses(c, utils, {}, seen));
    }
  }
  return out.filter((c): c is string[] => !!c && c.length > 0);
}

/** The few most selective clauses, or null. */
function prefilter(clauses: WordSet[]): string[][] | null {
  const picked = clauses
    .filter((c): c is string[] => !!c && score(c) > 2)
    .sort((a, b) => score(b) - score(a))
    .slice(0, 3);
  return picked.length ? picked : null;
}

function collectPatterns(rule: unknown, out: string[]): void {
  if (Array.isArray(rule)) {
    for (const r of rule) collectPatterns(r, out);
    return;
  }
  if (!rule || typeof rule !== 'object') return;
  for (const [k, v] of Object.entries(rule as RuleObject)) {
    if (k === 'pattern' && typeof v === 'string') out.push(v);
    else if (k === 'pattern' && v && typeof v === 'object' && typeof (v as RuleObject).context === 'string') {
      out.push((v as RuleObject).context as string);
    } else collectPatterns(v, out);
  }
}

/**
 * ast-grep's `f($A, $$$)` does not match `f(x)`: the comma is literal. Rule authors mean "and maybe
 * more", so every pattern with `, $$$` or `$$$, ` also matches with those parts left out.
 */
export function patternVariants(p: string): string[] {
  const re = /, \$\$\$(?![A-Z_])|\$\$\$, /g;
  const spots = [...p.matchAll(re)];
  if (spots.length === 0 || spots.length > 4) return [p];
  const out = new Set<string>();
  for (let mask = 0; mask < 1 << spots.length; mask++) {
    let s = '';
    let last = 0;
    spots.forEach((m, i) => {
      s += p.slice(last, m.index);
      if (!(mask & (1 << i))) s += m[0];
      last = m.index + m[0].length;
    });
    out.add(s + p.slice(last));
  }
  return [...out];
}

/** Rewrites `pattern` keys with optional-rest variants (see {@link patternVariants}), recursively. */
export function expandPatterns(rule: unknown): unknown {
  if (Array.isArray(rule)) return rule.map(expandPatterns);
  if (!rule || typeof rule !== 'object') return rule;
  const out: RuleObject = {};
  for (const [k, v] of Object.entries(rule as RuleObject)) out[k] = k === 'pattern' ? v : expandPatterns(v);
  if (typeof out.pattern === 'string') {
    const variants = patternVariants(out.pattern);
    if (variants.length > 1) {
      delete out.pattern;
      const alt = { any: variants.map((pattern) => ({ pattern })) };
      out.all = Array.isArray(out.all) ? [alt, ...out.all] : [alt];
    }
  }
  return out;
}

function expandRuleFile(r: RuleFile): RuleFile {
  const rec = (o: Record<string, RuleObject> | undefined) =>
    o &&
    (Object.fromEntries(Object.entries(o).map(([k, v]) => [k, expandPatterns(v)])) as Record<
      string,
      RuleObject
    >);
  return {
    ...r,
    rule: r.rule && (expandPatterns(r.rule) as RuleObject),
    utils: rec(r.utils),
    constraints: rec(r.constraints),
    taint: r.taint && {
      ...r.taint,
      sinks: expandPatterns(r.taint.sinks) as RuleObject[],
      sources: expandPatterns(r.taint.sources) as (string | RuleObject)[],
      sanitizers: r.taint.sanitizers && (expandPatterns(r.taint.sanitizers) as (string | RuleObject)[]),
    },
  };
}

// Matchers and patterns already found valid, per grammar: the shared taint sets recur in many rules.
const validMatchers = new Set<string>();
const validPatterns = new Set<string>();

/** Throws a one-line message when ast-grep rejects a matcher or one of its patterns does not parse. */
function checkMatcher(language: Language, config: NapiConfig): void {
  const json = JSON.stringify(config);
  for (const g of grammarsOf(language)) {
    if (validMatchers.has(`${g}\u0000${json}`)) continue;
    const lang = napiLang(g);
    try {
      parse(lang, '').root().findAll(config);
    } catch (e) {
      throw new Error((e as Error).message.replace(/\n\s*\|->/g, ': ').replace(/\s+/g, ' '));
    }
    const patterns: string[] = [];
    collectPatterns([config.rule, config.constraints, config.utils], patterns);
    // Go and Java only accept declarations at top level, so a bare expression pattern always
    // "fails" to parse there; ast-grep copes, and the check would only produce false alarms.
    if (g === 'go' || g === 'java') continue;
    const ex = expandoChar(g);
    for (const p of patterns) {
      if (validPatterns.has(`${g}\u0000${p}`)) continue;
      const src = ex && ex !== '$' ? p.replaceAll('$', ex) : p;
      const bad = parse(lang, src)
        .root()
        .find({ rule: { kind: 'ERROR' } });
      if (bad)
        throw new Error(
          `pattern \`${p}\` is not valid ${g} (syntax error near \`${bad.text().slice(0, 30)}\`)`,
        );
      validPatterns.add(`${g}\u0000${p}`);
    }
    validMatchers.add(`${g}\u0000${json}`);
  }
}

const libraries = new Map<string, TaintLibrary & { file: string }>();

function taintLibrary(language: Language, dir = BUILTIN_RULES_DIR): TaintLibrary & { file: string } {
  const file = join(dir, language, '_taint.yml');
  const cached = libraries.get(file);
  if (cached) return cached;
  let lib: TaintLibrary & { file: string } = { sources: {}, sanitizers: {}, file };
  try {
    statSync(file);
    const { data, doc, lc } = readYaml(file, file);
    const parsed = TaintLibrarySchema.safeParse(data);
    if (!parsed.success) zodFail(parsed.error, doc, lc, file, 'taint library');
    const ex = (sets: Record<string, RuleObject[]>) =>
      Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, expandPatterns(v) as RuleObject[]]));
    lib = {
      sources: ex(parsed.data.sources),
      sanitizers: ex(parsed.data.sanitizers),
      ...(parsed.data.utils
        ? { utils: ex({ u: [parsed.data.utils] }).u![0] as Record<string, RuleObject> }
        : {}),
      file,
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  libraries.set(file, lib);
  return lib;
}

function resolveRefs(
  refs: (string | RuleObject)[],
  kind: 'sources' | 'sanitizers',
  lib: TaintLibrary,
  fail: (index: number, msg: string) => never,
): RuleObject[] {
  const out: RuleObject[] = [];
  refs.forEach((ref, i) => {
    if (typeof ref === 'string') {
      const set = lib[kind][ref];
      if (!set) {
        const known = Object.keys(lib[kind]).join(', ') || 'none';
        fail(i, `unknown shared ${kind} set \`${ref}\` (known: ${known})`);
      }
      out.push(...set);
    } else out.push(ref);
  });
  return out;
}

/**
 * Reads and validates one rule file. Any problem is a ConfigError naming the file, the line and the
 * key, e.g. `rules/foo.yml:7: rule key \`severity\`: Invalid option: expected one of ...`.
 */
export function loadRuleFile(file: string, display = file): CompiledRule {
  const { data, doc, lc } = readYaml(file, display);
  const parsed = RuleFileSchema.safeParse(data);
  if (!parsed.success) zodFail(parsed.error, doc, lc, display, 'rule');
  const r = expandRuleFile(parsed.data);
  const at = (path: (string | number)[]) => ({ file: display, line: locate(doc, lc, path) });
  const compileFail = (path: (string | number)[], msg: string): never => {
    throw new ConfigError(`rule \`${r.id}\` key \`${keyName(path)}\`: ${msg}`, at(path));
  };
  const lib = taintLibrary(r.language);
  const utils = { ...(lib.utils ?? {}), ...(r.utils ?? {}) };
  const base = { utils, ...(r.constraints ? { constraints: r.constraints } : {}) } as const;
  const check = (path: (string | number)[], cfg: NapiConfig) => {
    try {
      checkMatcher(r.language, cfg);
    } catch (e) {
      compileFail(path, (e as Error).message);
    }
  };
  const meta = {
    id: r.id,
    language: r.language,
    title: r.title,
    message: r.message.trim(),
    severity: r.severity,
    confidence: r.confidence,
    cwe: r.cwe,
    owasp: r.owasp,
    fix: r.fix.trim(),
    references: r.references,
    file: display,
    ...(r.prefilter === undefined ? {} : { prefilter: checkedPrefilter(r.prefilter, compileFail) }),
  };
  if (r.rule) {
    const matcher = { ...base, rule: r.rule, utils: usedUtils([r.rule, r.constraints], utils) } as NapiConfig;
    check(['rule'], matcher);
    return {
      ...meta,
      kind: 'structural',
      matcher,
      requires: prefilter(requiredClauses(r.rule, utils, r.constraints ?? {})),
    };
  }
  const t = r.taint!;
  t.sinks.forEach((sink, i) => {
    check(['taint', 'sinks', i], { rule: sink, ...base } as NapiConfig);
  });
  const sources = resolveRefs(t.sources, 'sources', lib, (i, m) => compileFail(['taint', 'sources', i], m));
  sources.forEach((s, i) => {
    check(['taint', 'sources', i], { rule: s, utils } as NapiConfig);
  });
  const sanitizers = resolveRefs(t.sanitizers ?? [], 'sanitizers', lib, (i, m) =>
    compileFail(['taint', 'sanitizers', i], m),
  );
  sanitizers.forEach((s, i) => {
    check(['taint', 'sanitizers', i], { rule: s, utils } as NapiConfig);
  });
  const sinkRule = { any: t.sinks };
  const sourcesCfg = { rule: gatedSet(sources), utils: usedUtils(sources, utils) } as NapiConfig;
  const sanitizersCfg = sanitizers.length
    ? ({ rule: gatedSet(sanitizers), utils: usedUtils(sanitizers, utils) } as NapiConfig)
    : undefined;
  return {
    ...meta,
    kind: 'taint',
    matcher: { ...base, rule: sinkRule, utils: usedUtils([sinkRule, r.constraints], utils) } as NapiConfig,
    taint: {
      sources: sourcesCfg,
      sanitizers: sanitizersCfg,
      reportUnknown: t.reportUnknown,
      sourcesKey: JSON.stringify(sourcesCfg),
      sanitizersKey: sanitizersCfg ? JSON.stringify(sanitizersCfg) : undefined,
    },
    // Without unknown-source reports a finding needs a source in the file too.
    requires: prefilter([
      ...requiredClauses(sinkRule, utils, r.constraints ?? {}),
      ...(t.reportUnknown === false ? [requiredWords({ any: sources }, utils)] : []),
    ]),
  };
}

/** A rule's `prefilter`, once it compiles as a JavaScript regular expression. */
function checkedPrefilter(
  p: string | { regex: string; ignoreCase: boolean },
  fail: (path: (string | number)[], msg: string) => never,
): { source: string; flags: string } {
  const source = typeof p === 'string' ? p : p.regex;
  const flags = typeof p === 'string' || !p.ignoreCase ? '' : 'i';
  try {
    new RegExp(source, flags);
  } catch (e) {
    fail(
      typeof p === 'string' ? ['prefilter'] : ['prefilter', 'regex'],
      `not a valid JavaScript regular expression: ${(e as Error).message}`,
    );
  }
  return { source, flags };
}

/**
 * The utility rules `roots` use, directly or through each other. ast-grep compiles every util it is
 * given, used or not, on every search: a rule carrying its language's whole taint library cost that
 * library's compilation in every batch it was part of.
 */
function usedUtils(roots: unknown[], utils: Record<string, unknown>): Record<string, unknown> {
  const used: Record<string, unknown> = {};
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'matches' && typeof x === 'string' && x in utils && !(x in used)) {
        used[x] = utils[x];
        visit(utils[x]);
      } else visit(x);
    }
  };
  for (const root of roots) visit(root);
  return used;
}

/** Every YAML file of the built-in packs, libraries included, as `<language>/<name>`, sorted. */
function packFiles(dir: string): string[] {
  const files: string[] = [];
  for (const lang of LANGUAGES) {
    let names: string[];
    try {
      names = readdirSync(join(dir, lang));
    } catch {
      continue;
    }
    for (const n of names.sort()) if (/\.ya?ml$/.test(n)) files.push(`${lang}/${n}`);
  }
  return files;
}

/** Every built-in rule file, as absolute paths, sorted (one folder per language; `_*.yml` are libraries). */
export function builtinRuleFiles(dir = BUILTIN_RULES_DIR): string[] {
  return packFiles(dir)
    .filter((f) => !basename(f).startsWith('_'))
    .map((f) => join(dir, ...f.split('/')));
}

export interface LoadRulesOptions {
  /** Include the built-in packs (default true). */
  builtin?: boolean;
  /** Extra rule files (absolute paths). */
  files?: string[];
  /** Base directory for the file names shown in errors. */
  displayRoot?: string;
  /** Rule ids to leave out; an unknown id is a ConfigError. */
  disable?: string[];
  /** Only rules of these languages (`javascript` rules also cover TypeScript). */
  languages?: Language[];
}

// The built-in packs are validated once per process.
let builtinCache: CompiledRule[] | undefined;

/**
 * Where the build writes the built-in packs, validated and compiled, with a digest of the rule
 * files they came from. Loading them this way skips parsing and checking 150 YAML files (~0.3 s) on
 * every run; a rule file edited after the build changes the digest and the packs load from YAML.
 */
const BUILTIN_CACHE = join(BUILTIN_RULES_DIR, '..', 'dist', 'builtin-rules.json');

// The modules whose code decides what a rule compiles to: a cache written by an older compiler is
// stale. Built, they are all in the bundle this module is part of; from sources, files beside it.
const COMPILER_MODULES = ['gate', 'languages', 'rule-schema'];

/**
 * sha256 over every rule and library file of the built-in packs (paths and contents) and over the
 * compiler's own code.
 */
export function builtinDigest(dir = BUILTIN_RULES_DIR): string {
  const hash = createHash('sha256');
  const here = fileURLToPath(import.meta.url);
  const ext = here.slice(here.lastIndexOf('.'));
  hash.update(readFileSync(here));
  for (const m of COMPILER_MODULES) {
    try {
      hash.update(readFileSync(join(dirname(here), `${m}${ext}`)));
    } catch {
      // Bundled: the module is part of this file.
    }
  }
  for (const f of packFiles(dir)) {
    hash.update(`${f}\u0000`);
    hash.update(readFileSync(join(dir, ...f.split('/'))));
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

function loadBuiltins(): CompiledRule[] {
  // Only the built package uses the cache: run from sources, the compiler itself may have changed.
  if (fileURLToPath(import.meta.url).includes(`${sep}dist${sep}`)) {
    try {
      const cached = JSON.parse(readFileSync(BUILTIN_CACHE, 'utf8')) as {
        digest: string;
        rules: CompiledRule[];
      };
      if (cached.digest === builtinDigest()) return cached.rules;
    } catch {
      // No cache, or an unreadable one: compile from YAML below.
    }
  }
  return compileBuiltins();
}

function compileBuiltins(): CompiledRule[] {
  return builtinRuleFiles().map((f) =>
    loadRuleFile(f, `@devsecflow/sast/rules/${relative(BUILTIN_RULES_DIR, f)}`),
  );
}

/** Compiles the built-in packs from YAML and writes them for {@link loadRules} (run by the build). */
export function writeBuiltinRuleCache(): string {
  writeFileSync(BUILTIN_CACHE, `${JSON.stringify({ digest: builtinDigest(), rules: compileBuiltins() })}\n`);
  return BUILTIN_CACHE;
}

/** Loads, validates and filters rules. Duplicate ids and unknown disabled ids are ConfigErrors. */
export function loadRules(options: LoadRulesOptions = {}): CompiledRule[] {
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  const add = (file: string, display: string) => {
    const rule = loadRuleFile(file, display);
    const prev = seen.get(rule.id);
    if (prev)
      throw new ConfigError(`duplicate rule id \`${rule.id}\` (also defined in ${prev})`, { file: display });
    seen.set(rule.id, display);
    rules.push(rule);
  };
  if (options.builtin !== false) {
    builtinCache ??= loadBuiltins();
    for (const rule of builtinCache) {
      seen.set(rule.id, rule.file);
      rules.push(rule);
    }
  }
  for (const f of options.files ?? []) add(f, options.displayRoot ? relative(options.displayRoot, f) : f);
  const disabled = new Set(options.disable ?? []);
  for (const id of disabled) {
    if (!seen.has(id)) throw new ConfigError(`stages.sast.disable: unknown rule id \`${id}\``);
  }
  const langs = options.languages ? new Set(options.languages) : undefined;
  return rules.filter((r) => {
    if (disabled.has(r.id)) return false;
    if (!langs) return true;
    if (langs.has(r.language)) return true;
    // JavaScript rules also run on TypeScript files.
    return r.language === 'javascript' && langs.has('typescript');
  });
}

/** The id a rule file should carry: its file name without extension. */
export function ruleIdFromFile(file: string): string {
  return basename(file).replace(/\.ya?ml$/, '');
}
