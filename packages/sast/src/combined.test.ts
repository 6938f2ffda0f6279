import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renameMetavariables, renameRule } from './combined.js';
import { loadRuleFile } from './rules.js';
import { scanSource } from './scan.js';

describe('renaming a rule apart', () => {
  it('prefixes named metavariables and utility names, and leaves anonymous ones alone', () => {
    expect(renameMetavariables('$DB.$FN($ARG, $$$)', 'R3_')).toBe('$R3_DB.$R3_FN($R3_ARG, $$$)');
    expect(renameMetavariables('f($$$ARGS, $_)', 'R3_')).toBe('f($$$R3_ARGS, $_)');
    expect(
      renameRule(
        {
          any: [
            { pattern: 'eval($X)' },
            { pattern: { context: 'a = $Y', selector: 'assignment_expression' } },
          ],
          has: { matches: 'src' },
        },
        'R1_',
      ),
    ).toEqual({
      any: [
        { pattern: 'eval($R1_X)' },
        { pattern: { context: 'a = $R1_Y', selector: 'assignment_expression' } },
      ],
      has: { matches: 'R1_src' },
    });
  });
});

describe('rules searched together', () => {
  it('keep their own metavariables and constraints: one rule never filters out another', () => {
    // Both rules name their argument $X with opposite constraints; in one combined search each
    // must still find its own calls.
    const dir = mkdtempSync(join(tmpdir(), 'dsf-combined-'));
    const ruleFile = (id: string, kind: string) => {
      const p = join(dir, `${id}.yml`);
      writeFileSync(
        p,
        `id: ${id}\nlanguage: javascript\ntitle: T\nmessage: M $X\nseverity: high\ncwe: CWE-1\nfix: F\nrule:\n  pattern: track($X)\nconstraints:\n  X: { kind: ${kind} }\n`,
      );
      return loadRuleFile(p, `${id}.yml`);
    };
    const rules = [ruleFile('t-number', 'number'), ruleFile('t-string', 'string')];
    const found = scanSource('track(1);\ntrack("a");\ntrack(x);\n', 'javascript', rules).map(
      (f) => `${f.ruleId}:${f.location?.startLine} ${f.message}`,
    );
    expect(found.sort()).toEqual(['t-number:1 M 1', 't-string:2 M "a"']);
  });

  it('tell a node that is both a sink and a source: a rule matching it first does not hide the source', () => {
    // The sink is a request field itself, with nothing else in the file being a source: the rule
    // reports only visible sources, so it finds this line only if the node's source tags were read.
    const p = join(mkdtempSync(join(tmpdir(), 'dsf-combined-')), 'field.yml');
    writeFileSync(
      p,
      'id: t-field\nlanguage: javascript\ntitle: T\nmessage: M\nseverity: high\ncwe: CWE-1\nfix: F\ntaint:\n  sources: [http]\n  reportUnknown: false\n  sinks:\n    - pattern: req.query\n',
    );
    const rules = [loadRuleFile(p, 'field.yml')];
    const found = scanSource('function h(req, res) {\n  log(req.query);\n}\n', 'javascript', rules);
    expect(found.map((f) => [f.ruleId, f.location?.startLine, f.confidence])).toEqual([
      ['t-field', 2, 'high'],
    ]);
  });
});
