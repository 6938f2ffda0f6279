import { describe, expect, it } from 'vitest';
import { defaultPolicy, type ResolvedIgnore } from './policy.js';
import { applySuppressions, parseInlineDirective } from './suppress.js';
import { finding } from './test-helpers.js';

const lines = (text: string) => async () => text.split('\n');

describe('inline directives', () => {
  it('reads any comment syntax', () => {
    for (const text of [
      'x(); // devsecflow-ignore js/eval: input is a constant',
      '# devsecflow-ignore js/eval: input is a constant',
      '/* devsecflow-ignore js/eval: input is a constant */',
      '<!-- devsecflow-ignore js/eval: input is a constant -->',
      '-- devsecflow-ignore js/eval: input is a constant',
    ]) {
      expect(parseInlineDirective(text, 1)).toEqual({
        ruleIds: ['js/eval'],
        reason: 'input is a constant',
        line: 1,
      });
    }
    expect(parseInlineDirective('// devsecflow-ignore a, b/*: why', 1)?.ruleIds).toEqual(['a', 'b/*']);
    expect(parseInlineDirective('// nothing here', 1)).toBeUndefined();
  });

  it('suppresses on the flagged line or the line above, with a reason only', async () => {
    const policy = defaultPolicy('/r');
    const src = [
      '// devsecflow-ignore js/eval: fixture for the docs',
      'eval(a)',
      'eval(b) // devsecflow-ignore js/eval',
      'eval(c) // nosemgrep',
      'eval(d) // devsecflow-ignore js/other: not this rule',
      'eval(e) // devsecflow-ignore js/*: family',
    ].join('\n');
    const fs = [2, 3, 4, 5, 6].map((l) =>
      finding({ fingerprint: String(l).repeat(32), location: { path: 'a.js', startLine: l } }),
    );
    const out = await applySuppressions(fs, { policy, readLines: lines(src) });
    expect(out.map((f) => f.suppression?.reason ?? null)).toEqual([
      'fixture for the docs',
      null,
      null,
      null,
      'family',
    ]);
    expect(out[0]!.suppression).toMatchObject({ kind: 'inline', source: 'a.js:1' });
  });
});

describe('config ignores', () => {
  const ignore = (e: Partial<ResolvedIgnore>): ResolvedIgnore => ({
    reason: 'r',
    source: 'devsecflow.yml:4',
    ...e,
  });

  it('match by rule, path and advisory; all selectors must match', async () => {
    const policy = {
      ...defaultPolicy('/r'),
      ignore: [ignore({ rule: 'js/eval', path: 'test/**' }), ignore({ advisory: 'CVE-2021-23337' })],
    };
    const out = await applySuppressions(
      [
        finding({ fingerprint: '1'.repeat(32), location: { path: 'test/a.js', startLine: 1 } }),
        finding({ fingerprint: '2'.repeat(32), location: { path: 'src/a.js', startLine: 1 } }),
        finding({
          fingerprint: '3'.repeat(32),
          stage: 'deps',
          ruleId: 'GHSA-35jh-r3h4-6jhm',
          location: undefined,
          package: { ecosystem: 'npm', name: 'lodash', version: '4.17.20', manifest: 'package-lock.json' },
          identifiers: [{ type: 'cve', value: 'CVE-2021-23337' }],
        }),
      ],
      { policy, readLines: async () => undefined },
    );
    expect(out.map((f) => f.suppression?.kind ?? null)).toEqual(['config', null, 'config']);
  });

  it('stops suppressing after expiry and reports the expired ignore', async () => {
    const policy = { ...defaultPolicy('/r'), ignore: [ignore({ rule: 'js/eval', expires: '2026-01-31' })] };
    const before = await applySuppressions([finding()], {
      policy,
      readLines: async () => undefined,
      now: new Date('2026-01-31T12:00:00Z'),
    });
    expect(before).toHaveLength(1);
    expect(before[0]!.suppression?.expires).toBe('2026-01-31');
    const after = await applySuppressions([finding()], {
      policy,
      readLines: async () => undefined,
      now: new Date('2026-02-01T00:00:00Z'),
    });
    expect(after).toHaveLength(2);
    expect(after[0]!.suppression).toBeUndefined();
    expect(after[1]).toMatchObject({
      ruleId: 'devsecflow/expired-ignore',
      location: { path: 'devsecflow.yml', startLine: 4 },
    });
  });

  it('applies team ignores only under the team paths', async () => {
    const policy = {
      ...defaultPolicy('/r'),
      teams: [{ name: 'pay', paths: ['pay/**'], ignore: [ignore({ rule: 'js/eval', team: 'pay' })] }],
    };
    const out = await applySuppressions(
      [
        finding({ fingerprint: '1'.repeat(32), location: { path: 'pay/a.js', startLine: 1 } }),
        finding({ fingerprint: '2'.repeat(32), location: { path: 'web/a.js', startLine: 1 } }),
      ],
      { policy, readLines: async () => undefined },
    );
    expect(out.map((f) => Boolean(f.suppression))).toEqual([true, false]);
  });
});
