import { compareSeverity, type Finding, type Report, SEVERITIES, STAGE_TITLES } from '@devsecflow/core';

export { STAGE_TITLES } from '@devsecflow/core';

/** Rows listed in a note before "and N more": keeps notes readable and far below GitLab's 1 MB. */
export const NOTE_MAX_ROWS = 50;

/**
 * The hidden marker that identifies the note of one stage (and, when one pipeline runs the same
 * stage for several teams, of one key): `<!-- devsecflow:sast -->`, `<!-- devsecflow:sast:team-a -->`.
 */
export function noteMarker(stage: string, key?: string): string {
  // "--" cannot appear inside an HTML comment: one dash at most between words.
  const safeKey = key?.replace(/[^A-Za-z0-9_.]+/g, '-').replace(/^-+|-+$/g, '');
  return `<!-- devsecflow:${stage}${safeKey ? `:${safeKey}` : ''} -->`;
}

/** True when `body` is our note for this marker (the marker opens the note; quotes do not count). */
export function isOurNote(body: string | undefined, marker: string): boolean {
  return typeof body === 'string' && body.startsWith(`${marker}\n`);
}

/** Text from a report (tool output, package names) made inert inside a Markdown table cell. */
export function cell(text: string, max = 120): string {
  let t = text.replace(/\s+/g, ' ').trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  // Markdown first (it adds backslashes), then HTML, then the pipe that would end the cell.
  return t
    .replace(/([\\`*_[\]#!@~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

function codeCell(text: string): string {
  // A code span cannot hold a backtick or a pipe safely: drop the first, escape the second.
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160)}\``;
}

function where(f: Finding): string {
  if (f.location) return codeCell(`${f.location.path}:${f.location.startLine}`);
  if (f.package) return codeCell(`${f.package.name}@${f.package.version}`);
  return '';
}

function countBySeverity(findings: readonly Finding[]): string {
  const parts: string[] = [];
  for (const s of SEVERITIES) {
    const n = findings.filter((f) => f.severity === s).length;
    if (n > 0) parts.push(`${n} ${s}`);
  }
  return parts.join(', ');
}

export interface NoteContext {
  commit?: string;
  jobUrl?: string;
  jobName?: string;
}

/** Markdown body of the MR note for one stage report, starting with its marker. */
export function renderStageNote(report: Report, marker: string, ctx: NoteContext = {}): string {
  const title = STAGE_TITLES[report.stage] ?? report.stage;
  const active = report.findings.filter((f) => !f.suppression);
  const suppressed = report.findings.length - active.length;
  const passed = report.gate?.passed ?? report.status !== 'failed';
  const icon = !passed ? ':x:' : report.status === 'partial' ? ':warning:' : ':white_check_mark:';
  const verdict = report.gate ? (passed ? 'gate passed' : 'gate failed') : `status ${report.status}`;

  const lines: string[] = [marker, `### ${icon} DevSecFlow ${title}: ${verdict}`, ''];
  const facts: string[] = [];
  facts.push(
    active.length === 0
      ? 'No findings'
      : `**${active.length} finding${active.length === 1 ? '' : 's'}** (${countBySeverity(active)})`,
  );
  const fresh = active.filter((f) => f.baselineState === 'new').length;
  if (active.some((f) => f.baselineState)) facts.push(`${fresh} new`);
  if (suppressed > 0) facts.push(`${suppressed} suppressed`);
  if (report.status === 'partial') facts.push('**partial scan**');
  if (report.diff?.applied) facts.push('changed lines only');
  if (ctx.commit) facts.push(`commit ${ctx.commit.slice(0, 8)}`);
  if (ctx.jobUrl) facts.push(`[job log](${ctx.jobUrl})`);
  lines.push(facts.join(' · '), '');

  if (report.gate && report.gate.violations.length > 0) {
    lines.push('**Gate**', '');
    for (const v of report.gate.violations.slice(0, 10)) lines.push(`- ${cell(v.message, 300)}`);
    if (report.gate.violations.length > 10) lines.push(`- … and ${report.gate.violations.length - 10} more`);
    lines.push('');
  }

  if (active.length > 0) {
    const sorted = [...active].sort((a, b) => compareSeverity(a.severity, b.severity));
    lines.push('| Severity | Finding | Where | Rule |', '|---|---|---|---|');
    for (const f of sorted.slice(0, NOTE_MAX_ROWS)) {
      lines.push(`| ${f.severity} | ${cell(f.title)} | ${where(f)} | ${codeCell(f.ruleId)} |`);
    }
    if (sorted.length > NOTE_MAX_ROWS) {
      lines.push('', `… and ${sorted.length - NOTE_MAX_ROWS} more in the job's report artifacts.`);
    }
    lines.push('');
  }

  if (report.errors.length > 0) {
    lines.push(`<details><summary>${report.errors.length} item(s) could not be scanned</summary>`, '');
    for (const e of report.errors.slice(0, 20)) {
      const at = e.path ? `${codeCell(e.line ? `${e.path}:${e.line}` : e.path)}: ` : '';
      lines.push(`- ${at}${cell(e.message, 300)}`);
    }
    lines.push('', '</details>', '');
  }
  if (report.diff && !report.diff.applied && report.diff.reason) {
    lines.push(`_Diff filter off: ${cell(report.diff.reason, 300)}_`, '');
  }
  lines.push(
    `<sub>${cell(report.tool.name)} ${cell(report.tool.version)}${ctx.jobName ? ` · ${cell(ctx.jobName)}` : ''}</sub>`,
  );
  return `${lines.join('\n')}\n`;
}
