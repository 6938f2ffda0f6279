import { Lang, type NapiConfig, parse } from '@ast-grep/napi';
import { describe, expect, it } from 'vitest';
import { gatedSet } from './gate.js';
import { loadRules } from './rules.js';

const ranges = (code: string, cfg: NapiConfig) =>
  parse(Lang.JavaScript, code)
    .root()
    .findAll(cfg)
    .map((n) => `${n.range().start.index}:${n.range().end.index}`);

describe('gatedSet', () => {
  it('puts one merged name check per kind and field in front of the branches', () => {
    const branches = [
      { kind: 'member_expression', has: { field: 'object', kind: 'identifier', regex: '^req$' } },
      { kind: 'member_expression', has: { field: 'object', kind: 'identifier', regex: '^request$' } },
      {
        kind: 'call_expression',
        has: {
          field: 'function',
          kind: 'member_expression',
          all: [{ has: { field: 'property', regex: '^get$' } }],
        },
      },
    ];
    expect(gatedSet(branches)).toEqual({
      all: [
        {
          any: [
            {
              kind: 'member_expression',
              has: { field: 'object', kind: 'identifier', regex: '(?:^req$)|(?:^request$)' },
            },
            {
              kind: 'call_expression',
              has: {
                field: 'function',
                kind: 'member_expression',
                has: { field: 'property', regex: '(?:^get$)' },
              },
            },
          ],
        },
        { any: branches },
      ],
    });
  });

  it('lets a branch without a name check admit its whole kind, and leaves sets it cannot gate alone', () => {
    const bare = { kind: 'member_expression', has: { field: 'object', matches: 'util' } };
    const named = { kind: 'member_expression', has: { field: 'property', regex: '^x$' } };
    expect(gatedSet([named, bare])).toEqual({
      all: [{ any: [{ kind: 'member_expression' }] }, { any: [named, bare] }],
    });
    const pattern = { pattern: 'parseInt($$$)' };
    expect(gatedSet([named, pattern])).toEqual({ any: [named, pattern] });
    expect(gatedSet([named])).toEqual({ any: [named] });
  });

  it('matches exactly what the plain sets match, for every JavaScript source and sanitiser set', () => {
    const code = `
      const a = req.query.x; const b = request.body; const c = ctx.request.body; const d = req.get('h');
      const e = location.hash; const f = document.cookie; const g = event.data; const h = searchParams.get('q');
      app.get('/', ({ query, body }, res) => res.send(query));
      const i = parseInt(a); const j = escape(b); const k = s.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&');
      const l = path.basename(p); const m = mysql.escape(q); const n = other.value; foo(bar);`;
    const sets = new Map<string, NapiConfig>();
    for (const r of loadRules({ languages: ['javascript'] })) {
      if (!r.taint) continue;
      sets.set(r.taint.sourcesKey, r.taint.sources);
      if (r.taint.sanitizers && r.taint.sanitizersKey) sets.set(r.taint.sanitizersKey, r.taint.sanitizers);
    }
    expect(sets.size).toBeGreaterThan(4);
    let gated = 0;
    let matched = 0;
    for (const cfg of sets.values()) {
      const rule = cfg.rule as { all?: [unknown, { any: unknown[] }] };
      if (!rule.all) continue;
      gated++;
      const plain = { ...cfg, rule: rule.all[1] } as NapiConfig;
      const found = ranges(code, cfg);
      expect(found).toEqual(ranges(code, plain));
      matched += found.length;
    }
    expect(gated).toBeGreaterThan(2);
    expect(matched).toBeGreaterThan(10);
  });
});
