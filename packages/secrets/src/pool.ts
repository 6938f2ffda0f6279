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

interface WorkerReply {
  id: number;
  results: FileResult[];
  stats: SecretScanStats;
}

async function* toAsync(jobs: Iterable<ScanJob> | AsyncIterable<ScanJob>): AsyncGenerator<ScanJob> {
  yield* jobs;
}

/**
 * Scans files on a pool of worker threads when there is enough to do, else on this thread. Jobs
 * may be an async iterable (the walker): the pool starts as soon as the first `parallelThreshold`
 * bytes are queued and keeps scanning while the walk goes on. Results come back in job order
 * whatever thread scanned them.
 */
export async function scanFiles(
  jobs: Iterable<ScanJob> | AsyncIterable<ScanJob>,
  config: ScanConfig = {},
  options: ScanFilesOptions = {},
): Promise<ScanFilesResult> {
  const threads = options.threads ?? defaultThreads();
  const threshold = options.parallelThreshold ?? 8 * 1024 * 1024;
  const parallel = threads > 1 && workersAvailable();
  const it = toAsync(jobs);
  const pending: ScanJob[] = [];
  let queued = 0;
  // Manual next() rather than for-await: breaking out of for-await would close the walker.
  for (let r = await it.next(); !r.done; r = await it.next()) {
    options.signal?.throwIfAborted();
    pending.push(r.value);
    queued += r.value.size ?? 0;
    if (parallel && queued >= threshold && pending.length > 1) break;
  }
  if (!parallel || queued < threshold || pending.length < 2)
    return scanInline(pending, config, options.signal);
  return scanPooled(pending, it, config, threads, options.signal);
}

async function scanPooled(
  first: ScanJob[],
  rest: AsyncIterator<ScanJob>,
  config: ScanConfig,
  threads: number,
  signal?: AbortSignal,
): Promise<ScanFilesResult> {
  const stats = emptyScanStats();
  const perBatch: FileResult[][] = [];
  const ready: { id: number; jobs: ScanJob[] }[] = [];
  const idle: Worker[] = [];
  const workers: Worker[] = [];
  let batches = 0;
  let done = 0;
  let walking = true;
  let fail: ((e: unknown) => void) | undefined;
  let finish: (() => void) | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // Observed here so a worker failure during the walk is not an unhandled rejection; awaited below.
  finished.catch(() => {});
  const pump = () => {
    while (idle.length && ready.length) idle.pop()!.postMessage(ready.shift());
    if (!walking && done === batches) finish?.();
  };
  for (let i = 0; i < threads; i++) {
    const w = new Worker(WORKER_URL, { workerData: config });
    workers.push(w);
    idle.push(w);
    w.on('message', (m: WorkerReply) => {
      perBatch[m.id] = m.results;
      addScanStats(stats, m.stats);
      done++;
      idle.push(w);
      pump();
    });
    w.on('error', (e) => fail?.(e));
    w.on('exit', (code) => {
      if (code !== 0) fail?.(new Error(`secret scan worker exited with code ${code}`));
    });
  }
  let cur: ScanJob[] = [];
  let bytes = 0;
  const add = (job: ScanJob) => {
    cur.push(job);
    bytes += job.size ?? 0;
    if (cur.length >= BATCH_FILES || bytes >= BATCH_BYTES) flush();
  };
  const flush = () => {
    if (cur.length === 0) return;
    ready.push({ id: batches++, jobs: cur });
    cur = [];
    bytes = 0;
    pump();
  };
  try {
    for (const job of first) add(job);
    for (let r = await rest.next(); !r.done; r = await rest.next()) {
      signal?.throwIfAborted();
      add(r.value);
    }
    flush();
    walking = false;
    pump();
    await finished;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { results: perBatch.flat(), stats, threads: workers.length };
}
