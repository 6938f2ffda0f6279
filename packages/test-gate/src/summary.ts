import type { Finding, Report } from '@devsecflow/core';
import { TEST_GATE_RULES } from './stage.js';

export interface SummaryOptions {
  /** Failing tests listed by name. Default 10. */
  maxTests?: number;
}

const pct = (n: number | undefined) => (n === undefined ? '–' : `${Number.isInteger(n) ? n : n.toFixed(2)}%`);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function check(
  rows: string[],
  label: string,
  measured: string,
  required: string | undefined,
  failed: boolean,
  known = true,
): void {
  if (required === undefined && measured === '–') return;
  const mark = !known ? '⚠️ not checked' : required === undefined ? '' : failed ? '❌' : '✅';
  rows.push(`| ${label} | ${measured} | ${required ?? ''} | ${mark} |`);
}

/**
 * A Markdown summary of a test-gate report for a job summary or MR note: one table of checks
 * (measured vs required), then the failing tests. Reads only the report, so it works on a report
 * loaded from disk or merged from shards.
 */
export function testGateSummary(report: Report, options: SummaryOptions = {}): string {
  const s = report.stats;
  const has = (rule: string) => report.findings.some((f) => f.ruleId === rule && !f.suppression);
  const notChecked = (what: string) =>
    report.errors.some((e) => e.message.startsWith(`${what} could not be checked`));
  const verdict = report.gate ? (report.gate.passed ? '✅ passed' : '❌ failed') : report.status;
  const lines: string[] = [`### Test gate: ${verdict}`, ''];

  if (s.tests !== undefined) {
    const parts = [
      `${s.passed ?? 0} passed`,
      `${s.failed ?? 0} failed`,
      `${s.errors ?? 0} errors`,
      `${s.skipped ?? 0} skipped`,
    ];
    if (s.flaky) parts.push(`${s.flaky} flaky`);
    if (s.quarantined) parts.push(`${s.quarantined} quarantined`);
    lines.push(
      `**${s.tests} tests** in ${s.reports ?? 0} report${s.reports === 1 ? '' : 's'}: ${parts.join(', ')}.`,
      '',
    );
  }

  const rows: string[] = ['| Check | Measured | Required | |', '| --- | --- | --- | --- |'];
  if (s.tests !== undefined) {
    check(
      rows,
      'Tests run',
      String(s.executed ?? 0),
      `≥ ${s['required.minTests'] ?? 1}`,
      has(TEST_GATE_RULES.minTests),
    );
    const failures = (s.failed ?? 0) + (s.errors ?? 0) - (s.quarantined ?? 0);
    const max = s['required.maxFailures'];
    check(
      rows,
      'Failing tests',
      String(failures),
      max === undefined ? undefined : `≤ ${max}`,
      max !== undefined && failures > max,
    );
    const minRate = s['required.minPassRate'];
    check(
      rows,
      'Pass rate',
      pct(s.passRate),
      minRate === undefined ? undefined : `≥ ${pct(minRate)}`,
      has(TEST_GATE_RULES.minPassRate),
    );
  }
  const req = (k: string, op: string, unit = '%') =>
    s[k] === undefined ? undefined : `${op} ${unit === '%' ? pct(s[k]) : `${s[k]} ${unit}`}`;
  check(
    rows,
    'Line coverage',
    pct(s.lineCoverage),
    req('required.minLineCoverage', '≥'),
    has(TEST_GATE_RULES.minLineCoverage),
    !notChecked('minLineCoverage'),
  );
  check(
    rows,
    'Branch coverage',
    pct(s.branchCoverage),
    req('required.minBranchCoverage', '≥'),
    has(TEST_GATE_RULES.minBranchCoverage),
    !notChecked('minBranchCoverage'),
  );
  if (s['required.maxCoverageDrop'] !== undefined || s.coverageDrop !== undefined) {
    check(
      rows,
      'Coverage drop vs base',
      s.coverageDrop === undefined
        ? '–'
        : `${s.coverageDrop.toFixed(2)} pts (base ${pct(s.baselineLineCoverage)})`,
      req('required.maxCoverageDrop', '≤', 'pts'),
      has(TEST_GATE_RULES.coverageDrop),
      !notChecked('maxCoverageDrop'),
    );
  }
  if (s['required.minNewCodeCoverage'] !== undefined || s.newCodeCoverage !== undefined) {
    const measured =
      s.newCodeCoverage !== undefined
        ? `${pct(s.newCodeCoverage)} (${s.newCodeLinesCovered}/${s.newCodeLines} lines)`
        : s.newCodeLines === 0
          ? 'no changed executable lines'
          : '–';
    check(
      rows,
      'Coverage on new code',
      measured,
      req('required.minNewCodeCoverage', '≥'),
      has(TEST_GATE_RULES.newCodeCoverage),
      !notChecked('minNewCodeCoverage'),
    );
  }
  if (rows.length > 2) lines.push(...rows, '');

  const failing = report.findings.filter(
    (f: Finding) => f.ruleId === TEST_GATE_RULES.testFailed || f.ruleId === TEST_GATE_RULES.testError,
  );
  if (failing.length > 0) {
    const max = options.maxTests ?? 10;
    lines.push(`**Failing tests** (${failing.length}${failing.length > max ? `, first ${max}` : ''}):`, '');
    lines.push('| Test | Where | Message |', '| --- | --- | --- |');
    for (const f of failing.slice(0, max)) {
      const where = f.location ? `\`${f.location.path}:${f.location.startLine}\`` : '';
      const q = f.properties?.quarantined ? ` _(quarantined, ${String(f.properties.quarantineOwner)})_` : '';
      const msg = f.message.length > 160 ? `${f.message.slice(0, 159)}…` : f.message;
      lines.push(`| ${cell(f.title.replace(/^Test (failed|error): /, ''))}${q} | ${where} | ${cell(msg)} |`);
    }
    lines.push('');
  }
  const expired = report.findings.filter((f) => f.ruleId === TEST_GATE_RULES.quarantineExpired);
  for (const f of expired) lines.push(`- ⏰ ${cell(f.message)}`);
  for (const e of report.errors) {
    lines.push(`- ⚠️ ${e.path ? `\`${e.path}${e.line ? `:${e.line}` : ''}\`: ` : ''}${cell(e.message)}`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
