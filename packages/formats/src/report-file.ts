import {
  InputError,
  lineColumnOf,
  parseJson,
  type Report,
  ReportSchema,
  type StageId,
} from '@devsecflow/core';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { fromSarif } from './sarif-reader.js';

export interface ReadReportsOptions {
  /** The file name used in errors. */
  file: string;
  /** For SARIF input: the stage its findings belong to. */
  stage?: StageId;
  /** For SARIF input: the target root file URIs are made relative to. */
  root?: string;
}

/**
 * Reads a saved DevSecFlow report file: one Report, an array of Reports, or a SARIF 2.1.0 log (any
 * tool's, detected by its `runs` array), so `convert`, `merge` and `gate` take either. A report that
 * does not match the v1 schema fails with an InputError pointing at the line and column of the first
 * wrong field.
 */
export function readReports(text: string, opts: ReadReportsOptions): Report[] {
  const value = parseJson(text, opts.file);
  if (value && typeof value === 'object' && !Array.isArray(value) && 'runs' in value) {
    return fromSarif(value, opts);
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    const parsed = ReportSchema.safeParse(item);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const path = [...(Array.isArray(value) ? [i] : []), ...issue.path].filter(
      (p): p is string | number => typeof p === 'string' || typeof p === 'number',
    );
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const node = path.length > 0 ? findNodeAtLocation(parseTree(body)!, path) : undefined;
    const where = node ? lineColumnOf(body, node.offset) : { line: 1, column: 1 };
    const key = path.length > 0 ? `${path.join('.')}: ` : '';
    throw new InputError(
      `${key}${issue.message} (expected a DevSecFlow report, schema v1, or a SARIF 2.1.0 log)`,
      { file: opts.file, ...where },
    );
  });
}
