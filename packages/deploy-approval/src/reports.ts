import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import {
  ConfigError,
  InputError,
  normalisePath,
  parseJson,
  type Report,
  ReportSchema,
} from '@devsecflow/core';
import { glob } from 'tinyglobby';
import { sha256 } from './evidence.js';

/** A stage report read from disk, with the digest of its bytes. */
export interface LoadedReport {
  path: string;
  digest: string;
  report: Report;
}

const IGNORED_DIRS = ['**/node_modules/**', '**/.git/**'];

/** Reads one report file; anything that is not a v1 report is an InputError naming the file. */
export async function readReport(root: string, path: string): Promise<LoadedReport> {
  const abs = join(root, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (e) {
    throw new InputError(`cannot read the stage report: ${(e as Error).message}`, { file: path });
  }
  const data = parseJson(bytes.toString('utf8'), path, 'stage report JSON');
  const parsed = ReportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new InputError(`not a DevSecFlow v1 stage report${at}: ${issue.message}`, { file: path });
  }
  return { path, digest: sha256(bytes), report: parsed.data };
}

/**
 * Expands the report globs relative to the root and reads every match, sorted by path. Returns the
 * patterns that matched nothing so the caller can say so.
 */
export async function loadReports(
  root: string,
  patterns: string[],
  locate: (key: (string | number)[]) => { file: string; line?: number } | undefined,
): Promise<{ reports: LoadedReport[]; unmatched: string[] }> {
  const paths = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const p = pattern.replace(/\\/g, '/');
    if (isAbsolute(p) || p.split('/').includes('..')) {
      throw new ConfigError(
        `reports: "${pattern}" must be a path relative to the root, inside it`,
        locate(['stages', 'deploy-approval', 'reports']),
      );
    }
    const matches = await glob(p, { cwd: root, onlyFiles: true, dot: true, ignore: IGNORED_DIRS });
    if (matches.length === 0) unmatched.push(pattern);
    for (const m of matches) paths.add(normalisePath(m));
  }
  const reports: LoadedReport[] = [];
  for (const path of [...paths].sort()) reports.push(await readReport(root, path));
  return { reports, unmatched };
}
