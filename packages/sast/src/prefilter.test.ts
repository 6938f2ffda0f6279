import { describe, expect, it } from 'vitest';
import { WordIndex } from './prefilter.js';
import type { CompiledRule } from './rules.js';

// The index reads only a rule's language and pre-filter words.
const rule = (id: string, requires: string[][]) =>
  ({ id, language: 'javascript', requires }) as unknown as CompiledRule;

describe('WordIndex', () => {
  it('finds plain words that overlap each other, and words contained in longer ones', () => {
    const index = new WordIndex([rule('a', [['abcd', 'cdef', 'secret', 'secretKey']])]);
    expect([...index.wordsIn('x abcdef y secretKey')].sort()).toEqual([
      'abcd',
      'cdef',
      'secret',
      'secretKey',
    ]);
    expect([...index.wordsIn('abc def')]).toEqual([]);
  });

  it('matches `b:` words only as whole identifiers and `i:` words in any case', () => {
    const index = new WordIndex([rule('a', [['b:exec', 'b:$where']]), rule('b', [['i:password']])]);
    expect([...index.wordsIn('execute(x); $$where; run.exec(y)')]).toEqual(['b:exec']);
    expect([...index.wordsIn('const $where = 1')]).toEqual(['b:$where']);
    expect([...index.wordsIn('DB_PASSWORD=1')]).toEqual(['i:password']);
  });

  it('keeps a rule only when every clause has one of its words present', () => {
    const both = rule('both', [['b:exec'], ['child_process']]);
    const open = { ...rule('open', []), requires: null } as CompiledRule;
    const index = new WordIndex([both, open]);
    expect(index.applicable("require('child_process').exec(x)", 'javascript').map((r) => r.id)).toEqual([
      'both',
      'open',
    ]);
    expect(index.applicable('exec(x)', 'javascript').map((r) => r.id)).toEqual(['open']);
    expect(index.applicable('exec(x)', 'python')).toEqual([]);
  });

  it('keeps a rule with a prefilter only where its regular expression matches, after its words', () => {
    const sql = {
      ...rule('sql', [['b:query']]),
      prefilter: { source: String.raw`db\s*\.\s*query\b`, flags: 'i' },
    } as CompiledRule;
    const index = new WordIndex([sql]);
    expect(index.applicable('const rows = await DB\n  .query(sql)', 'javascript').map((r) => r.id)).toEqual([
      'sql',
    ]);
    expect(index.applicable('cache.query(key)', 'javascript')).toEqual([]);
    // The words come first: without them the expression is never tried.
    expect(index.applicable('db.queryAll(x)', 'javascript')).toEqual([]);
  });
});
