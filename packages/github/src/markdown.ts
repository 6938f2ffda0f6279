import { compareSeverity, type Finding, type Report, SEVERITIES, type Severity } from '@devsecflow/core';

/*
 * Markdown for the job summary and the PR comment. Everything a scanned repository controls
 * (messages, paths, rule ids) is escaped so it cannot break the table or inject HTML.
 */

/** Escapes text for a Markdown table cell. */
export function cell(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/([\\`*_[\]#])/g, (m) => (m === '\\' ? '\\\\' : `\\${m}`))
    .replace(/@/g, '@\u200b'); // no accidental @mentions from tool output
}

const ICON: Record<Severity, string> = {
  critical: '🟥',
  high: '🟧',
  medium: '🟨',
  low: '🟦',
  info: '⬜',
};

export const STAGE_TITLE: Record<string, string> = {
  sast: 'SAST',
  deps: 'Dependency scan',
  secrets: 'Secret detection',
  'test-gate': 'Test gate',
  'deploy-approval': 'Deploy approval',
};

export function stageTitle(stage: string): string {
  return STAGE_TITLE[stage] ?? stage;
}

/** Findings that count (not suppressed), new before existing, most severe first, then by place. */
export function activeFindings(report: Report): Finding[] {
  return report.findings
    .filter((f) => !f.suppression)
    .sort(
      (a, b) =>
        Number(a.baselineState === 'existing') - Number(b.baselineState === 'existing') ||
        compareSeverity(a.severity, b.severity) ||
        where(a).localeCompare(where(b)),
    );
}

export function where(f: Finding): string {
  if (f.location) return `${f.location.path}:${f.location.startLine}`;
  if (f.package) return `${f.package.manifest} (${f.package.name}@${f.package.version})`;
  return '';
}

export function gatePassed(reports: readonly Report[]): boolean {
  return reports.every((r) => r.gate?.passed !== false);
}

function counts(report: Report): Record<Severity, number> & { suppressed: number; new: number } {
  const c = { critical: 0, high: 0, medium: 0, low: 0, info: 0, suppressed: 0, new: 0 };
  for (const f of report.findings) {
    if (f.suppression) c.suppressed++;
    else {
      c[f.severity]++;
      if (f.baselineState === 'new') c.new++;
    }
  }
  return c;
}

export interface MarkdownOptions {
  /** Maximum characters (comment) or bytes (summary) of the whole text. */
  budget: number;
  /** Measures text against the budget: characters for comments, UTF-8 bytes for the summary. */
  measure?: (s: string) => number;
  /** Heading level of the title. */
  heading?: string;
  /** Prepended verbatim (the hidden comment marker). */
  prefix?: string;
  /** Link to the workflow run, for "see the full report". */
  runUrl?: string;
  /** Report files written by the run, listed at the end. */
  files?: Record<string, string>;
}

/**
 * Renders reports: verdict, a table per stage and severity, then the findings of each stage
 * (most severe first) until the budget is spent, saying how many were left out and where the full
 * report is.
 */
export function renderReports(reports: readonly Report[], opts: MarkdownOptions): string {
  const measure = opts.measure ?? ((s: string) => s.length);
  const passed = gatePassed(reports);
  const h = opts.heading ?? '##';
  const head: string[] = [];
  if (opts.prefix) head.push(opts.prefix);
  head.push(`${h} DevSecFlow: ${passed ? '✅ gate passed' : '❌ gate failed'}`, '');
  head.push(
    `| Stage | Status | Gate | ${SEVERITIES.map((s) => `${ICON[s]} ${s}`).join(' | ')} | New | Suppressed |`,
  );
  head.push(`|---|---|---|${SEVERITIES.map(() => '--:').join('|')}|--:|--:|`);
  for (const r of reports) {
    const c = counts(r);
    const gate = r.gate ? (r.gate.passed ? 'passed' : '**failed**') : '–';
    head.push(
      `| ${stageTitle(r.stage)} | ${r.status} | ${gate} | ${SEVERITIES.map((s) => c[s]).join(' | ')} | ${c.new} | ${c.suppressed} |`,
    );
  }
  head.push('');
  for (const r of reports) {
    for (const v of r.gate?.violations ?? [])
      head.push(`- ❌ ${stageTitle(r.stage)}: ${cell(v.message, 500)}`);
    for (const e of r.errors) {
      const at = e.path ? ` (${cell(e.path)}${e.line ? `:${e.line}` : ''})` : '';
      head.push(
        `- ⚠️ ${stageTitle(r.stage)} ${e.kind === 'skipped' ? 'skipped' : 'could not scan'}${at}: ${cell(e.message, 500)}`,
      );
    }
    if (r.diff && !r.diff.applied && r.diff.reason)
      head.push(`- ℹ️ ${stageTitle(r.stage)}: diff filter off: ${cell(r.diff.reason)}`);
  }
  const tail: string[] = [''];
  if (opts.files && Object.keys(opts.files).length > 0) {
    tail.push(
      `Reports: ${Object.entries(opts.files)
        .map(([k, p]) => `${cell(k)} \`${p.replace(/`/g, "'")}\``)
        .join(', ')}`,
    );
  }
  if (opts.runUrl) tail.push(`[Workflow run](${opts.runUrl})`);

  let out = `${head.join('\n')}\n`;
  const tailText = `${tail.join('\n')}\n`;
  const reserve = 400; // room for the truncation note and the tail
  let omitted = 0;
  // Running size, so a large report is measured once per row rather than once per row squared.
  let size = measure(out);
  const add = (text: string) => {
    out += text;
    size += measure(text);
  };
  const budgetLeft = () => opts.budget - size - measure(tailText) - reserve;
  if (budgetLeft() < 0) {
    // Even the overview does not fit: cut it honestly.
    const note = '\n\n… truncated: the overview exceeds the size limit; see the report files.\n';
    let cut = out;
    while (cut.length > 0 && measure(cut) + measure(note) > opts.budget)
      cut = cut.slice(0, Math.floor(cut.length * 0.9));
    return cut + note;
  }
  for (const r of reports) {
    const findings = activeFindings(r);
    if (findings.length === 0) continue;
    const section = [
      '',
      `<details${reports.length === 1 ? ' open' : ''}><summary>${stageTitle(r.stage)}: ${findings.length} finding${findings.length === 1 ? '' : 's'}</summary>`,
      '',
      '| Severity | Rule | Location | Message |',
      '|---|---|---|---|',
    ].join('\n');
    if (budgetLeft() < measure(section) + 200) {
      omitted += findings.length;
      continue;
    }
    add(`${section}\n`);
    let shown = 0;
    for (const f of findings) {
      const row = `| ${ICON[f.severity]} ${f.severity}${f.baselineState === 'new' ? ' (new)' : ''} | ${cell(f.ruleId, 100)} | ${cell(where(f), 200)} | ${cell(`${f.title}${f.message && f.message !== f.title ? `: ${f.message}` : ''}`)} |\n`;
      if (budgetLeft() < measure(row) + 40) break;
      add(row);
      shown++;
    }
    add('\n</details>\n');
    omitted += findings.length - shown;
  }
  if (omitted > 0) {
    out += `\n… ${omitted} more finding${omitted === 1 ? '' : 's'} not shown here (size limit); the report files have all of them.\n`;
  }
  return out + tailText;
}
