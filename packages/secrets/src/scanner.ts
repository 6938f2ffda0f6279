import { type Confidence, KeywordMatcher, type Severity } from '@devsecflow/core';
import { DOCUMENTED_EXAMPLES, looksLikePlaceholder } from './allowlist.js';
import { hashSecret, maskSecret, redactLine, secretSalt } from './redact.js';
import { RULES, type SecretRule } from './rules.js';
import { shannonEntropy, VALIDATORS } from './validators.js';

/** One secret found in a text. It never holds the value itself: only its mask and salted hash. */
export interface SecretMatch {
  ruleId: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  /** 1-based line and column of the secret's first and last character. */
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** The line the secret starts on, with every secret candidate on it masked. */
  snippet: string;
  maskedPreview: string;
  secretHash: string;
  length: number;
  entropy: number;
  /** True when an AWS access key id and its secret key were found within a few lines of each other. */
  paired?: boolean;
}

export interface ScannerOptions {
  /** Rule ids to leave out. */
  disable?: readonly string[];
  /** Exact values to ignore (documented examples of your own). */
  allowValues?: readonly string[];
  /** Salted hashes (`secretHash` of a finding) to ignore, so a config never has to hold a value. */
  allowHashes?: readonly string[];
  /** Regex sources; a secret matching one is ignored. */
  allowRegexes?: readonly string[];
  /** Salt override (default: DEVSECFLOW_SECRETS_SALT or the documented constant). */
  salt?: string;
}

export interface ScanTextStats {
  /** Candidates dropped by an allowlist, a placeholder check, the entropy floor or a validator. */
  candidatesRejected: number;
  rulesRun: number;
}

interface CompiledRule {
  rule: SecretRule;
  index: number;
  re: RegExp;
  /** Anchored rules: the sticky regex, and which prefilter keywords start a match. */
  sticky?: RegExp;
  starts?: Uint8Array;
  pathRe?: RegExp;
  allow: RegExp[];
  deny: [string, RegExp][];
}

interface RawMatch {
  c: CompiledRule;
  start: number;
  end: number;
  value: string;
  accepted: boolean;
  paired?: boolean;
}

const EXAMPLES = new Set(DOCUMENTED_EXAMPLES);

/** Lines further apart than this do not pair an AWS key id with a secret key. */
const AWS_PAIR_LINES = 5;
const AWS_SECRET_NEARBY = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/**
 * Compiled rules plus the keyword prefilter. Build one per scan configuration and reuse it: a
 * Scanner holds no per-text state.
 */
export class Scanner {
  readonly rules: readonly CompiledRule[];
  private readonly matcher: KeywordMatcher;
  /** Keywords whose positions the prefilter records: those that start an anchored rule's match. */
  private readonly tracked: Uint8Array;
  private readonly byKeyword = new Map<string, CompiledRule[]>();
  private readonly allowValues: Set<string>;
  private readonly allowHashes: Set<string>;
  private readonly allowRegexes: RegExp[];
  private readonly salt: string;

  constructor(options: ScannerOptions = {}) {
    const disabled = new Set(options.disable ?? []);
    this.rules = RULES.map((rule, index) => ({ rule, index }))
      .filter(({ rule }) => !disabled.has(rule.id))
      .map(({ rule, index }) => ({
        rule,
        index,
        re: new RegExp(rule.pattern, `gd${rule.flags ?? ''}`),
        pathRe: rule.paths ? new RegExp(rule.paths) : undefined,
        allow: (rule.allow ?? []).map((a) => new RegExp(a)),
        deny: Object.entries(rule.deny ?? {}).map(
          ([group, re]) => [group, new RegExp(re, 'i')] as [string, RegExp],
        ),
      }));
    for (const c of this.rules) {
      for (const k of c.rule.keywords) {
        const list = this.byKeyword.get(k) ?? [];
        list.push(c);
        this.byKeyword.set(k, list);
      }
    }
    // One pass over the text finds every keyword present; only the rules of those keywords run.
    this.matcher = new KeywordMatcher([...this.byKeyword.keys()]);
    const { keywords } = this.matcher;
    this.tracked = new Uint8Array(keywords.length);
    for (const c of this.rules) {
      if (!c.rule.anchored) continue;
      c.sticky = new RegExp(c.rule.pattern, `yd${c.rule.flags ?? ''}`);
      c.starts = new Uint8Array(keywords.length);
      for (const k of c.rule.keywords) {
        const i = keywords.indexOf(k.toLowerCase());
        c.starts[i] = 1;
        this.tracked[i] = 1;
      }
    }
    this.allowValues = new Set(options.allowValues ?? []);
    this.allowHashes = new Set(options.allowHashes ?? []);
    this.allowRegexes = (options.allowRegexes ?? []).map((r) => new RegExp(r));
    this.salt = secretSalt(options.salt);
  }

