// Sample reports shared by the tests (not part of the build: see tsconfig.build.json).
import {
  codeFingerprint,
  keyFingerprint,
  packageFingerprint,
  type Report,
  ReportSchema,
} from '@devsecflow/core';

const T0 = '2026-11-22T10:00:00.000Z';
const T1 = '2026-11-22T10:00:05.250Z';

/** A SAST report exercising every finding field: CWE, fix, references, suppression, baseline, no location. */
export function sastReport(): Report {
  return ReportSchema.parse({
    schemaVersion: '1',
    stage: 'sast',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/work/app', commit: '0123456789abcdef0123456789abcdef01234567', ref: 'refs/heads/main' },
    startedAt: T0,
    finishedAt: T1,
    status: 'partial',
    findings: [
      {
        fingerprint: codeFingerprint(
          'js/sql-injection',
          'src/db.js',
          'db.query("SELECT * FROM u WHERE id=" + id)',
        ),
        stage: 'sast',
        ruleId: 'js/sql-injection',
        title: 'SQL built from user input',
        message: 'User input flows into a SQL query: use a parameterised query.',
        severity: 'critical',
        confidence: 'high',
        location: {
          path: 'src/db.js',
          startLine: 12,
          startColumn: 3,
          endLine: 12,
          endColumn: 48,
          snippet: 'db.query("SELECT * FROM u WHERE id=" + id)',
        },
        identifiers: [
          { type: 'rule', value: 'js/sql-injection' },
          { type: 'cwe', value: 'CWE-89', url: 'https://cwe.mitre.org/data/definitions/89.html' },
          { type: 'owasp', value: 'A03:2021' },
        ],
        fix: { summary: 'Pass values as query parameters: db.query("... WHERE id = ?", [id]).' },
        references: ['https://owasp.org/Top10/A03_2021-Injection/'],
        baselineState: 'new',
      },
      {
        fingerprint: codeFingerprint('js/eval', 'src/my file #1.js', 'eval(input)'),
        stage: 'sast',
        ruleId: 'js/eval',
        title: 'eval of dynamic code',
        message: 'Message with <script>alert(1)</script> | pipes and @someone mention & [link](javascript:x)',
        severity: 'medium',
        confidence: 'medium',
        location: { path: 'src/my file #1.js', startLine: 3, snippet: 'eval(input)' },
        identifiers: [{ type: 'cwe', value: 'CWE-95' }],
        references: [],
        suppression: { kind: 'inline', reason: 'input is a constant here', source: 'src/my file #1.js:2' },
        baselineState: 'existing',
      },
      {
        fingerprint: keyFingerprint('policy', 'no-license'),
        stage: 'sast',
        ruleId: 'policy/no-license',
        title: 'Repository has no licence file',
        message: 'No LICENSE file at the root.',
        severity: 'low',
        confidence: 'low',
        identifiers: [],
        references: [],
        properties: { checked: ['LICENSE', 'LICENSE.md'] },
      },
    ],
    errors: [{ message: 'could not parse: Unexpected token', path: 'src/broken.js', line: 7, kind: 'error' }],
    stats: { files: 3, skippedBinary: 1 },
    gate: {
      passed: false,
      violations: [
        { rule: 'fail-on', message: '1 critical finding at or above high', stage: 'sast' },
        { rule: 'partial-report', message: 'sast report is partial', stage: 'sast' },
      ],
    },
  });
}

/** A dependency report: one direct and one transitive vulnerable package. */
export function depsReport(): Report {
  return ReportSchema.parse({
    schemaVersion: '1',
    stage: 'deps',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/work/app' },
    startedAt: T0,
    finishedAt: T1,
    status: 'ok',
    findings: [
      {
        fingerprint: packageFingerprint(
          'GHSA-jf85-cpcp-j695',
          'npm',
          'lodash',
          '4.17.4',
          'package-lock.json',
        ),
        stage: 'deps',
        ruleId: 'GHSA-jf85-cpcp-j695',
        title: 'Prototype Pollution in lodash',
        message: 'lodash 4.17.4 is vulnerable to prototype pollution.',
        severity: 'critical',
        confidence: 'high',
        package: {
          ecosystem: 'npm',
          name: 'lodash',
          version: '4.17.4',
          purl: 'pkg:npm/lodash@4.17.4',
          direct: true,
          scope: 'prod',
          dependencyPath: ['lodash@4.17.4'],
          manifest: 'package-lock.json',
        },
        identifiers: [
          { type: 'ghsa', value: 'GHSA-jf85-cpcp-j695' },
          { type: 'cve', value: 'CVE-2019-10744' },
          { type: 'cwe', value: 'CWE-1321' },
        ],
        cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H', score: 9.1 },
        fix: { summary: 'Upgrade lodash to 4.17.12 or later.', versions: ['4.17.12'] },
        references: ['https://github.com/advisories/GHSA-jf85-cpcp-j695'],
      },
      {
        fingerprint: packageFingerprint(
          'GHSA-xxxx-transitive',
          'npm',
          'minimist',
          '0.0.8',
          'package-lock.json',
        ),
        stage: 'deps',
        ruleId: 'GHSA-vh95-rmgr-6w4m',
        title: 'Prototype Pollution in minimist',
        message: 'minimist 0.0.8 (via mkdirp) is vulnerable.',
        severity: 'medium',
        confidence: 'high',
        location: { path: 'package-lock.json', startLine: 120 },
        package: {
          ecosystem: 'npm',
          name: 'minimist',
          version: '0.0.8',
          direct: false,
          dependencyPath: ['mkdirp@0.5.1', 'minimist@0.0.8'],
          manifest: 'package-lock.json',
        },
        identifiers: [{ type: 'ghsa', value: 'GHSA-vh95-rmgr-6w4m' }],
        cvss: { version: '3.1', vector: 'not a vector', score: 5.6 },
        fix: { summary: 'Upgrade minimist to 0.2.1 or later.', versions: ['0.2.1', '1.2.3'] },
        references: [],
      },
    ],
    errors: [],
    stats: { packages: 412 },
  });
}

/** A secrets report with a redacted snippet. */
export function secretsReport(): Report {
  return ReportSchema.parse({
    schemaVersion: '1',
    stage: 'secrets',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/work/app' },
    startedAt: T0,
    finishedAt: T1,
    status: 'ok',
    findings: [
      {
        fingerprint: 'ab'.repeat(16),
        stage: 'secrets',
        ruleId: 'aws-access-key-id',
        title: 'AWS access key id',
        message: 'An AWS access key id is committed.',
        severity: 'high',
        confidence: 'high',
        location: {
          path: 'config/prod.env',
          startLine: 4,
          snippet: 'AWS_ACCESS_KEY_ID=AKIA****************',
        },
        identifiers: [{ type: 'cwe', value: 'CWE-798' }],
        fix: { summary: 'Revoke the key, then remove it from the history.' },
        references: [],
      },
    ],
    errors: [],
    stats: {},
  });
}

/** A report with no findings at all. */
export function emptyReport(stage: Report['stage'] = 'sast'): Report {
  return ReportSchema.parse({
    schemaVersion: '1',
    stage,
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '.' },
    startedAt: T0,
    finishedAt: T1,
    status: 'ok',
    findings: [],
    errors: [],
    stats: {},
    gate: { passed: true, violations: [] },
  });
}
