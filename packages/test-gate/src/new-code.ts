import type { ChangedFile } from '@devsecflow/core';
import type { CoverageData, FileCoverage } from './coverage.js';
import { percent } from './coverage.js';

/** Coverage of the executable lines a change touched. */
export interface NewCodeCoverage {
  /** Changed lines that are executable (the coverage report has them). */
  lines: number;
  covered: number;
  /** Percent, undefined when the change touched no executable line. */
  percent: number | undefined;
  /** Changed files with executable changed lines, least covered first. */
  files: { path: string; lines: number; covered: number; uncovered: number[] }[];
}

function isSuffix(long: string, short: string): boolean {
  return long === short || long.endsWith(`/${short}`);
}

/**
 * Finds the coverage entry of a repository path. Tools write paths relative to different bases
 * (JaCoCo: package path, Go: module path, Cobertura: a source dir), so when there is no exact match
 * the longest entry that is a path-suffix of the other (on a `/` boundary) wins.
 */
export function findFileCoverage(
  coverage: CoverageData,
  path: string,
  index?: Map<string, FileCoverage[]>,
): FileCoverage | undefined {
  const exact = coverage.files.get(path);
  if (exact) return exact;
  const base = path.split('/').pop() ?? path;
  const candidates = index?.get(base) ?? [...coverage.files.values()].filter((f) => f.path.endsWith(base));
  let best: FileCoverage | undefined;
  for (const f of candidates) {
    if (!(isSuffix(path, f.path) || isSuffix(f.path, path))) continue;
    if (!best || f.path.length > best.path.length) best = f;
  }
  return best;
}

/** Index of coverage entries by base name, for matching many paths. */
export function indexByBaseName(coverage: CoverageData): Map<string, FileCoverage[]> {
  const index = new Map<string, FileCoverage[]>();
  for (const f of coverage.files.values()) {
    const base = f.path.split('/').pop() ?? f.path;
    const list = index.get(base) ?? [];
    list.push(f);
    index.set(base, list);
  }
  return index;
}

/**
 * Coverage over the changed lines that are executable: SonarQube's "coverage on new code".
 * A changed line the report does not list (comment, blank, declaration) does not count; a changed
 * file the report does not know at all is not source the tests measure (docs, config) and is left out.
 */
export function newCodeCoverage(coverage: CoverageData, changed: ChangedFile[]): NewCodeCoverage {
  const index = indexByBaseName(coverage);
  const result: NewCodeCoverage = { lines: 0, covered: 0, percent: undefined, files: [] };
  for (const change of changed) {
    const f = findFileCoverage(coverage, change.path, index);
    if (!f?.lines) continue;
    let lines = 0;
    let covered = 0;
    const uncovered: number[] = [];
    const visit = (line: number, hits: number) => {
      lines++;
      if (hits > 0) covered++;
      else uncovered.push(line);
    };
    if (change.lines === 'all') {
      for (const [line, hits] of f.lines) visit(line, hits);
    } else {
      for (const range of change.lines) {
        for (let l = range.start; l <= range.end; l++) {
          const hits = f.lines.get(l);
          if (hits !== undefined) visit(l, hits);
        }
      }
    }
    if (lines === 0) continue;
    uncovered.sort((a, b) => a - b);
    result.files.push({ path: change.path, lines, covered, uncovered });
    result.lines += lines;
    result.covered += covered;
  }
  result.files.sort((a, b) => a.covered / a.lines - b.covered / b.lines || a.path.localeCompare(b.path));
  result.percent = percent(result.covered, result.lines);
  return result;
}

/** Compresses sorted line numbers into ranges for messages: [3,4,5,9] -> "3-5, 9". */
export function formatLineRanges(lines: number[], max = 10): string {
  const parts: string[] = [];
  let i = 0;
  while (i < lines.length && parts.length < max) {
    const start = lines[i]!;
    let end = start;
    while (i + 1 < lines.length && lines[i + 1] === end + 1) {
      i++;
      end = lines[i]!;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  if (i < lines.length) parts.push('…');
  return parts.join(', ');
}
