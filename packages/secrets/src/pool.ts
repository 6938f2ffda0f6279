import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  addScanStats,
  emptyScanStats,
  type FileOutcome,
  FileScanner,
  type FileScanOptions,
  type SecretScanStats,
} from './files.js';
import { Scanner, type ScannerOptions } from './scanner.js';

/** A file to scan: path relative to the root (forward slashes) and where to read it. */
export interface ScanJob {
  path: string;
  absolutePath: string;
  size?: number;
}

export interface FileResult {
  path: string;
  outcome: FileOutcome;
}

/** Everything a scan needs, as plain data so it can cross into a worker thread. */
export interface ScanConfig {
  scanner?: ScannerOptions;
  files?: FileScanOptions;
}

export interface ScanFilesOptions {
  /** Worker threads; 1 scans on the calling thread. Default: available cores (at most 8). */
  threads?: number;
  /** Below this many bytes in total the scan stays on one thread (workers cost ~30 ms to start). */
  parallelThreshold?: number;
  signal?: AbortSignal;
}

export interface ScanFilesResult {
  results: FileResult[];
  stats: SecretScanStats;
  /** Threads actually used. */
  threads: number;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);
const BATCH_FILES = 64;
const BATCH_BYTES = 4 * 1024 * 1024;

/** Worker threads need the compiled worker; running from TypeScript sources scans on one thread. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

async function scanInline(
  jobs: ScanJob[],
  config: ScanConfig,
  signal?: AbortSignal,
): Promise<ScanFilesResult> {
  const fs = new FileScanner(new Scanner(config.scanner), config.files);
  const stats = emptyScanStats();
  const results: FileResult[] = [];
  for (const job of jobs) {
    signal?.throwIfAborted();
    results.push({ path: job.path, outcome: fs.scanFile(job.absolutePath, job.path, stats) });
  }
  return { results, stats, threads: 1 };
}

function batches(jobs: ScanJob[]): ScanJob[][] {
  const out: ScanJob[][] = [];
  let cur: ScanJob[] = [];
  let bytes = 0;
  for (const j of jobs) {
    cur.push(j);
    bytes += j.size ?? 0;
    if (cur.length >= BATCH_FILES || bytes >= BATCH_BYTES) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

interface WorkerReply {
  id: number;
  results: FileResult[];
  stats: SecretScanStats;
}

/**
 * Scans files on a pool of worker threads when there is enough to do, else on this thread.
 * Results come back in job order whatever thread scanned them.
 */
export async function scanFiles(
  jobs: ScanJob[],
  config: ScanConfig = {},
  options: ScanFilesOptions = {},
): Promise<ScanFilesResult> {
  const threads = options.threads ?? defaultThreads();
  const total = jobs.reduce((n, j) => n + (j.size ?? 0), 0);
  const threshold = options.parallelThreshold ?? 8 * 1024 * 1024;
  if (threads <= 1 || total < threshold || jobs.length < 2 || !workersAvailable()) {
    return scanInline(jobs, config, options.signal);
  }
  const queue = batches(jobs);
  const perBatch: FileResult[][] = new Array(queue.length);
  const stats = emptyScanStats();
  const n = Math.min(threads, queue.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: n }, () => {
        const w = new Worker(WORKER_URL, { workerData: config });
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const feed = () => {
            if (options.signal?.aborted) return reject(options.signal.reason);
            if (next >= queue.length) return resolve();
            const id = next++;
            w.postMessage({ id, jobs: queue[id] });
          };
          w.on('message', (m: WorkerReply) => {
            perBatch[m.id] = m.results;
            addScanStats(stats, m.stats);
            feed();
          });
          w.on('error', reject);
          w.on('exit', (code) => {
            if (code !== 0) reject(new Error(`secret scan worker exited with code ${code}`));
          });
          feed();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { results: perBatch.flat(), stats, threads: n };
}
