import type { Finding, Report } from '@devsecflow/core';
import { compareFindings, whereOf } from './util.js';

// XML 1.0 allows tab, newline, carriage return and the ranges below; anything else (other control
// characters, lone surrogates, U+FFFE/U+FFFF) makes the whole file unreadable, so it is dropped.
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s.replace(ILLEGAL_XML, '').replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

const attr = (name: string, value: string | number) => ` ${name}="${xmlEscape(String(value))}"`;

function seconds(report: Report): string {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

function findingBody(f: Finding): string {
  const lines = [f.message || f.title];
  const where = whereOf(f);
  if (where) lines.push(`at ${where}`);
  if (f.fix)
    lines.push(`fix: ${f.fix.summary}${f.fix.versions?.length ? ` (${f.fix.versions.join(', ')})` : ''}`);
  const ids = f.identifiers.filter((i) => i.type !== 'rule').map((i) => i.value);
  if (ids.length > 0) lines.push(`identifiers: ${ids.join(', ')}`);
  lines.push(`fingerprint: ${f.fingerprint}`);
  return lines.join('\n');
}

interface Case {
  xml: string;
  failure: boolean;
  error: boolean;
  skipped: boolean;
}

function findingCase(f: Finding): Case {
  const where = whereOf(f);
  const name = where ? `${f.ruleId} at ${where}` : f.ruleId;
  let xml = `    <testcase${attr('classname', `devsecflow.${f.stage}.${f.ruleId}`)}${attr('name', name)}`;
  if (f.location) xml += `${attr('file', f.location.path)}${attr('line', f.location.startLine)}`;
  xml += '>\n';
  if (f.suppression) {
    xml += `      <skipped${attr('message', `suppressed (${f.suppression.kind}): ${f.suppression.reason}`)}/>\n`;
  } else {
    xml += `      <failure${attr('type', f.severity)}${attr('message', `[${f.severity}] ${f.title}`)}>${xmlEscape(findingBody(f))}</failure>\n`;
  }
  xml += '    </testcase>\n';
  return { xml, failure: !f.suppression, error: false, skipped: !!f.suppression };
}

function errorCase(report: Report, index: number): Case {
  const e = report.errors[index]!;
  const where = e.path ? `${e.path}${e.line ? `:${e.line}` : ''}` : `error ${index + 1}`;
  const name = `${e.kind === 'skipped' ? 'skipped' : 'could not scan'}: ${where}`;
  let xml = `    <testcase${attr('classname', `devsecflow.${report.stage}.scan`)}${attr('name', name)}>\n`;
  if (e.kind === 'skipped') xml += `      <skipped${attr('message', e.message)}/>\n`;
  else xml += `      <error${attr('type', 'scan-error')}${attr('message', e.message)}/>\n`;
  xml += '    </testcase>\n';
  return { xml, failure: false, error: e.kind !== 'skipped', skipped: e.kind === 'skipped' };
}

function gateCase(report: Report): Case | undefined {
  if (!report.gate) return undefined;
  let xml = `    <testcase${attr('classname', `devsecflow.${report.stage}`)}${attr('name', 'gate')}>\n`;
  if (!report.gate.passed) {
    const body = report.gate.violations.map((v) => `${v.rule}: ${v.message}`).join('\n');
    xml += `      <failure${attr('type', 'gate')}${attr('message', `gate failed: ${report.gate.violations.length} violation(s)`)}>${xmlEscape(body)}</failure>\n`;
  }
  xml += '    </testcase>\n';
  return { xml, failure: !report.gate.passed, error: false, skipped: false };
}

/**
 * JUnit XML for any CI's test view: one testsuite per stage report, one testcase per finding
 * (a failure typed with its severity; suppressed findings are skipped), one per scan error, and a
 * `gate` testcase carrying the verdict. A report with nothing to say still has one passing case.
 */
export function toJunit(reports: readonly Report[]): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let time = 0;
  for (const report of reports) {
    const cases: Case[] = [...report.findings].sort(compareFindings).map(findingCase);
    report.errors.forEach((_, i) => {
      cases.push(errorCase(report, i));
    });
    const gate = gateCase(report);
    if (gate) cases.push(gate);
    if (cases.length === 0) {
      cases.push({
        xml: `    <testcase${attr('classname', `devsecflow.${report.stage}`)}${attr('name', 'no findings')}/>\n`,
        failure: false,
        error: false,
        skipped: false,
      });
    }
    const f = cases.filter((c) => c.failure).length;
    const e = cases.filter((c) => c.error).length;
    const s = cases.filter((c) => c.skipped).length;
    const t = seconds(report);
    tests += cases.length;
    failures += f;
    errors += e;
    skipped += s;
    time += Number(t);
    suites.push(
      `  <testsuite${attr('name', `devsecflow ${report.stage}`)}${attr('tests', cases.length)}${attr('failures', f)}${attr('errors', e)}${attr('skipped', s)}${attr('time', t)}${attr('timestamp', report.startedAt.replace(/(\.\d+)?Z$/, ''))}>\n` +
        `    <properties>\n` +
        `      <property${attr('name', 'tool')}${attr('value', `${report.tool.name} ${report.tool.version}`)}/>\n` +
        `      <property${attr('name', 'status')}${attr('value', report.status)}/>\n` +
        `    </properties>\n` +
        cases.map((c) => c.xml).join('') +
        '  </testsuite>\n',
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attr('name', 'devsecflow')}${attr('tests', tests)}${attr('failures', failures)}${attr('errors', errors)}${attr('skipped', skipped)}${attr('time', time.toFixed(3))}>\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}
