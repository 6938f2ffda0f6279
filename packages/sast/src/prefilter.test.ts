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
});
