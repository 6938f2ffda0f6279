import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashSecret } from './redact.js';
import { RULES } from './rules.js';
import { Scanner } from './scanner.js';
import { FAKES, rng } from './test-fakes.js';

const scanner = new Scanner();

describe('rule table', () => {
  it('has at least 80 rules with unique ids, docs and keywords', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.docs, r.id).toMatch(/^https:\/\//);
      expect(r.keywords.length, r.id).toBeGreaterThan(0);
      for (const k of r.keywords) expect(k, r.id).toBe(k.toLowerCase());
    }
  });

  it('has a true positive and a near miss for every rule', () => {
    expect(Object.keys(FAKES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id) => {
  const gen = FAKES[id]!;

  it('finds a correctly formatted value, reports the value itself and masks it in the snippet', () => {
    for (const seed of [1, 2, 3]) {
      const fake = gen.fake(rng(seed * 7919));
      const matches = scanner.scanText(fake.text, fake.path ?? 'src/config.ts');
      const m = matches.find((x) => x.ruleId === id);
      expect(
        m,
        `${id} seed ${seed}: got ${matches.map((x) => x.ruleId).join(',') || 'nothing'}`,
      ).toBeDefined();
      expect(m!.secretHash).toBe(hashSecret(fake.value));
      expect(m!.length).toBe(fake.value.length);
      expect(m!.snippet).not.toContain(fake.value);
      // Every keyword claim holds: the match contains at least one of the rule's keywords.
      const rule = RULES.find((r) => r.id === id)!;
      expect(rule.keywords.some((k) => fake.text.toLowerCase().includes(k))).toBe(true);
    }
  });

  it('does not report the near miss', () => {
    for (const seed of [1, 2, 3]) {
      const near = gen.near(rng(seed * 104729));
      const matches = scanner.scanText(near.text, near.path ?? 'src/config.ts');
      expect(
        matches.filter((m) => m.ruleId === id),
        `${id} seed ${seed}`,
      ).toEqual([]);
    }
  });
});

describe('anchored rules', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  /** Every text of the test corpus: fakes and near misses of all rules, the labelled set, the examples and this package's code. */
  function corpus(): string[] {
    const texts: string[] = [];
    for (const gen of Object.values(FAKES)) {
      for (let seed = 1; seed <= 5; seed++) {
        texts.push(gen.fake(rng(seed * 31)).text, gen.near(rng(seed * 37)).text);
      }
    }
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else texts.push(readFileSync(p, 'latin1'));
      }
    };
    for (const dir of ['../test/fixtures/labelled', '../../../examples/secrets', '.']) walk(join(here, dir));
    return texts;
  }
  const texts = corpus();

  /** Matches of a rule's regex (searched everywhere) that do not start with one of its keywords. */
  function unanchored(rule: (typeof RULES)[number]): string[] {
    const re = new RegExp(rule.pattern, `g${rule.flags ?? ''}`);
    const out: string[] = [];
    for (const t of texts) {
      for (const m of t.matchAll(re)) {
        const at = t.slice(m.index, m.index + 64).toLowerCase();
        if (m[0] && !rule.keywords.some((k) => at.startsWith(k))) out.push(at);
      }
    }
    return out;
  }

  it('holds for a corpus where their regexes match', () => {
    const anchored = RULES.filter((r) => r.anchored);
    expect(anchored.map((r) => r.id)).toContain('generic-secret');
    let matched = 0;
    for (const r of anchored) {
      expect(unanchored(r), r.id).toEqual([]);
      matched += texts.filter((t) => new RegExp(r.pattern, r.flags ?? '').test(t)).length;
    }
    expect(matched).toBeGreaterThan(anchored.length * 3);
  });

  it('is caught when a rule does not start with its keyword', () => {
    expect(unanchored(RULES.find((r) => r.id === 'telegram-bot-token')!).length).toBeGreaterThan(0);
  });
});
