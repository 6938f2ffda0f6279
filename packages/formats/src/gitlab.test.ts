import type { Report } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import {
  GITLAB_SCHEMA_VERSION,
  toGitlabCodeQuality,
  toGitlabDependencyScanning,
  toGitlabSast,
  toGitlabSecretDetection,
} from './gitlab.js';
import { depsReport, emptyReport, sastReport, secretsReport } from './test-reports.js';
import { validateGitlab } from './test-validate.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk loose report JSON
type Json = Record<string, any>;

const failed = (r: Report): Report => ({
  ...r,
  status: 'failed',
  errors: [{ message: 'scanner crashed', kind: 'error' }],
});

describe('GitLab security reports validate against the official 15.2.4 schemas', () => {
  const cases: Array<
    [string, 'sast' | 'dependency-scanning' | 'secret-detection', (r: Report) => unknown, Report[]]
  > = [
    [
      'SAST',
      'sast',
      toGitlabSast,
      [sastReport(), emptyReport(), failed(emptyReport()), depsReport(), secretsReport()],
    ],
    [
      'dependency scanning',
      'dependency-scanning',
      toGitlabDependencyScanning,
      [depsReport(), emptyReport('deps'), failed(emptyReport('deps')), sastReport()],
    ],
    [
      'secret detection',
      'secret-detection',
      toGitlabSecretDetection,
      [secretsReport(), emptyReport('secrets'), sastReport()],
    ],
  ];
  for (const [name, schema, fn, reports] of cases) {
    it(`${name}: with findings, without findings, failed, and findings of other shapes`, () => {
      for (const r of reports) expect(validateGitlab(schema, fn(r)), `${name} of ${r.stage}`).toEqual([]);
    });
  }

  it('stays valid with extreme values: long text, odd identifiers and URLs, empty tool names', () => {
    const r = sastReport();
    r.tool = { name: '', version: '' };
    const f = r.findings[0]!;
    f.title = 'T'.repeat(300);
    f.message = '';
    f.fix = { summary: 'x'.repeat(8000) };
    f.references = ['javascript:alert(1)', 'ftp://files.example/doc', 'https://example.test/a b'];
    f.identifiers = [
      { type: 'other', value: 'X-1', url: 'not a url' },
      { type: 'osv', value: 'PYSEC-2021-1' },
      { type: 'cwe', value: 'CWE-0079' },
      { type: 'owasp', value: 'A03:2021' },
    ];
    f.cvss = {
      version: '4.0',
      vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      score: 9.3,
    };
    f.location = { path: 'a.js', startLine: 1_000_000 };
    const v2 = depsReport();
    v2.findings[1]!.cvss = { version: '2.0', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' };
    for (const [schema, out] of [
      ['sast', toGitlabSast(r)],
      ['dependency-scanning', toGitlabDependencyScanning(r)],
      ['secret-detection', toGitlabSecretDetection(r)],
      ['dependency-scanning', toGitlabDependencyScanning(v2)],
    ] as const) {
      expect(validateGitlab(schema, out), schema).toEqual([]);
    }
    const v = (toGitlabSast(r) as Json).vulnerabilities[0];
    expect(v.name).toHaveLength(255);
    expect(v.description).toBe('T'.repeat(300));
    expect(v.solution).toHaveLength(7000);
    expect(v.links).toEqual([{ url: 'ftp://files.example/doc' }]);
    expect(v.identifiers.find((i: Json) => i.type === 'cwe')).toMatchObject({ name: 'CWE-79', value: '79' });
    expect(v.identifiers.find((i: Json) => i.type === 'other').url).toBeUndefined();
    expect(v.cvss_vectors[0].vector).toMatch(/^CVSS:4\.0\//);
    expect((toGitlabSast(r) as Json).scan.scanner).toMatchObject({
      id: 'tool',
      name: 'unknown',
      version: 'unknown',
    });
    expect((toGitlabDependencyScanning(v2) as Json).vulnerabilities[1].cvss_vectors).toEqual([
      { vendor: 'unknown', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
    ]);
  });

  it('the validator rejects a report that breaks the schema (it can fail)', () => {
    const bad = toGitlabSast(sastReport()) as Json;
    bad.vulnerabilities[0].severity = 'critical';
    bad.scan.start_time = '2026-11-22T10:00:00.000Z';
    expect(validateGitlab('sast', bad).length).toBeGreaterThanOrEqual(2);
    const noCommit = toGitlabSecretDetection(secretsReport()) as Json;
    delete noCommit.vulnerabilities[0].location.commit;
    expect(validateGitlab('secret-detection', noCommit)).not.toEqual([]);
  });
});

describe('toGitlabSast', () => {
  const gl = toGitlabSast(sastReport()) as Json;

  it('writes the scan header in GitLab time format', () => {
    expect(gl.version).toBe(GITLAB_SCHEMA_VERSION);
    expect(gl.scan).toMatchObject({
      type: 'sast',
      start_time: '2026-11-22T10:00:00',
      end_time: '2026-11-22T10:00:05',
      status: 'success',
      analyzer: { id: 'devsecflow', name: 'DevSecFlow', vendor: { name: 'DevSecFlow' } },
      scanner: { id: 'devsecflow', name: 'devsecflow', version: '0.1.0' },
    });
    expect(gl.scan.messages).toEqual([
      { level: 'warn', value: 'src/broken.js:7: could not parse: Unexpected token' },
    ]);
    expect((toGitlabSast(failed(emptyReport())) as Json).scan.status).toBe('failure');
  });

  it('maps findings to vulnerabilities, leaving suppressed ones out', () => {
    expect(gl.vulnerabilities).toHaveLength(2);
    const [sqli, noLoc] = gl.vulnerabilities;
    expect(sqli).toMatchObject({
      name: 'SQL built from user input',
      severity: 'Critical',
      solution: 'Pass values as query parameters: db.query("... WHERE id = ?", [id]).',
      location: { file: 'src/db.js', start_line: 12, end_line: 12 },
      links: [{ url: 'https://owasp.org/Top10/A03_2021-Injection/' }],
    });
    expect(sqli.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sqli.identifiers[0]).toEqual({
      type: 'devsecflow_rule_id',
      name: 'js/sql-injection',
      value: 'js/sql-injection',
    });
    expect(sqli.identifiers).toContainEqual({
      type: 'cwe',
      name: 'CWE-89',
      value: '89',
      url: 'https://cwe.mitre.org/data/definitions/89.html',
    });
    expect(noLoc.location).toEqual({});
  });

  it('writes a repeated fingerprint once', () => {
    const r = sastReport();
    r.findings.push({ ...r.findings[0]! });
    const ids = (toGitlabSast(r) as Json).vulnerabilities.map((v: Json) => v.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('derives the same vulnerability id from the same fingerprint in every run', () => {
    expect((toGitlabSast(sastReport()) as Json).vulnerabilities[0].id).toBe(gl.vulnerabilities[0].id);
    expect(gl.vulnerabilities[0].id).not.toBe(gl.vulnerabilities[1].id);
  });

  it('marks a diff-aware scan as differential', () => {
    const r = { ...sastReport(), diff: { applied: true, base: 'main' } };
    expect((toGitlabSast(r) as Json).scan.partial_scan).toEqual({ mode: 'differential' });
  });
});

describe('toGitlabDependencyScanning', () => {
  const gl = toGitlabDependencyScanning(depsReport()) as Json;

  it('puts the advisory first and the package in the location', () => {
    const [lodash, minimist] = gl.vulnerabilities;
    expect(lodash.identifiers[0]).toEqual({
      type: 'ghsa',
      name: 'GHSA-jf85-cpcp-j695',
      value: 'GHSA-jf85-cpcp-j695',
      url: 'https://github.com/advisories/GHSA-jf85-cpcp-j695',
    });
    expect(lodash.identifiers.map((i: Json) => i.type)).toEqual(['ghsa', 'cve', 'devsecflow_rule_id', 'cwe']);
    expect(lodash.location).toEqual({
      file: 'package-lock.json',
      dependency: { package: { name: 'lodash' }, version: '4.17.4', direct: true },
    });
    expect(lodash.solution).toBe('Upgrade lodash to 4.17.12 or later. Fixed in: 4.17.12.');
    expect(lodash.cvss_vectors).toEqual([
      { vendor: 'unknown', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H' },
    ]);
    // An invalid vector is left out rather than breaking the report.
    expect(minimist.cvss_vectors).toBeUndefined();
    expect(minimist.details.dependency_path.items).toEqual([
      { type: 'text', value: 'mkdirp@0.5.1' },
      { type: 'text', value: 'minimist@0.0.8' },
    ]);
  });

  it('keeps a finding without a package, saying unknown', () => {
    const vulns = (toGitlabDependencyScanning(sastReport()) as Json).vulnerabilities;
    expect(vulns[1].location).toEqual({
      file: 'unknown',
      dependency: { package: { name: 'unknown' }, version: 'unknown' },
    });
  });
});

describe('toGitlabSecretDetection', () => {
  it('adds the commit, defaulting to the placeholder GitLab uses for working-tree scans', () => {
    const gl = toGitlabSecretDetection(secretsReport()) as Json;
    expect(gl.vulnerabilities[0].location).toEqual({
      file: 'config/prod.env',
      start_line: 4,
      end_line: 4,
      commit: { sha: '0000000' },
    });
    const withCommit = { ...secretsReport(), target: { root: '.', commit: 'abc123' } };
    expect((toGitlabSecretDetection(withCommit) as Json).vulnerabilities[0].location.commit).toEqual({
      sha: 'abc123',
    });
    expect(JSON.stringify(gl)).not.toContain('AKIA****');
  });
});

describe('toGitlabCodeQuality', () => {
  const cq = toGitlabCodeQuality([sastReport(), depsReport(), secretsReport(), emptyReport()]) as Json[];

  it('validates and lists every unsuppressed finding of every stage', () => {
    expect(validateGitlab('code-quality', cq)).toEqual([]);
    expect(validateGitlab('code-quality', toGitlabCodeQuality([]))).toEqual([]);
    expect(cq).toHaveLength(2 + 2 + 1);
    expect(new Set(cq.map((i) => i.fingerprint)).size).toBe(cq.length);
  });

  it('maps severities one to one and locates dependency findings at their manifest', () => {
    expect(cq.map((i) => i.severity)).toEqual(['blocker', 'minor', 'blocker', 'major', 'critical']);
    expect(cq[0]).toMatchObject({
      check_name: 'js/sql-injection',
      description: 'SQL built from user input: User input flows into a SQL query: use a parameterised query.',
      location: { path: 'src/db.js', lines: { begin: 12 } },
    });
    expect(cq[1]!.location).toEqual({ path: '.', lines: { begin: 1 } });
    expect(cq[2]!.location).toEqual({ path: 'package-lock.json', lines: { begin: 1 } });
  });

  it('the validator rejects a wrong severity (it can fail)', () => {
    expect(validateGitlab('code-quality', [{ ...cq[0], severity: 'high' }])).not.toEqual([]);
  });
});