  /**
   * The rules whose keywords occur in `text`, in table order. With `where`, also the
   * `[keyword, offset]` pairs of the keywords that start anchored rules' matches.
   */
  candidateRules(text: string, path: string, where?: number[]): CompiledRule[] {
    const hit = new Set<CompiledRule>();
    const { keywords } = this.matcher;
    for (const k of this.matcher.find(text, this.tracked, where))
      for (const c of this.byKeyword.get(keywords[k]!) ?? []) hit.add(c);
    return [...hit].filter((c) => !c.pathRe || c.pathRe.test(path)).sort((a, b) => a.index - b.index);
  }

  private rejected(c: CompiledRule, value: string): boolean {
    const r = c.rule;
    if (EXAMPLES.has(value) || this.allowValues.has(value)) return true;
    if (c.allow.some((a) => a.test(value))) return true;
    if (this.allowRegexes.some((a) => a.test(value))) return true;
    if (r.placeholderCheck && looksLikePlaceholder(value)) return true;
    if (r.entropy !== undefined && shannonEntropy(value) < r.entropy) return true;
    if (r.validator && !VALIDATORS[r.validator](value)) return true;
    if (this.allowHashes.size > 0 && this.allowHashes.has(hashSecret(value, this.salt))) return true;
    return false;
  }

