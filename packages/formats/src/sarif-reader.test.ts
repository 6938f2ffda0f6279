import { readdirSync, readFileSync } from 'node:fs';
import { codeFingerprint, InputError, ReportSchema } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { toGitlabSast, toGitlabSecretDetection } from './gitlab.js';
import { formatSarifMessage, fromSarif, mergeByStage } from './sarif-reader.js';
import { toSarif } from './sarif-writer.js';
import { depsReport, emptyReport, sastReport, secretsReport } from './test-reports.js';
import { FIXTURE_DIR, validateGitlab, validateSarif } from './test-validate.js';

const now = () => new Date('2026-11-22T12:00:00Z');
const read = (name: string) => readFileSync(`${FIXTURE_DIR}sarif/${name}`, 'utf8');

describe('fromSarif: round trip of our own SARIF', () => {
  it('Report -> SARIF -> Report keeps every finding, fingerprint and field', () => {
    const reports = [sastReport(), depsReport(), secretsReport(), emptyReport('test-gate')];
    const text = JSON.stringify(toSarif(reports));
    const back = fromSarif(text, { file: 'devsecflow.sarif' });
    expect(back).toEqual(reports);
  });

  it('keeps the stage and fingerprints even when the property bags are stripped', () => {
    // biome-ignore lint/suspicious/noExplicitAny: tests walk loose SARIF JSON
    const log = toSarif([sastReport()]) as { runs: Array<Record<string, any>> };
    for (const run of log.runs) {
      delete run.properties;
      for (const r of run.results) delete r.properties;
    }
    const [back] = fromSarif(log, { file: 'stripped.sarif', root: '/work/app' });
    const original = sastReport();
    expect(back!.stage).toBe('sast');
    expect(back!.findings.map((f) => f.fingerprint)).toEqual(original.findings.map((f) => f.fingerprint));
    expect(back!.findings.map((f) => f.severity)).toEqual(['critical', 'medium', 'low']);
    expect(back!.findings[0]!.location).toEqual(original.findings[0]!.location);
    expect(back!.findings[1]!.location!.path).toBe('src/my file #1.js');
    expect(back!.findings[1]!.suppression).toEqual({ kind: 'inline', reason: 'input is a constant here' });
    expect(back!.findings[0]!.baselineState).toBe('new');
    expect(back!.findings[1]!.baselineState).toBe('existing');
    expect(back!.findings[0]!.identifiers).toContainEqual(expect.objectContaining({ value: 'CWE-89' }));
    expect(back!.status).toBe('partial');
    expect(back!.errors[0]).toMatchObject({
      message: 'could not parse: Unexpected token',
      path: 'src/broken.js',
      line: 7,
    });
  });
});

// Real scanner output: see test/fixtures/sarif/SOURCES.md.
const FIXTURES: Array<{ file: string; tool: string; runs: number; findings: number; stage: string }> = [
  { file: 'eslint-9.39.5.sarif', tool: 'ESLint', runs: 1, findings: 5, stage: 'sast' },
  { file: 'flawfinder-2.0.19.sarif', tool: 'Flawfinder', runs: 1, findings: 6, stage: 'sast' },
  { file: 'gitleaks-8-sarif_simple.sarif', tool: 'gitleaks', runs: 1, findings: 1, stage: 'secrets' },
  { file: 'trivy-alpine-310.sarif', tool: 'Trivy', runs: 1, findings: 3, stage: 'sast' },
  {
    file: 'codeql-action-valid-sarif.sarif',
    tool: 'CodeQL command-line toolchain',
    runs: 2,
    findings: 3,
    stage: 'sast',
  },
];

