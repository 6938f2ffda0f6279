import { describe, expect, it } from 'vitest';
import { KeywordMatcher } from './keywords.js';
import { seededRandom as rng } from './testing/random.js';

describe('KeywordMatcher', () => {
  const m = new KeywordMatcher(['ghp_', 'token', 'x-amz-security-token', 'aws', 'glpat-', 'sk']);
  const found = (t: string) => m.find(t).map((i) => m.keywords[i]);

  it('finds keywords case-insensitively, including ones inside or overlapping others', () => {
    expect(found('X-Amz-Security-Token: abc')).toEqual(['token', 'x-amz-security-token']);
    expect(found('aglpat-xyz GHP_abc')).toEqual(['ghp_', 'glpat-']);
    expect(found('AwS')).toEqual(['aws']);
    expect(found('nothing here')).toEqual([]);
    expect(found('')).toEqual([]);
  });

  it('agrees with a naive substring search on random text', () => {
    const alphabet = 'ghp_tokenawsx-mzcuriylat GHPTOKENé€';
    const rnd = rng(1);
    for (let i = 0; i < 300; i++) {
      const text = Array.from({ length: 200 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const naive = m.keywords.filter((k) => text.toLowerCase().includes(k));
      expect(found(text)).toEqual(naive);
    }
  });
});
