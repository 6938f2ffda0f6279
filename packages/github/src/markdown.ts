import { compareSeverity, type Finding, type Report } from '@devsecflow/core';

/*
 * Helpers over reports shared by annotations and publishing. The Markdown itself (job summary, PR
 * comment, check run) is @devsecflow/formats' toMarkdown, the same text GitLab's MR note shows.
 */

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
