import { parentPort, workerData } from 'node:worker_threads';
import type { CompiledRule } from './rules.js';
import { type FileInput, type FileResult, type ScanLimits, scanFile } from './scan.js';

/** Worker side of the scan pool: receives batches of files, returns their results in order. */
const { rules, limits, languages } = workerData as {
  rules: CompiledRule[];
  limits: ScanLimits;
  languages?: string[];
};
const langs = languages ? new Set(languages) : undefined;

parentPort?.on('message', async (batch: { id: number; files: FileInput[] }) => {
  const results: FileResult[] = [];
  for (const file of batch.files) results.push(await scanFile(file, rules, limits, langs));
  parentPort?.postMessage({ id: batch.id, results });
});