describe('fromSarif: real scanner output', () => {
  it('has a fixture for every file in the folder', () => {
    const files = readdirSync(`${FIXTURE_DIR}sarif`).filter((f) => f.endsWith('.sarif'));
    expect(files.sort()).toEqual(FIXTURES.map((f) => f.file).sort());
  });

  for (const fx of FIXTURES) {
    describe(fx.file, () => {
      const reports = fromSarif(read(fx.file), { file: fx.file, root: '/tmp/fmt-gen/eslint', now });

      it('imports every result as a valid finding', () => {
        expect(reports).toHaveLength(fx.runs);
        expect(reports.at(-1)!.tool.name).toBe(fx.tool);
        const findings = reports.flatMap((r) => r.findings);
        expect(findings).toHaveLength(fx.findings);
        for (const r of reports) {
          expect(ReportSchema.safeParse(r).success).toBe(true);
          expect(r.stage).toBe(fx.stage);
        }
        // Distinct results keep distinct fingerprints within a run.
        for (const r of reports) {
          expect(new Set(r.findings.map((f) => f.fingerprint)).size).toBe(r.findings.length);
        }
      });

      it('converts to SARIF that validates and reads back the same', () => {
        const sarif = toSarif(reports);
        expect(validateSarif(sarif)).toEqual([]);
        expect(fromSarif(JSON.parse(JSON.stringify(sarif)), { file: 'again.sarif' })).toEqual(reports);
      });

      it('converts to a GitLab SAST report that validates', () => {
        for (const r of mergeByStage(reports)) {
          const gl = toGitlabSast(r);
          expect(validateGitlab('sast', gl)).toEqual([]);
          expect((gl.vulnerabilities as unknown[]).length).toBe(
            r.findings.filter((f) => !f.suppression).length,
          );
        }
      });
    });
  }

  it('reads ESLint: absolute file URIs become paths relative to the root', () => {
    const [r] = fromSarif(read('eslint-9.39.5.sarif'), { file: 'e.sarif', root: '/tmp/fmt-gen/eslint', now });
    expect(r!.findings.every((f) => f.location?.path === 'app.js')).toBe(true);
    const outside = fromSarif(read('eslint-9.39.5.sarif'), { file: 'e.sarif', root: '/elsewhere', now });
    expect(outside[0]!.findings[0]!.location!.path).toBe('/tmp/fmt-gen/eslint/app.js');
    expect(r!.findings[0]!.references[0]).toMatch(/^https:\/\/github.com\/eslint-community/);
  });

  it('reads Flawfinder: CWE from rule relationships, level from defaultConfiguration, snippets', () => {
    const [r] = fromSarif(read('flawfinder-2.0.19.sarif'), { file: 'f.sarif', now });
    const strcpy = r!.findings.find((f) => f.ruleId === 'FF1001')!;
    expect(strcpy.identifiers).toContainEqual({
      type: 'cwe',
      value: 'CWE-120',
      url: 'https://cwe.mitre.org/data/definitions/120.html',
    });
    expect(strcpy.severity).toBe('high');
    expect(strcpy.location).toMatchObject({ path: 'copy.c', startLine: 6, snippet: 'strcpy(buf, name);' });
    expect(strcpy.fingerprint).toBe(codeFingerprint('FF1001', 'copy.c', 'strcpy(buf, name);'));
  });

  it('reads gitleaks: secrets stage, rule missing from rules, snippet redacted', () => {
    const [r] = fromSarif(read('gitleaks-8-sarif_simple.sarif'), { file: 'g.sarif', now });
    const f = r!.findings[0]!;
    expect(r!.stage).toBe('secrets');
    expect(f.title).toBe('test-rule');
    expect(f.location!.snippet).toBe('[REDACTED]');
    expect(JSON.stringify(r)).not.toContain('a secret');
    expect(JSON.stringify(toSarif([r!]))).not.toContain('a secret');
    // The commit gitleaks recorded reaches GitLab's secret detection report.
    expect(f.properties).toEqual({ commit: '0000000000000000' });
    const gl = toGitlabSecretDetection(r!) as { vulnerabilities: Array<{ location: unknown }> };
    expect(validateGitlab('secret-detection', gl)).toEqual([]);
    expect(gl.vulnerabilities[0]!.location).toMatchObject({
      file: 'auth.py',
      commit: { sha: '0000000000000000' },
    });
  });

  it('reads Trivy: ruleIndex, uriBaseId without a base URI, severity and CVE identifiers', () => {
    const [r] = fromSarif(read('trivy-alpine-310.sarif'), { file: 't.sarif', now });
    const f = r!.findings[0]!;
    expect(f.location!.path).toBe('testdata/fixtures/images/alpine-310.tar.gz');
    expect(f.identifiers).toContainEqual(expect.objectContaining({ type: 'cve', value: 'CVE-2019-1549' }));
    expect(f.severity).toBe('medium');
    expect(f.confidence).toBe('high');
  });

  it('reads CodeQL: problem.severity, artifacts, embedded related-location links', () => {
    const reports = fromSarif(read('codeql-action-valid-sarif.sarif'), { file: 'c.sarif', now });
    const newUse = reports[1]!.findings[1]!;
    expect(newUse.message).toBe(
      'Function resolvingPromise is sometimes invoked as a constructor (for example here), and sometimes as a normal function (for example here).',
    );
    expect(newUse.severity).toBe('medium');
    expect(reports[1]!.findings[0]!.severity).toBe('low');
    // The same result in two runs has the same fingerprint: merging dedupes it.
    const merged = mergeByStage(reports);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.findings).toHaveLength(2);
    expect(merged[0]!.tool.name).toBe('devsecflow');
    expect(merged[0]!.findings.every((f) => f.tool !== undefined)).toBe(true);
  });
});