  /**
   * Finds the secrets in one text. `path` (relative, forward slashes) selects path-specific rules.
   * Returned matches are sorted by position and carry no raw value.
   */
  scanText(text: string, path = '', stats?: ScanTextStats): SecretMatch[] {
    const where: number[] = [];
    const rules = this.candidateRules(text, path, where);
    if (rules.length === 0) return [];
    if (stats) stats.rulesRun += rules.length;
    const raw: RawMatch[] = [];
    const accepted: RawMatch[] = [];
    const claimed: RawMatch[] = [];
    const consider = (c: CompiledRule, m: RegExpExecArray) => {
      const value = m.groups?.secret ?? m[0];
      const offset = m.indices?.groups?.secret?.[0] ?? m.index;
      const rm: RawMatch = { c, start: offset, end: offset + value.length, value, accepted: false };
      // Documented examples stay readable in snippets; every other candidate is masked there.
      if (!EXAMPLES.has(value)) raw.push(rm);
      const generic = c.rule.category === 'generic' || c.rule.category === 'url';
      const denied = c.deny.some(([g, re]) => {
        const v = m.groups?.[g];
        return v !== undefined && re.test(v);
      });
      if (denied || this.rejected(c, value)) {
        if (stats) stats.candidatesRejected++;
        // A value a provider rule recognised by shape but rejected (bad checksum, documented
        // example) is not a generic secret either.
        if (!generic) claimed.push(rm);
        return;
      }
      if (generic && claimed.some((a) => a.start < rm.end && rm.start < a.end)) return;
      // Earlier (more specific) rules win overlaps.
      if (accepted.some((a) => a.start < rm.end && rm.start < a.end)) return;
      rm.accepted = true;
      accepted.push(rm);
    };
    for (const c of rules) {
      if (c.sticky) {
        // Same matches as the global search below: a match can only start where a keyword does.
        const re = c.sticky;
        let from = 0;
        for (const start of startsOf(c.starts!, where)) {
          if (start < from) continue;
          re.lastIndex = start;
          const m = re.exec(text);
          if (!m) continue;
          from = start + Math.max(1, m[0].length);
          if (m[0].length > 0) consider(c, m);
        }
        continue;
      }
      const re = c.re;
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        consider(c, m);
      }
    }
    if (accepted.length === 0) return [];
    const lines = new LineIndex(text);
    this.pairAws(text, lines, accepted, raw);
    accepted.sort((a, b) => a.start - b.start);
    return accepted.map((a) => this.toMatch(text, lines, a, raw));
  }

  /**
   * Marks an AWS key id and a secret key within a few lines as a pair; with an id present, also
   * accepts an unlabelled 40-character secret-key-shaped value on a nearby line.
   */
  private pairAws(text: string, lines: LineIndex, accepted: RawMatch[], raw: RawMatch[]): void {
    const ids = accepted.filter((a) => a.c.rule.id === 'aws-access-key-id');
    if (ids.length === 0) return;
    const secretRule = this.rules.find((c) => c.rule.id === 'aws-secret-access-key');
    for (const id of ids) {
      const line = lines.lineOf(id.start);
      const near = accepted.find(
        (a) =>
          a.c.rule.id === 'aws-secret-access-key' && Math.abs(lines.lineOf(a.start) - line) <= AWS_PAIR_LINES,
      );
      if (near) {
        id.paired = near.paired = true;
        continue;
      }
      if (!secretRule) continue;
      const from = lines.startOf(Math.max(1, line - AWS_PAIR_LINES));
      const to = lines.endOf(Math.min(lines.count, line + AWS_PAIR_LINES));
      const window = text.slice(from, to);
      AWS_SECRET_NEARBY.lastIndex = 0;
      for (let m = AWS_SECRET_NEARBY.exec(window); m; m = AWS_SECRET_NEARBY.exec(window)) {
        const value = m[0];
        const start = from + m.index;
        if (accepted.some((a) => a.start < start + value.length && start < a.end)) continue;
        if (this.rejected(secretRule, value)) continue;
        const rm: RawMatch = {
          c: secretRule,
          start,
          end: start + value.length,
          value,
          accepted: true,
          paired: true,
        };
        raw.push(rm);
        accepted.push(rm);
        id.paired = true;
        break;
      }
    }
  }

  private toMatch(text: string, lines: LineIndex, a: RawMatch, raw: RawMatch[]): SecretMatch {
    const startLine = lines.lineOf(a.start);
    const endLine = lines.lineOf(Math.max(a.start, a.end - 1));
    const lineStart = lines.startOf(startLine);
    const lineEnd = lines.endOf(startLine);
    const lineText = text.slice(lineStart, lineEnd);
    const ranges = raw
      .filter((r) => r.start < lineEnd && r.end > lineStart)
      .map((r) => ({
        start: Math.max(0, r.start - lineStart),
        end: Math.min(lineText.length, r.end - lineStart),
        mask: maskSecret(r.value),
      }));
    const rule = a.c.rule;
    return {
      ruleId: rule.id,
      title: rule.title,
      severity: a.paired ? 'critical' : rule.severity,
      confidence: a.paired ? 'high' : rule.confidence,
      startLine,
      startColumn: a.start - lineStart + 1,
      endLine,
      endColumn: a.end - lines.startOf(endLine),
      snippet: redactLine(lineText, ranges),
      maskedPreview: maskSecret(a.value),
      secretHash: hashSecret(a.value, this.salt),
      length: a.value.length,
      entropy: Math.round(shannonEntropy(a.value) * 100) / 100,
      ...(a.paired ? { paired: true } : {}),
    };
  }
}

/** Sorted distinct offsets, from `[keyword, offset]` pairs, where one of `starts`' keywords begins. */
function startsOf(starts: Uint8Array, where: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < where.length; i += 2) if (starts[where[i]!] === 1) out.push(where[i + 1]!);
  // Pairs come in order of keyword end; keywords of different lengths can start out of order.
  out.sort((a, b) => a - b);
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  out.length = n;
  return out;
}

/** Offsets of line starts, for offset -> line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  get count(): number {
    return this.starts.length;
  }
  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  startOf(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }
  /** Offset of the end of a line, without its `\r\n` / `\n`. */
  endOf(line: number): number {
    let end = line < this.starts.length ? this.starts[line]! - 1 : this.text.length;
    if (end > this.startOf(line) && this.text[end - 1] === '\r') end--;
    return end;
  }
}

let defaultScanner: Scanner | undefined;

/** Scans one text with every rule and the default allowlists. */
export function scanText(text: string, path = ''): SecretMatch[] {
  defaultScanner ??= new Scanner();
  return defaultScanner.scanText(text, path);
}
