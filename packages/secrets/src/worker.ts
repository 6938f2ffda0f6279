// Worker thread entry of the scan pool (pool.ts): scans batches of files and posts results back.
import { parentPort, workerData } from 'node:worker_threads';
import { emptyScanStats, FileScanner } from './files.js';
import type { FileResult, ScanConfig, ScanJob } from './pool.js';
import { Scanner } from './scanner.js';

const config = workerData as ScanConfig;
const fs = new FileScanner(new Scanner(config.scanner), config.files);

parentPort?.on('message', (m: { id: number; jobs: ScanJob[] }) => {
  const stats = emptyScanStats();
  const results: FileResult[] = [];
  for (const job of m.jobs) {
    results.push({ path: job.path, outcome: fs.scanFile(job.absolutePath, job.path, stats, job.size) });
  }
  parentPort?.postMessage({ id: m.id, results, stats });
});
