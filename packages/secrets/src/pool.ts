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
  /**
   * Threads that scan, this one included: 1 scans on the calling thread only, n adds n - 1 worker
   * threads. Default: available cores (at most 8).
   */
  threads?: number;
  /** Workers start once this many bytes are queued: below it the scan stays on this thread. */
  parallelThreshold?: number;
  signal?: AbortSignal;
}

export interface ScanFilesResult {
  results: FileResult[];
  stats: SecretScanStats;
  /** Threads actually used: this one plus the workers started. */
  threads: number;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * The parent's node options minus the `@devsecflow/source` resolution condition. The worker is
 * built JavaScript; under the test runner, that condition points workspace packages (core) at their
 * TypeScript sources, which a worker thread cannot load.
 */
export function workerExecArgv(args: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '--conditions' || a === '-C') && args[i + 1] === '@devsecflow/source') i++;
    else if (a !== '--conditions=@devsecflow/source') out.push(a);
  }
  return out;
}

/** Small batches: when the walk ends, the threads' last batches finish close together. */
const BATCH_FILES = 32;
const BATCH_BYTES = 512 * 1024;
/** Batches posted to a worker ahead of its replies, so it never waits for this thread. */
const WORKER_DEPTH = 2;
/** Batches waiting for a worker beyond which this thread scans too, though the walk is not over. */
const BACKLOG = 4;
/** A worker costs 50-70 ms of CPU (start-up, its own JIT warm-up): smaller trees stay on one thread. */
const DEFAULT_PARALLEL_THRESHOLD = 32 * 1024 * 1024;

/** Worker threads need the compiled worker; running from TypeScript sources scans on one thread. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

interface WorkerReply {
  id: number;
  results: FileResult[];
  stats: SecretScanStats;
}

interface Batch {
  id: number;
  jobs: ScanJob[];
}

/**
 * Scans files on this thread and, when there is enough to do, on worker threads too. Jobs may be
 * an async iterable (the walker): scanning starts with the first batch and overlaps the walk, on
 * this thread between the walker's I/O waits, and on workers started once `parallelThreshold`
 * bytes are queued. Results come back in job order whatever thread scanned them.
 */
export async function scanFiles(
  jobs: Iterable<ScanJob> | AsyncIterable<ScanJob>,
  config: ScanConfig = {},
  options: ScanFilesOptions = {},
): Promise<ScanFilesResult> {
  const threads = options.threads ?? defaultThreads();
  const threshold = options.parallelThreshold ?? DEFAULT_PARALLEL_THRESHOLD;
  const canSpawn = threads > 1 && workersAvailable();
  const signal = options.signal;
  // Built on first use: with workers, this thread may only scan the last batches.
  let local: FileScanner | undefined;
  const stats = emptyScanStats();
  const perBatch: FileResult[][] = [];
  const ready: Batch[] = [];
  const workers: { w: Worker; inFlight: number }[] = [];
  let batches = 0;
  let done = 0;
  let failure: unknown;
  let closing = false;
  let walking = true;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const dispatch = () => {
    for (const slot of workers) {
      while (slot.inFlight < WORKER_DEPTH && ready.length > 0) {
        slot.inFlight++;
        slot.w.postMessage(ready.shift());
      }
    }
  };
  const scanHere = (batch: Batch) => {
    local ??= new FileScanner(new Scanner(config.scanner), config.files);
    const results: FileResult[] = [];
    for (const job of batch.jobs) {
      results.push({ path: job.path, outcome: local.scanFile(job.absolutePath, job.path, stats, job.size) });
    }
    perBatch[batch.id] = results;
    done++;
  };
  // This thread scans what the workers cannot take, one batch per turn of the event loop, after
  // the I/O callbacks of that turn: the walker's file system calls stay in flight meanwhile.
  let idleQueued = false;
  const idleScan = () => {
    idleQueued = false;
    if (closing) return;
    const batch = ready.shift();
    try {
      if (batch) scanHere(batch);
    } catch (e) {
      // Outside the async function here: hand the error to it rather than crash the process.
      failure ??= e;
    }
    if (shouldScanHere()) scheduleIdle();
    wakeUp();
  };
  // With workers, this thread mostly walks: the walk waits on file system calls one directory
  // after another, and scanning here holds up each next step. It scans when the walk is over, and
  // during the walk only when the workers fall behind (starting up, or a busy machine).
  const shouldScanHere = () => ready.length > (workers.length === 0 || !walking ? 0 : BACKLOG);
  const scheduleIdle = () => {
    if (idleQueued) return;
    idleQueued = true;
    setImmediate(idleScan);
  };
  const spawn = () => {
    for (let i = 1; i < threads; i++) {
      const slot = {
        w: new Worker(WORKER_URL, { workerData: config, execArgv: workerExecArgv() }),
        inFlight: 0,
      };
      workers.push(slot);
      slot.w.on('message', (m: WorkerReply) => {
        perBatch[m.id] = m.results;
        addScanStats(stats, m.stats);
        done++;
        slot.inFlight--;
        dispatch();
        wakeUp();
      });
      slot.w.on('error', (e) => {
        failure ??= e;
        wakeUp();
      });
      slot.w.on('exit', (code) => {
        if (!closing) failure ??= new Error(`secret scan worker exited with code ${code}`);
        wakeUp();
      });
    }
  };
  const check = () => {
    signal?.throwIfAborted();
    if (failure !== undefined) throw failure;
  };

  let cur: ScanJob[] = [];
  let curBytes = 0;
  let queued = 0;
  const flush = () => {
    if (cur.length === 0) return;
    ready.push({ id: batches++, jobs: cur });
    cur = [];
    curBytes = 0;
    if (workers.length === 0 && canSpawn && queued >= threshold) spawn();
    dispatch();
    if (shouldScanHere()) scheduleIdle();
  };

  signal?.addEventListener('abort', wakeUp);
  try {
    for await (const job of jobs) {
      check();
      cur.push(job);
      curBytes += job.size ?? 0;
      queued += job.size ?? 0;
      if (cur.length >= BATCH_FILES || curBytes >= BATCH_BYTES) flush();
    }
    walking = false;
    flush();
    if (shouldScanHere()) scheduleIdle();
    // The walk is over: wait for the last batches, here and on the workers.
    while (done < batches) {
      check();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    check();
  } finally {
    closing = true;
    signal?.removeEventListener('abort', wakeUp);
    await Promise.all(workers.map((s) => s.w.terminate()));
  }
  return { results: perBatch.flat(), stats, threads: 1 + workers.length };
}
