import { type Finding, type Report, SEVERITIES, type Severity } from '@devsecflow/core';
import { pathToUri } from './sarif-writer.js';
import { compareFindings, STAGE_TITLES, severityCounts } from './util.js';

export interface MarkdownOptions {
  /** Hard cap on the output length: GitHub comments and job summaries stop at 65,536 characters. */
  maxChars?: number;
  title?: string;
  /** Hidden marker (`<!-- marker -->`) on the first line, so a platform can find and update its comment. */
  marker?: string;
  /**
   * Base URL that `path:line` links are built on, e.g. `https://github.com/o/r/blob/<sha>/`. Without
   * it locations are plain text.
   */
  linkBase?: string;
}

export const DEFAULT_MARKDOWN_MAX_CHARS = 65_536;

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: '🟥 Critical',
  high: '🟧 High',
  medium: '🟨 Medium',
  low: '🟦 Low',
  info: '⬜ Info',
};

const STATUS_LABEL = { ok: '✅ ok', partial: '⚠️ partial', failed: '❌ failed' } as const;

/**
 * Escapes untrusted text (file paths, messages, rule ids) for inline Markdown: no markup, no raw
 * HTML, no @mentions (a zero-width space follows `@`), no line breaks that would end a table row.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~^=:]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b');
}

function locationLink(f: Finding, linkBase: string | undefined): string {
  if (f.location) {
    const text = escapeMarkdown(`${f.location.path}:${f.location.startLine}`);
    if (!linkBase) return text;
    const url = `${linkBase.replace(/\/?$/, '/')}${pathToUri(f.location.path)}#L${f.location.startLine}`;
    return `[${text}](${url.replace(/[()\s]/g, (c) => encodeURIComponent(c))})`;
  }
  if (f.package) return escapeMarkdown(`${f.package.manifest} · ${f.package.name}@${f.package.version}`);
  return '';
}

function findingLine(f: Finding, linkBase: string | undefined): string {
  const parts = [`**${SEVERITY_LABEL[f.severity]}**`, STAGE_TITLES[f.stage]];
  const where = locationLink(f, linkBase);
  if (where) parts.push(where);
  let text = escapeMarkdown(f.title);
  if (f.message && f.message !== f.title) text += ` — ${escapeMarkdown(f.message)}`;
  parts.push(text);
  let line = `- ${parts.join(' · ')} (${escapeMarkdown(f.ruleId)})`;
  if (f.fix) line += `  \n  Fix: ${escapeMarkdown(f.fix.summary)}`;
  return `${line}\n`;
}

function gateSection(reports: readonly Report[]): string {
  const gated = reports.filter((r) => r.gate);
  if (gated.length === 0) return '**Gate:** not evaluated\n\n';
  const violations = gated.flatMap((r) => r.gate!.violations);
  const passed = gated.every((r) => r.gate!.passed);
  let out = passed
    ? '**Gate: ✅ passed**\n\n'
    : `**Gate: ❌ failed** (${violations.length} violation(s))\n\n`;
  const shown = violations.slice(0, 20);
  for (const v of shown) {
    out += `- ${v.stage ? `${STAGE_TITLES[v.stage]}: ` : ''}${escapeMarkdown(v.message)} (${v.rule})\n`;
  }
  if (violations.length > shown.length)
    out += `- … and ${violations.length - shown.length} more violations\n`;
  return shown.length > 0 ? `${out}\n` : out;
}

function summaryTable(reports: readonly Report[]): string {
  let out = `| Stage | Status | ${SEVERITIES.map((s) => SEVERITY_LABEL[s]).join(' | ')} | Suppressed |\n`;
  out += `|---|---|${SEVERITIES.map(() => '--:').join('|')}|--:|\n`;
  for (const r of reports) {
    const c = severityCounts(r.findings);
    out += `| ${STAGE_TITLES[r.stage]} | ${STATUS_LABEL[r.status]} | ${SEVERITIES.map((s) => c[s]).join(' | ')} | ${c.suppressed} |\n`;
  }
  return `${out}\n`;
}

function errorsSection(reports: readonly Report[]): string {
  const errors = reports.flatMap((r) => r.errors.map((e) => ({ stage: r.stage, ...e })));
  if (errors.length === 0) return '';
  let out = `### Not scanned (${errors.length})\n\n`;
  const shown = errors.slice(0, 10);
  for (const e of shown) {
    const where = e.path ? `${escapeMarkdown(`${e.path}${e.line ? `:${e.line}` : ''}`)}: ` : '';
    out += `- ${STAGE_TITLES[e.stage]}: ${where}${escapeMarkdown(e.message)}\n`;
  }
  if (errors.length > shown.length) out += `- … and ${errors.length - shown.length} more\n`;
  return `${out}\n`;
}

/**
 * A Markdown summary for a PR/MR comment or a job summary: the gate verdict with its violations, a
 * table of findings per stage and severity, what could not be scanned, then the findings most severe
 * first until `maxChars` is reached, ending with an honest "… and N more findings not shown" line.
 * Untrusted text is escaped so a finding cannot inject markup, HTML or mentions.
 */
export function toMarkdown(reports: readonly Report[], opts: MarkdownOptions = {}): string {
  const maxChars = opts.maxChars ?? DEFAULT_MARKDOWN_MAX_CHARS;
  let head = opts.marker ? `<!-- ${opts.marker.replace(/--/g, '')} -->\n` : '';
  head += `## ${escapeMarkdown(opts.title ?? 'DevSecFlow report')}\n\n`;
  head += gateSection(reports);
  head += reports.length > 0 ? summaryTable(reports) : '_No stage reports._\n\n';
  head += errorsSection(reports);

  const findings = reports
    .flatMap((r) => r.findings)
    .filter((f) => !f.suppression)
    .sort(compareFindings);
  const heading = findings.length > 0 ? `### Findings (${findings.length}, most severe first)\n\n` : '';
  const footer = (n: number) => `\n_… and ${n} more findings not shown._\n`;
  const reserve = footer(findings.length).length;

  if (head.length + heading.length + reserve > maxChars) {
    // Even the summary does not fit: cut it, and say so.
    const note = `\n\n_… report truncated to ${maxChars} characters; ${findings.length} findings not shown._\n`;
    return head.slice(0, Math.max(0, maxChars - note.length)) + note.slice(0, maxChars);
  }

  let out = head + heading;
  let shown = 0;
  for (const f of findings) {
    const line = findingLine(f, opts.linkBase);
    const remaining = findings.length - shown - 1;
    const needed = out.length + line.length + (remaining > 0 ? reserve : 0);
    if (needed > maxChars) break;
    out += line;
    shown++;
  }
  if (shown < findings.length) out += footer(findings.length - shown);
  return out;
}
