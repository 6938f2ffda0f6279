import { type Grammar, grammarsOf } from './languages.js';
import type { CompiledRule } from './rules.js';

// Which rules can match a file is decided from its text before anything is parsed (see
// CompiledRule.requires). Checking each rule's words with its own `includes` pass read the text
// hundreds of times; here each kind of word is one regex alternation, so the text is read three
// times however many rules there are.

const IDENT = 'A-Za-z0-9_$';

const escapeRegex = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Words contained in each word: finding the longer one in a text implies the shorter ones. */
function containedWords(words: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of words)
    out.set(
      w,
      words.filter((v) => v !== w && w.includes(v)),
    );
  return out;
}

/**
 * A regex finding the longest word starting at a position; searching again from the next character
 * after each match (see {@link eachStart}) sees words overlapping each other too. Shorter words
 * starting at the same place are contained in the longer one and come from {@link containedWords}.
 */
function anywhere(words: string[], flags: string): RegExp | undefined {
  if (words.length === 0) return undefined;
  const alternation = [...words]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex)
    .join('|');
  return new RegExp(alternation, flags);
}

/** Every match of a global regex, trying again one character after each match start. */
function* eachStart(regex: RegExp, text: string): Generator<string> {
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m; m = regex.exec(text)) {
    yield m[0];
    regex.lastIndex = m.index + 1;
  }
}

/** The words of a rule set, compiled for one pass per kind over a file's text. */
export class WordIndex {
  private readonly identifiers?: RegExp;
  private readonly substrings?: RegExp;
  private readonly insensitive?: RegExp;
  private readonly contained: Map<string, string[]>;
  private readonly containedLower: Map<string, string[]>;

  constructor(private readonly rules: CompiledRule[]) {
    const words = new Set(rules.flatMap((r) => (r.requires ?? []).flat()));
    const ids: string[] = [];
    const subs: string[] = [];
    const lower: string[] = [];
    for (const w of words) {
      if (w.startsWith('b:')) ids.push(w.slice(2));
      else if (w.startsWith('i:')) lower.push(w.slice(2));
      else subs.push(w);
    }
    // A whole identifier: nothing identifier-like on either side. Two such words cannot overlap.
    if (ids.length > 0) {
      const alternation = ids
        .sort((a, b) => b.length - a.length)
        .map(escapeRegex)
        .join('|');
      this.identifiers = new RegExp(`(?<![${IDENT}])(?:${alternation})(?![${IDENT}])`, 'g');
    }
    this.substrings = anywhere(subs, 'g');
    this.insensitive = anywhere(lower, 'gi');
    this.contained = containedWords(subs);
    this.containedLower = containedWords(lower);
  }

  /** Every word of the index present in `text`, with its `b:` / `i:` prefix. */
  wordsIn(text: string): Set<string> {
    const found = new Set<string>();
    if (this.identifiers) for (const m of text.matchAll(this.identifiers)) found.add(`b:${m[0]}`);
    if (this.substrings) {
      for (const w of eachStart(this.substrings, text)) {
        if (found.has(w)) continue;
        found.add(w);
        for (const v of this.contained.get(w) ?? []) found.add(v);
      }
    }
    if (this.insensitive) {
      for (const match of eachStart(this.insensitive, text)) {
        const w = match.toLowerCase();
        if (found.has(`i:${w}`)) continue;
        found.add(`i:${w}`);
        for (const v of this.containedLower.get(w) ?? []) found.add(`i:${v}`);
      }
    }
    return found;
  }

  /** Rules that apply to `grammar` and whose pre-filter words occur in `text`, in rule order. */
  applicable(text: string, grammar: Grammar): CompiledRule[] {
    let words: Set<string> | undefined;
    return this.rules.filter((r) => {
      if (!grammarsOf(r.language).includes(grammar)) return false;
      if (!r.requires) return true;
      words ??= this.wordsIn(text);
      const found = words;
      return r.requires.every((clause) => clause.some((w) => found.has(w)));
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
