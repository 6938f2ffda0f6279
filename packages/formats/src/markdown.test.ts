import { codeFingerprint, type Finding, type Report } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, toMarkdown } from './markdown.js';
import { depsReport, emptyReport, sastReport, secretsReport } from './test-reports.js';

function manyFindings(n: number): Report {
  const r = emptyReport();
  r.findings = Array.from({ length: n }, (_, i): Finding => {
    const path = `src/module-${i}.js`;
    return {
      fingerprint: codeFingerprint('rule', path, `code ${i}`),
      stage: 'sast',
      ruleId: 'rule',
      title: `Finding number ${i}`,
      message: 'x'.repeat(200),
      severity: i % 7 === 0 ? 'high' : 'low',
      confidence: 'high',
      location: { path, startLine: i + 1 },
      identifiers: [],
      references: [],
    };
  });
  return r;
}

describe('toMarkdown', () => {
  const md = toMarkdown([sastReport(), depsReport(), secretsReport()], {
    marker: 'devsecflow-report',
    linkBase: 'https://github.com/o/r/blob/abc/',
  });

  it('starts with the marker and title, then the gate verdict with violations', () => {
    expect(md.startsWith('<!-- devsecflow-report -->\n## DevSecFlow report\n')).toBe(true);
    expect(md).toContain('**Gate: ❌ failed** (2 violation(s))');
    expect(md).toContain('- SAST: 1 critical finding at or above high (fail-on)');
  });

  it('has a summary table per stage and severity', () => {
    expect(md).toContain(
      '| Stage | Status | 🟥 Critical | 🟧 High | 🟨 Medium | 🟦 Low | ⬜ Info | Suppressed |',
    );
    expect(md).toContain('| SAST | ⚠️ partial | 1 | 0 | 0 | 1 | 0 | 1 |');
    expect(md).toContain('| Dependency scan | ✅ ok | 1 | 0 | 1 | 0 | 0 | 0 |');
    expect(md).toContain('### Not scanned (1)');
  });

  it('lists findings most severe first with path:line links, leaving suppressed ones out', () => {
    const lines = md.split('\n').filter((l) => l.startsWith('- **'));
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain('[src/db\\.js\\:12](https://github.com/o/r/blob/abc/src/db.js#L12)');
    expect(lines.map((l) => /\*\*(\S+ \w+)\*\*/.exec(l)?.[1])).toEqual([
      '🟥 Critical',
      '🟥 Critical',
      '🟧 High',
      '🟨 Medium',
      '🟦 Low',
    ]);
    expect(md).not.toContain('eval of dynamic code');
    expect(md).toContain('lodash@\u200b4\\.17\\.4');
  });

  it('escapes untrusted text: no HTML, no markup, no mentions', () => {
    const r = sastReport();
    r.findings[1]!.suppression = undefined;
    const out = toMarkdown([r]);
    expect(out).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(out).not.toContain('<script>');
    expect(out).toContain('@\u200bsomeone');
    expect(out).not.toMatch(/@someone/);
    expect(out).toContain('\\[link\\]\\(javascript\\:x\\)');
    expect(escapeMarkdown('a|b\nc `d` *e* _f_ # 1. - x')).toBe(
      'a\\|b c \\`d\\` \\*e\\* \\_f\\_ \\# 1\\. \\- x',
    );
  });

  it('says so when there are no findings and no reports', () => {
    const out = toMarkdown([emptyReport()]);
    expect(out).toContain('**Gate: ✅ passed**');
    expect(out).not.toContain('### Findings');
    expect(toMarkdown([])).toContain('_No stage reports._');
  });

  it('caps the output at maxChars with an honest count of what is not shown', () => {
    const big = manyFindings(2000);
    const out = toMarkdown([big]);
    expect(out.length).toBeLessThanOrEqual(65_536);
    const shown = out.split('\n').filter((l) => l.startsWith('- **')).length;
    expect(shown).toBeGreaterThan(100);
    expect(out).toContain(`_… and ${2000 - shown} more findings not shown._`);
    // The most severe findings are the ones shown.
    expect(out.split('\n').filter((l) => l.startsWith('- **🟧 High**')).length).toBe(Math.min(shown, 286));

    for (const maxChars of [300, 1000, 5000]) {
      const small = toMarkdown([big], { maxChars });
      expect(small.length).toBeLessThanOrEqual(maxChars);
      expect(small).toMatch(/not shown\._\n$/);
    }
  });

  it('shows everything without a footer when it fits', () => {
    const out = toMarkdown([manyFindings(3)]);
    expect(out).not.toContain('not shown');
    expect(out.split('\n').filter((l) => l.startsWith('- **')).length).toBe(3);
  });
});
