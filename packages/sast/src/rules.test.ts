import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinDigest, loadRuleFile, loadRules, patternVariants, requiredWords } from './rules.js';

const dir = mkdtempSync(join(tmpdir(), 'dsf-rules-'));
const base = `id: t-rule
language: javascript
title: T
message: M
severity: high
cwe: CWE-79
fix: F
`;
function ruleFile(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

describe('loadRuleFile', () => {
  it('accepts a valid structural rule and derives a pre-filter', () => {
    const r = loadRuleFile(ruleFile('ok.yml', `${base}rule:\n  pattern: $EL.innerHTML = $X\n`), 'ok.yml');
    expect(r).toMatchObject({ id: 't-rule', kind: 'structural', cwe: ['CWE-79'], confidence: 'high' });
    expect(r.requires).toEqual([['b:innerHTML']]);
  });

  it('keeps a prefilter, case-sensitive unless asked', () => {
    const plain = loadRuleFile(
      ruleFile('p1.yml', `${base}prefilter: 'db\\.query'\nrule:\n  kind: identifier\n`),
      'p1.yml',
    );
    expect(plain.prefilter).toEqual({ source: 'db\\.query', flags: '' });
    const folded = loadRuleFile(
      ruleFile('p2.yml', `${base}prefilter:\n  regex: db\n  ignoreCase: true\nrule:\n  kind: identifier\n`),
      'p2.yml',
    );
    expect(folded.prefilter).toEqual({ source: 'db', flags: 'i' });
  });

  it.each([
    ['bad YAML', `${base}rule: [\n`, /^bad\.yml:\d+:\d+: invalid YAML/],
    [
      'a wrong metadata value',
      base.replace('high', 'urgent') + 'rule:\n  kind: identifier\n',
      /bad\.yml:5: rule key `severity`/,
    ],
    [
      'an unknown key',
      `${base}rule:\n  kind: identifier\nextra: 1\n`,
      /key `\(top level\)`: Unrecognized key: "extra"/,
    ],
    ['a missing rule', base, /key `rule`: exactly one of `rule`/],
    [
      'an unknown kind',
      `${base}rule:\n  kind: no_such_kind\n`,
      /bad\.yml:9: rule `t-rule` key `rule`: .*Kind `no_such_kind` is invalid/,
    ],
    [
      'a pattern that does not parse',
      `${base}rule:\n  pattern: exec(\n`,
      /key `rule`: pattern `exec\(` is not valid javascript/,
    ],
    ['a bad regex', `${base}rule:\n  regex: "(["\n`, /regex parse error/],
    [
      'a prefilter that is not a regular expression',
      `${base}prefilter: "(["\nrule:\n  kind: identifier\n`,
      /bad\.yml:8: rule `t-rule` key `prefilter`: not a valid JavaScript regular expression/,
    ],
    [
      'an unknown taint set',
      `${base}taint:\n  sources: [nope]\n  sinks:\n    - pattern: f($ARG)\n`,
      /key `taint.sources\[0\]`: unknown shared sources set `nope`/,
    ],
    [
      'a bad CWE',
      base.replace('CWE-79', 'XSS') + 'rule:\n  kind: identifier\n',
      /key `cwe\[0\]`: CWE-<number>/,
    ],
  ])('rejects %s with file, line and key', (_name, body, message) => {
    expect(() => loadRuleFile(ruleFile('bad.yml', body), 'bad.yml')).toThrow(message);
  });
});

describe('loadRules', () => {
  it('loads the built-in packs with unique ids and filters by language and id', () => {
    const all = loadRules();
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const ts = loadRules({ languages: ['typescript'] });
    expect(ts.every((r) => r.language === 'javascript' || r.language === 'typescript')).toBe(true);
    expect(loadRules({ disable: ['js-eval-injection'] }).some((r) => r.id === 'js-eval-injection')).toBe(
      false,
    );
    expect(() => loadRules({ disable: ['nope'] })).toThrow(/unknown rule id `nope`/);
  });

  it('rejects a custom rule that reuses a built-in id', () => {
    const f = ruleFile(
      'dup.yml',
      `${base.replace('t-rule', 'js-eval-injection')}rule:\n  kind: identifier\n`,
    );
    expect(() => loadRules({ files: [f] })).toThrow(/duplicate rule id `js-eval-injection`/);
  });
});

describe('helpers', () => {
  it('expands trailing `, $$$` so single-argument calls match', () => {
    expect(patternVariants('exec($A, $$$)')).toEqual(['exec($A, $$$)', 'exec($A)']);
    expect(patternVariants('f($$$ARGS)')).toEqual(['f($$$ARGS)']);
  });

  it('derives necessary words through any/all/matches and constraints', () => {
    expect(requiredWords({ any: [{ pattern: 'eval($X)' }, { pattern: 'Function($X)' }] })).toEqual([
      'b:eval',
      'b:Function',
    ]);
    expect(requiredWords({ kind: 'identifier' })).toBeNull();
    expect(requiredWords({ pattern: '$F($X)' }, {}, { F: { regex: '^(exec|spawn)$' } })).toEqual([
      'b:exec',
      'b:spawn',
    ]);
    expect(requiredWords({ any: [{ pattern: 'eval($X)' }, { kind: 'call_expression' }] })).toBeNull();
    // Unanchored and case-insensitive regexes give plain / `i:` words; a top-level `|` gives none.
    expect(requiredWords({ regex: 'NODE_TLS_REJECT' })).toEqual(['NODE_TLS_REJECT']);
    expect(requiredWords({ regex: '(?i)(token|secret)' })).toEqual(['i:token', 'i:secret']);
    expect(requiredWords({ regex: '^a|bcd$' })).toBeNull();
    expect(requiredWords({ regex: '^files?$' })).toEqual(['file']);
  });
});

describe('the built-in packs compiled by the build', () => {
  it('are what compiling the YAML gives, and carry the digest of the current rule files and compiler', async () => {
    // turbo builds the package before its tests; dist/builtin-rules.json comes from that build.
    const dist = join(import.meta.dirname, '..', 'dist');
    const cache = JSON.parse(readFileSync(join(dist, 'builtin-rules.json'), 'utf8')) as { digest: string };
    const compiler = (await import(pathToFileURL(join(dist, 'index.js')).href)) as {
      builtinDigest: typeof builtinDigest;
    };
    expect(cache.digest).toBe(compiler.builtinDigest());
    // The same rule files compiled by other code (here the sources) must not pass for the cache.
    expect(builtinDigest()).not.toBe(cache.digest);
    const built = (await import(pathToFileURL(join(dist, 'index.js')).href)) as {
      loadRules: typeof loadRules;
    };
    expect(JSON.parse(JSON.stringify(built.loadRules()))).toEqual(JSON.parse(JSON.stringify(loadRules())));
  });
});
