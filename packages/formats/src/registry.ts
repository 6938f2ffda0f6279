import { type Report, type StageId, UserError } from '@devsecflow/core';
import {
  toGitlabCodeQuality,
  toGitlabDependencyScanning,
  toGitlabSast,
  toGitlabSecretDetection,
} from './gitlab.js';
import { toHtml } from './html.js';
import { toJunit } from './junit.js';
import { type MarkdownOptions, toMarkdown } from './markdown.js';
import { mergeByStage } from './sarif-reader.js';
import { type SarifWriteOptions, toSarif } from './sarif-writer.js';

/**
 * Every output format, one place: CLI `--format` values, default file names and docs derive from it.
 * `file` is the default name for a run over several stages; `stageFile` (when set) the name for one
 * stage's report, with `{stage}` replaced. `stage` limits a format to one stage's reports.
 */
export const FORMATS = [
  {
    id: 'json',
    title: 'DevSecFlow report JSON (report-v1 schema)',
    file: 'devsecflow-report.json',
    stageFile: 'devsecflow-{stage}.json',
    mediaType: 'application/json',
  },
  {
    id: 'sarif',
    title: 'SARIF 2.1.0 (GitHub code scanning and any SARIF viewer)',
    file: 'devsecflow.sarif',
    stageFile: 'devsecflow-{stage}.sarif',
    mediaType: 'application/sarif+json',
  },
  {
    id: 'gitlab-sast',
    title: 'GitLab SAST report (schema 15.2.4)',
    file: 'gl-sast-report.json',
    stage: 'sast',
    mediaType: 'application/json',
  },
  {
    id: 'gitlab-dependency-scanning',
    title: 'GitLab dependency scanning report (schema 15.2.4)',
    file: 'gl-dependency-scanning-report.json',
    stage: 'deps',
    mediaType: 'application/json',
  },
  {
    id: 'gitlab-secret-detection',
    title: 'GitLab secret detection report (schema 15.2.4)',
    file: 'gl-secret-detection-report.json',
    stage: 'secrets',
    mediaType: 'application/json',
  },
  {
    id: 'gitlab-code-quality',
    title: 'GitLab Code Quality report (all stages; MR widget on every tier)',
    file: 'gl-code-quality-report.json',
    mediaType: 'application/json',
  },
  {
    id: 'junit',
    title: 'JUnit XML (findings as test failures, for any CI test view)',
    file: 'devsecflow-junit.xml',
    mediaType: 'application/xml',
  },
  {
    id: 'markdown',
    title: 'Markdown summary (PR/MR comment, job summary; capped at 65,536 characters)',
    file: 'devsecflow-summary.md',
    mediaType: 'text/markdown',
  },
  {
    id: 'html',
    title: 'Self-contained HTML report (filters, no network)',
    file: 'devsecflow-report.html',
    mediaType: 'text/html',
  },
] as const satisfies ReadonlyArray<{
  id: string;
  title: string;
  file: string;
  stageFile?: string;
  stage?: StageId;
  mediaType: string;
}>;

export type FormatId = (typeof FORMATS)[number]['id'];
export type FormatInfo = (typeof FORMATS)[number];

export const FORMAT_IDS = FORMATS.map((f) => f.id) as FormatId[];

export function isFormatId(value: unknown): value is FormatId {
  return typeof value === 'string' && (FORMAT_IDS as string[]).includes(value);
}

export function formatInfo(id: FormatId): FormatInfo {
  return FORMATS.find((f) => f.id === id)!;
}

/**
 * Default file name of a format's output for these reports: the per-stage name when there is one
 * report and the format has one, else the combined name.
 */
export function defaultFileName(id: FormatId, reports: readonly Report[] = []): string {
  const info = formatInfo(id);
  const stages = [...new Set(reports.map((r) => r.stage))];
  if ('stageFile' in info && stages.length === 1) return info.stageFile.replace('{stage}', stages[0]!);
  return info.file;
}

export interface RenderOptions {
  markdown?: MarkdownOptions;
  sarif?: SarifWriteOptions;
  html?: { title?: string };
}

/**
 * True when the format has something to render for these reports: GitLab's per-stage reports need a
 * report of their stage (the CLI skips them otherwise instead of writing an empty "successful" scan).
 */
export function appliesTo(id: FormatId, reports: readonly Report[]): boolean {
  const info = formatInfo(id);
  return !('stage' in info) || reports.some((r) => r.stage === info.stage);
}

/**
 * Renders reports in a format, as the text to write to a file. JSON is the report as-is (one object
 * for one report, else an array). GitLab's per-stage formats take the reports of their stage, merged
 * when there are several, and throw a UserError when there is none.
 */
export function render(id: FormatId, reports: readonly Report[], opts: RenderOptions = {}): string {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  switch (id) {
    case 'json':
      return json(reports.length === 1 ? reports[0] : reports);
    case 'sarif':
      return json(toSarif(onePerStage(reports), opts.sarif));
    case 'gitlab-sast':
      return json(toGitlabSast(oneStage(id, 'sast', reports)));
    case 'gitlab-dependency-scanning':
      return json(toGitlabDependencyScanning(oneStage(id, 'deps', reports)));
    case 'gitlab-secret-detection':
      return json(toGitlabSecretDetection(oneStage(id, 'secrets', reports)));
    case 'gitlab-code-quality':
      return json(toGitlabCodeQuality(reports));
    case 'junit':
      return toJunit(reports);
    case 'markdown':
      return toMarkdown(reports, opts.markdown);
    case 'html':
      return toHtml(reports, opts.html);
    default: {
      const never: never = id;
      throw new UserError(`unknown format "${String(never)}" (expected one of: ${FORMAT_IDS.join(', ')})`);
    }
  }
}

/**
 * Reports with one report per stage, shards merged. GitHub rejects an upload with two runs of the
 * same tool and category, and the category is the stage. Stages with one report are kept as they are.
 */
function onePerStage(reports: readonly Report[]): Report[] {
  const count = new Map<StageId, number>();
  for (const r of reports) count.set(r.stage, (count.get(r.stage) ?? 0) + 1);
  if ([...count.values()].every((n) => n === 1)) return [...reports];
  const out: Report[] = [];
  const done = new Set<StageId>();
  for (const r of reports) {
    if (count.get(r.stage) === 1) out.push(r);
    else if (!done.has(r.stage)) {
      done.add(r.stage);
      out.push(...mergeByStage(reports.filter((x) => x.stage === r.stage)));
    }
  }
  return out;
}

function oneStage(id: FormatId, stage: StageId, reports: readonly Report[]): Report {
  const mine = reports.filter((r) => r.stage === stage);
  if (mine.length === 0) {
    throw new UserError(
      `format ${id} needs a ${stage} report, and there is none (stages: ${[...new Set(reports.map((r) => r.stage))].join(', ') || 'none'})`,
    );
  }
  return mergeByStage(mine)[0]!;
}
