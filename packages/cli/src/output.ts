import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GateResult, type Report, UserError } from '@devsecflow/core';
import {
  appliesTo,
  defaultFileName,
  FORMAT_IDS,
  type FormatId,
  isFormatId,
  type RenderOptions,
  render,
} from '@devsecflow/formats';

/** Format ids the CLI accepts for --format, from the formats registry. */
export function formatIds(): string[] {
  return [...FORMAT_IDS];
}

export function assertFormats(ids: string[]): FormatId[] {
  return ids.map((id) => {
    if (!isFormatId(id)) {
      throw new UserError(`--format: unknown format '${id}' (expected one of: ${FORMAT_IDS.join(', ')})`);
    }
    return id;
  });
}

/**
 * Writes the JSON report of every stage, plus the requested formats, into `dir`. Returns the
 * written paths: `json:<stage>` per stage, and the format id for the others. Formats for one stage
 * (GitLab's security reports) are written only when that stage ran.
 */
export async function writeOutputs(
  reports: Report[],
  _gate: GateResult,
  dir: string,
  formats: string[],
  renderOptions: RenderOptions = {},
): Promise<Record<string, string>> {
  const ids = assertFormats(formats);
  const files: Record<string, string> = {};
  await mkdir(dir, { recursive: true });
  for (const r of reports) {
    const path = join(dir, defaultFileName('json', [r]));
    await writeFile(path, render('json', [r]));
    files[`json:${r.stage}`] = path;
  }
  for (const id of new Set(ids)) {
    if (id === 'json' || !appliesTo(id, reports)) continue;
    const path = join(dir, defaultFileName(id, reports));
    await writeFile(path, render(id, reports, renderOptions));
    files[id] = path;
  }
  return files;
}
