import { isAbsolute, relative } from 'node:path';
import type { AnnotationProperties } from '@actions/core';
import { type Finding, type Report, type Severity, severityRank } from '@devsecflow/core';
import { activeFindings, stageTitle } from './markdown.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  properties: AnnotationProperties;
}

/** GitHub shows at most 10 annotations of each level per step; more are dropped silently. */
export const ANNOTATION_LIMITS: Record<AnnotationLevel, number> = { error: 10, warning: 10, notice: 10 };

export function annotationLevel(s: Severity): AnnotationLevel {
  if (s === 'critical' || s === 'high') return 'error';
  if (s === 'medium') return 'warning';
  return 'notice';
}

/** Path of a report's file relative to the workspace (annotations are placed by repository path). */
function repoPath(report: Report, path: string, workspace: string | undefined): string {
  if (!workspace || !isAbsolute(report.target.root)) return path;
  const prefix = relative(workspace, report.target.root).replace(/\\/g, '/');
  if (!prefix || prefix.startsWith('..')) return path;
  return `${prefix}/${path}`;
}

function toAnnotation(report: Report, f: Finding, workspace: string | undefined): Annotation {
  const props: AnnotationProperties = {
    title: `${stageTitle(report.stage)} ${f.severity}: ${f.title} (${f.ruleId})`.slice(0, 250),
  };
  if (f.location) {
    props.file = repoPath(report, f.location.path, workspace);
    props.startLine = f.location.startLine;
    props.endLine = f.location.endLine ?? f.location.startLine;
    // Columns only mean something on a single line.
    if (props.endLine === props.startLine && f.location.startColumn) {
      props.startColumn = f.location.startColumn;
      if (f.location.endColumn) props.endColumn = f.location.endColumn;
    }
  } else if (f.package) {
    props.file = repoPath(report, f.package.manifest, workspace);
  }
  const fix = f.fix ? `\nFix: ${f.fix.summary}` : '';
  return { level: annotationLevel(f.severity), message: `${f.message || f.title}${fix}`, properties: props };
}

/**
 * The annotations to emit: most severe (and new) findings first, at most `limits` per level.
 * Suppressed findings are never annotated. Returns how many were left out per level.
 */
export function selectAnnotations(
  reports: readonly Report[],
  workspace?: string,
  limits: Record<AnnotationLevel, number> = ANNOTATION_LIMITS,
): { annotations: Annotation[]; omitted: Record<AnnotationLevel, number> } {
  const all = reports.flatMap((r) => activeFindings(r).map((f) => ({ r, f })));
  all.sort(
    (a, b) =>
      Number(a.f.baselineState === 'existing') - Number(b.f.baselineState === 'existing') ||
      severityRank(b.f.severity) - severityRank(a.f.severity),
  );
  const used: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const omitted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const annotations: Annotation[] = [];
  for (const { r, f } of all) {
    const level = annotationLevel(f.severity);
    if (used[level] >= limits[level]) {
      omitted[level]++;
      continue;
    }
    used[level]++;
    annotations.push(toAnnotation(r, f, workspace));
  }
  return { annotations, omitted };
}
