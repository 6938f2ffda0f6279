import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toJunit, xmlEscape } from './junit.js';
import { depsReport, emptyReport, sastReport } from './test-reports.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (n) => n === 'testsuite' || n === 'testcase',
});

describe('toJunit', () => {
  const xml = toJunit([sastReport(), depsReport(), emptyReport('secrets')]);
  // biome-ignore lint/suspicious/noExplicitAny: tests walk parsed XML
  const doc = parser.parse(xml) as any;

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('writes one suite per stage with counts', () => {
    expect(doc.testsuites.testsuite.map((s: { name: string }) => s.name)).toEqual([
      'devsecflow sast',
      'devsecflow deps',
      'devsecflow secrets',
    ]);
    const sast = doc.testsuites.testsuite[0];
    // 3 findings (1 suppressed) + 1 scan error + gate
    expect(sast).toMatchObject({ tests: '5', failures: '3', errors: '1', skipped: '1', time: '5.250' });
    expect(doc.testsuites).toMatchObject({ tests: '8', failures: '5', errors: '1', skipped: '1' });
  });

  it('makes findings failures typed by severity, suppressed ones skipped, and adds the gate', () => {
    const cases = doc.testsuites.testsuite[0].testcase;
    expect(cases[0]).toMatchObject({
      classname: 'devsecflow.sast.js/sql-injection',
      name: 'js/sql-injection at src/db.js:12',
      file: 'src/db.js',
      line: '12',
      failure: { type: 'critical', message: '[critical] SQL built from user input' },
    });
    expect(cases[0].failure['#text']).toContain('fix: Pass values as query parameters');
    const skipped = cases.find((c: { name: string }) => c.name.startsWith('js/eval'));
    expect(skipped.skipped.message).toBe('suppressed (inline): input is a constant here');
    const gate = cases.at(-1);
    expect(gate.name).toBe('gate');
    expect(gate.failure['#text']).toContain('fail-on: 1 critical finding');
    const empty = doc.testsuites.testsuite[2].testcase;
    expect(empty).toEqual([{ classname: 'devsecflow.secrets', name: 'gate' }]);
  });

  it('escapes markup and strips characters XML 1.0 cannot hold', () => {
    const r = sastReport();
    r.findings[0]!.message = 'a <b> & "c" \u0000\u0007\u001b[31m \ud800 ok \u{1F600}';
    const out = toJunit([r]);
    expect(XMLValidator.validate(out)).toBe(true);
    expect(out).toContain('a &lt;b&gt; &amp; &quot;c&quot; [31m  ok \u{1F600}');
    expect(xmlEscape("it's")).toBe('it&apos;s');
  });

  it('still shows a passing case for a report with nothing to say', () => {
    const { gate: _g, ...noGate } = emptyReport();
    const out = parser.parse(toJunit([noGate]));
    expect(out.testsuites.testsuite[0].testcase).toEqual([
      { classname: 'devsecflow.sast', name: 'no findings' },
    ]);
  });
});