describe('fromSarif: lenient on content', () => {
  const base = (run: Record<string, unknown>) => ({ version: '2.1.0', runs: [run] });

  it('takes rules from tool.extensions, messages by id with arguments, CWE from taxa', () => {
    const log = base({
      tool: {
        driver: { name: 'CodeQL', semanticVersion: '2.19.0' },
        extensions: [
          {
            name: 'codeql/javascript-queries',
            rules: [
              {
                id: 'js/xss',
                name: 'js/xss',
                shortDescription: { text: 'Client-side cross-site scripting' },
                messageStrings: { default: { text: 'Cross-site scripting from {0} ({{raw}}).' } },
                properties: {
                  'security-severity': '6.1',
                  tags: ['security', 'external/cwe/cwe-079'],
                  precision: 'high',
                },
              },
            ],
          },
        ],
      },
      results: [
        {
          rule: { id: 'js/xss', index: 0, toolComponent: { index: 0 } },
          message: { id: 'default', arguments: ['a user-provided value'] },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'web/app.js' }, region: { startLine: 4 } } },
          ],
          taxa: [{ id: '116', toolComponent: { name: 'CWE' } }],
        },
      ],
    });
    const [r] = fromSarif(log, { file: 'x.sarif', now });
    const f = r!.findings[0]!;
    expect(f.ruleId).toBe('js/xss');
    expect(f.title).toBe('Client-side cross-site scripting');
    expect(f.message).toBe('Cross-site scripting from a user-provided value ({raw}).');
    expect(f.severity).toBe('medium');
    expect(f.confidence).toBe('high');
    expect(f.identifiers.map((i) => i.value)).toEqual(['js/xss', 'CWE-79', 'CWE-116']);
  });

  it('accepts a run without a tool, null names, results without locations or messages', () => {
    const log = base({
      tool: { driver: { name: null } },
      results: [{ ruleId: 'R1', level: 'error' }, { message: { text: 'no rule at all' } }, 'garbage'],
    });
    const [r] = fromSarif(log, { file: 'x.sarif', now });
    expect(r!.tool).toEqual({ name: 'unknown SARIF tool', version: 'unknown' });
    expect(r!.findings).toHaveLength(2);
    expect(r!.findings[0]).toMatchObject({ ruleId: 'R1', severity: 'high', message: 'R1' });
    expect(r!.findings[0]!.location).toBeUndefined();
    expect(r!.findings[1]).toMatchObject({
      ruleId: 'unknown-rule',
      message: 'no rule at all',
      severity: 'medium',
    });
    // The malformed result is reported, and the report is partial rather than clean.
    expect(r!.status).toBe('partial');
    expect(r!.errors[0]!.message).toContain('runs[0].results[2] is not an object');
    expect(fromSarif(base({}), { file: 'x.sarif', now })[0]!.findings).toEqual([]);
  });

  it('resolves uriBaseId through originalUriBaseIds and artifact indexes', () => {
    const log = base({
      tool: { driver: { name: 't', rules: [{ id: 'R', defaultConfiguration: { level: 'note' } }] } },
      originalUriBaseIds: { SRC: { uri: 'file:///repo/' } },
      artifacts: [{ location: { uri: 'lib/a%20b.py', uriBaseId: 'SRC' } }],
      results: [
        {
          ruleId: 'R',
          message: { text: 'm' },
          locations: [{ physicalLocation: { artifactLocation: { index: 0 } } }],
        },
        {
          ruleId: 'R',
          message: { text: 'm' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'x.py', uriBaseId: 'SRC' } } }],
        },
      ],
    });
    const plain = (uri: string) => ({
      ruleId: 'R',
      message: { text: uri },
      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
    });
    (log.runs[0]!.results as unknown[]).push(
      plain('/repo/src/abs.py'),
      plain('C:\\src\\w.c'),
      plain('./rel/x.py'),
    );
    const [r] = fromSarif(log, { file: 'x.sarif', root: '/repo', now });
    expect(r!.findings.map((f) => f.location?.path)).toEqual([
      'lib/a b.py',
      'x.py',
      'src/abs.py',
      'C:/src/w.c',
      'rel/x.py',
    ]);
    expect(r!.findings[0]!.severity).toBe('low');
    expect(r!.findings[0]!.location!.startLine).toBe(1);
  });

  it('keeps identical results apart and skips pass/absent results', () => {
    const result = {
      ruleId: 'R',
      message: { text: 'same' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js' } } }],
    };
    const log = base({
      tool: { driver: { name: 't' } },
      results: [result, result, { ...result, kind: 'pass' }, { ...result, baselineState: 'absent' }],
    });
    const [r] = fromSarif(log, { file: 'x.sarif', now });
    expect(r!.findings).toHaveLength(2);
    expect(r!.findings[0]!.fingerprint).not.toBe(r!.findings[1]!.fingerprint);
    expect(r!.stats.sarifResultsNotFindings).toBe(2);
  });

  it('turns tool execution errors into report errors and a partial status', () => {
    const log = base({
      tool: { driver: { name: 't' } },
      invocations: [
        {
          executionSuccessful: false,
          startTimeUtc: '2026-01-01T00:00:00Z',
          toolExecutionNotifications: [{ level: 'error', message: { text: 'parse failed' } }],
        },
      ],
      results: [],
    });
    const [r] = fromSarif(log, { file: 'x.sarif', now });
    expect(r!.status).toBe('partial');
    expect(r!.errors).toEqual([{ message: 'parse failed', kind: 'error' }]);
    expect(r!.startedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('lets the caller choose the stage', () => {
    const [r] = fromSarif(read('trivy-alpine-310.sarif'), { file: 't.sarif', stage: 'deps', now });
    expect(r!.stage).toBe('deps');
    expect(r!.findings.every((f) => f.stage === 'deps')).toBe(true);
  });

  it('formats SARIF message templates', () => {
    expect(formatSarifMessage('{0} and {1} {{x}} {2}', ['a', 7])).toBe('a and 7 {x} {2}');
  });
});

describe('fromSarif: malformed files', () => {
  const err = (json: unknown) => {
    try {
      fromSarif(json, { file: 'scan.sarif' });
    } catch (e) {
      return e;
    }
    throw new Error('expected an error');
  };

  it('names file, line and column for JSON syntax errors', () => {
    const e = err('{\n  "version": "2.1.0",\n  "runs": [,]\n}');
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toBe('scan.sarif:3:12: invalid JSON: expected a value');
    expect((e as InputError).position).toMatchObject({ file: 'scan.sarif', line: 3 });
    expect((err('{"runs": [') as Error).message).toMatch(/^scan\.sarif:1:11: invalid JSON/);
  });

  it('does not echo file content in the error', () => {
    const e = err('{"token": "ghp_secretsecret" oops}') as Error;
    expect(e.message).not.toContain('ghp_secret');
  });

  it('rejects a document without runs, another version, or a non-object', () => {
    expect((err('{"version":"2.1.0"}') as Error).message).toBe(
      'scan.sarif: not a SARIF log: no "runs" array (expected a JSON object with "version": "2.1.0" and "runs")',
    );
    expect((err({ version: '1.0.0', runs: [] }) as Error).message).toMatch(
      /^scan\.sarif: unsupported SARIF version "1.0.0" \(expected "2.1.0"/,
    );
    expect(err('[1,2]')).toBeInstanceOf(InputError);
    expect(err(null)).toBeInstanceOf(InputError);
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(fromSarif('\ufeff{"version":"2.1.0","runs":[]}', { file: 'bom.sarif' })).toEqual([]);
  });
});
