import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { EXIT, type Policy, UserError, walkFiles } from '@devsecflow/core';
import { ECOSYSTEMS, LOCKFILE_GLOBS, readLockfiles, toCycloneDx, updateOfflineDb } from '@devsecflow/deps';
import { VERSION } from './version.js';

/** `devsecflow sbom`: a CycloneDX 1.6 SBOM of every lockfile in the tree. Exit 3 if one could not be read. */
export async function writeSbom(
  root: string,
  policy: Policy,
  output: string | undefined,
  stdout: NodeJS.WriteStream,
  stderr: NodeJS.WriteStream,
): Promise<number> {
  const files = walkFiles({
    root,
    include: [...LOCKFILE_GLOBS],
    exclude: policy.exclude,
    // Lockfiles are often larger than source files; the extractors bound what they read.
    maxFileSize: 256 * 1024 * 1024,
  });
  const { results, errors, paths } = await readLockfiles(root, files);
  const bom = toCycloneDx(results, { name: basename(root), toolVersion: VERSION });
  const text = `${JSON.stringify(bom, null, 2)}\n`;
  if (output) {
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, text);
    stderr.write(
      `sbom: ${results.reduce((n, r) => n + r.packages.length, 0)} components from ${paths.length} lockfile(s) in ${output}\n`,
    );
  } else {
    stdout.write(text);
  }
  for (const e of errors) stderr.write(`sbom: ${e.path ? `${e.path}: ` : ''}${e.message}\n`);
  return errors.some((e) => (e.kind ?? 'error') === 'error') ? EXIT.stageIncomplete : EXIT.passed;
}

/** `devsecflow db update`: download OSV per-ecosystem dumps for offline matching. */
export async function updateDb(
  dir: string,
  ecosystems: string[] | undefined,
  stderr: NodeJS.WriteStream,
  baseUrl?: string,
): Promise<number> {
  const known = ECOSYSTEMS as readonly string[];
  for (const e of ecosystems ?? []) {
    if (!known.includes(e))
      throw new UserError(`--ecosystem: unknown ecosystem '${e}' (expected one of: ${known.join(', ')})`);
  }
  const results = await updateOfflineDb({
    dir: resolve(dir),
    ecosystems: ecosystems?.length ? ecosystems : [...known],
    log: (m: string) => stderr.write(`${m}\n`),
    ...(baseUrl ? { baseUrl } : {}),
  });
  for (const r of results) stderr.write(`db: ${r.ecosystem}: ${r.status}${r.error ? ` (${r.error})` : ''}\n`);
  return results.some((r) => r.status === 'failed') ? EXIT.stageIncomplete : EXIT.passed;
}
