import { describe, expect, it } from 'vitest';
import { escapeHtml, toHtml } from './html.js';
import { depsReport, emptyReport, sastReport, secretsReport } from './test-reports.js';

describe('toHtml', () => {
  const html = toHtml([sastReport(), depsReport(), secretsReport()]);

  it('is one self-contained file: no external scripts, styles, images or fonts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Nothing is loaded from anywhere: no src= at all, no <link>, no @import, no url().
    expect(html).not.toMatch(/\ssrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\s*\(/i);
    expect(html).toContain("default-src 'none'");
    // The only http(s) URLs are in anchors (references a reader may follow), never loads.
    const urls = [...html.matchAll(/(\w+)\s*=\s*"(https?:[^"]*)"/gi)].map((m) => m[1]!.toLowerCase());
    expect(urls.length).toBeGreaterThan(0);
    expect(new Set(urls)).toEqual(new Set(['href']));
  });

  it('escapes a script in a finding message', () => {
    const r = sastReport();
    r.findings[0]!.message = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    r.findings[0]!.location!.path = '"><svg onload=alert(1)>.js';
    const out = toHtml([r]);
    expect(out).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(out.match(/<script>/g)).toHaveLength(1);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<svg');
    expect(out).toContain('data-path="&#34;&#62;&#60;svg onload=alert(1)&#62;.js"');
  });

  it('renders only http(s) references as links', () => {
    const r = sastReport();
    r.findings[0]!.references = ['javascript:alert(1)', 'https://example.test/doc'];
    const out = toHtml([r]);
    expect(out).not.toContain('href="javascript');
    expect(out).toContain('href="https://example.test/doc"');
  });

  it('renders rows with filter data for stage, severity and path, and the filter controls', () => {
    expect(html).toContain('<select id="f-stage">');
    expect(html).toContain('<option value="deps">Dependency scan</option>');
    expect(html).toContain('id="f-severity"');
    expect(html).toContain('id="f-path"');
    const rows = [...html.matchAll(/<tr data-stage="([^"]+)" data-severity="([^"]+)" data-path="([^"]*)"/g)];
    expect(rows.map((m) => `${m[1]}:${m[2]}:${m[3]}`)).toEqual([
      'deps:critical:package-lock.json',
      'sast:critical:src/db.js',
      'secrets:high:config/prod.env',
      'deps:medium:package-lock.json',
      'sast:medium:src/my file #1.js',
      'sast:low:',
    ]);
    expect(html).toContain('Gate: failed');
    expect(html).toContain('Not scanned (1)');
  });

  it('renders an empty report', () => {
    const out = toHtml([emptyReport()]);
    expect(out).toContain('Findings (0)');
    expect(out).toContain('Gate: passed');
    expect(toHtml([])).toContain('Gate: not evaluated');
  });

  it('escapes every special character', () => {
    expect(escapeHtml(`<a href='x' title="y">&\``)).toBe(
      '&#60;a href=&#39;x&#39; title=&#34;y&#34;&#62;&#38;&#96;',
    );
  });
});
