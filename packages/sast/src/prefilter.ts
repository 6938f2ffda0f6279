import { KeywordMatcher } from '@devsecflow/core';
import { type Grammar, grammarsOf } from './languages.js';
import type { CompiledRule } from './rules.js';

// Which rules can match a file is decided from its text before anything is parsed (see
// CompiledRule.requires). Every word of every rule is looked for in one pass over the text, by an
// Aho-Corasick automaton (core's KeywordMatcher, case-insensitive); the occurrences of words that
// must match case or stand as whole identifiers are then checked where they were found.

/** A pre-filter word: `b:` a whole identifier, `i:` any case, otherwise a case-sensitive substring. */
interface Word {
  raw: string;
  text: string;
  kind: 'identifier' | 'substring' | 'insensitive';
}

function parseWord(raw: string): Word {
  if (raw.startsWith('b:')) return { raw, text: raw.slice(2), kind: 'identifier' };
  if (raw.startsWith('i:')) return { raw, text: raw.slice(2), kind: 'insensitive' };
  return { raw, text: raw, kind: 'substring' };
}

const isAscii = (s: string) => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
};

const isIdentChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;

const prefilters = new WeakMap<CompiledRule, RegExp>();

/** A rule's own text pre-check, compiled once. */
function prefilterOf(rule: CompiledRule): RegExp {
  let re = prefilters.get(rule);
  if (!re) {
    re = new RegExp(rule.prefilter!.source, rule.prefilter!.flags);
    prefilters.set(rule, re);
  }
  return re;
}

/** The words of a rule set, found in a file's text in one pass. */
export class WordIndex {
  private readonly matcher: KeywordMatcher;
  /** By keyword index (lower-cased text): the words spelled that way. */
  private readonly byKeyword: Word[][];
  /** Keywords with a case-sensitive or whole-identifier word: their occurrences are checked. */
  private readonly tracked: Uint8Array;
  /** Words the automaton cannot hold (not ASCII): looked for one by one. */
  private readonly other: Word[] = [];

  constructor(private readonly rules: CompiledRule[]) {
    const byText = new Map<string, Word[]>();
    for (const raw of new Set(rules.flatMap((r) => (r.requires ?? []).flat()))) {
      const w = parseWord(raw);
      if (!isAscii(w.text)) {
        this.other.push(w);
        continue;
      }
      const key = w.text.toLowerCase();
      const list = byText.get(key);
      if (list) list.push(w);
      else byText.set(key, [w]);
    }
    this.matcher = new KeywordMatcher([...byText.keys()]);
    this.byKeyword = this.matcher.keywords.map((k) => byText.get(k)!);
    this.tracked = new Uint8Array(
      this.byKeyword.map((ws) => (ws.some((w) => w.kind !== 'insensitive') ? 1 : 0)),
    );
  }

  /** Every word of the index present in `text`, with its `b:` / `i:` prefix. */
  wordsIn(text: string): Set<string> {
    const found = new Set<string>();
    const where: number[] = [];
    for (const k of this.matcher.find(text, this.tracked, where)) {
      for (const w of this.byKeyword[k]!) if (w.kind === 'insensitive') found.add(w.raw);
    }
    for (let i = 0; i < where.length; i += 2) {
      const at = where[i + 1]!;
      for (const w of this.byKeyword[where[i]!]!) {
        if (w.kind === 'insensitive' || found.has(w.raw) || !text.startsWith(w.text, at)) continue;
        const end = at + w.text.length;
        if (
          w.kind === 'identifier' &&
          (isIdentChar(text.charCodeAt(at - 1)) || isIdentChar(text.charCodeAt(end)))
        )
          continue;
        found.add(w.raw);
      }
    }
    for (const w of this.other) {
      const hay = w.kind === 'insensitive' ? text.toLowerCase() : text;
      const needle = w.kind === 'insensitive' ? w.text.toLowerCase() : w.text;
      for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) {
        const end = at + needle.length;
        if (
          w.kind === 'identifier' &&
          (isIdentChar(text.charCodeAt(at - 1)) || isIdentChar(text.charCodeAt(end)))
        )
          continue;
        found.add(w.raw);
        break;
      }
    }
    return found;
  }

  /** Rules that apply to `grammar` and whose pre-filter words occur in `text`, in rule order. */
  applicable(text: string, grammar: Grammar): CompiledRule[] {
    let words: Set<string> | undefined;
    return this.rules.filter((r) => {
      if (!grammarsOf(r.language).includes(grammar)) return false;
      if (r.requires) {
        words ??= this.wordsIn(text);
        const found = words;
        if (!r.requires.every((clause) => clause.some((w) => found.has(w)))) return false;
      }
      return !r.prefilter || prefilterOf(r).test(text);
    });
  }
}

const indexes = new WeakMap<CompiledRule[], Map<Grammar, WordIndex>>();

/**
 * Rules that apply to a grammar and whose pre-filter words occur in the text (one index per rules
 * array and grammar, holding only the words of that grammar's rules).
 */
export function applicableRules(text: string, grammar: Grammar, rules: CompiledRule[]): CompiledRule[] {
  let byGrammar = indexes.get(rules);
  if (!byGrammar) {
    byGrammar = new Map();
    indexes.set(rules, byGrammar);
  }
  let index = byGrammar.get(grammar);
  if (!index) {
    index = new WordIndex(rules.filter((r) => grammarsOf(r.language).includes(grammar)));
    byGrammar.set(grammar, index);
  }
  return index.applicable(text, grammar);
}
