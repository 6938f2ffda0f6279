import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { createPathFilter, MINIFIED_AVERAGE_LINE, type PathFilterOptions } from './allowlist.js';
import type { Scanner, SecretMatch } from './scanner.js';

/** Counters every scan reports. All are numbers so they go straight into report stats. */
export interface SecretScanStats {
  filesScanned: number;
  bytesScanned: number;
  skippedLockfile: number;
  skippedMinified: number;
  skippedAllowlistedPath: number;
  skippedBinary: number;
  skippedTooLarge: number;
  skippedUnreadable: number;
  /** Lines longer than maxLineLength, left out of the scan (the rest of the file is scanned). */
  linesSkippedTooLong: number;
  /** Files that are not valid UTF-8; they are scanned as Latin-1 so ASCII tokens are still found. */
  filesInvalidUtf8: number;
  candidatesRejected: number;
  rulesRun: number;
}

export function emptyScanStats(): SecretScanStats {
  return {
    filesScanned: 0,
    bytesScanned: 0,
    skippedLockfile: 0,
    skippedMinified: 0,
    skippedAllowlistedPath: 0,
    skippedBinary: 0,
    skippedTooLarge: 0,
    skippedUnreadable: 0,
    linesSkippedTooLong: 0,
    filesInvalidUtf8: 0,
    candidatesRejected: 0,
    rulesRun: 0,
  };
}

export function addScanStats(into: SecretScanStats, from: SecretScanStats): void {
  for (const k of Object.keys(into) as (keyof SecretScanStats)[]) into[k] += from[k];
}

export interface FileScanOptions extends PathFilterOptions {
  /** Lines longer than this are skipped (minified code, embedded blobs). Default 20,000. */
  maxLineLength?: number;
  /** Files larger than this are skipped. Default 5 MiB. */
  maxFileSize?: number;
  /**
   * Extensions (lower case, no dot) skipped as binary without reading: the stage passes core's list
   * and asks the walker not to sniff, so each file is opened once, by the scanner.
   */
  binaryExtensions?: readonly string[];
}

export const DEFAULT_MAX_LINE_LENGTH = 20_000;
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export type FileOutcome =
  | { kind: 'scanned'; matches: SecretMatch[] }
  | { kind: 'skipped'; reason: 'lockfile' | 'minified' | 'allowlisted' | 'binary' | 'too-large' }
  | { kind: 'error'; message: string };

/** Files that are minified when their lines are long; elsewhere long lines are skipped one by one. */
const BUNDLE_EXT = /\.(?:[cm]?js|css|html?|svg|json)$/i;

/** Bytes to text: UTF-8 (BOM dropped), or Latin-1 when the bytes are not valid UTF-8. */
export function decodeText(buf: Uint8Array, stats: SecretScanStats): string {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // ASCII (most source code) decodes fastest as Latin-1, which is identical for ASCII bytes.
  if (isAscii(b)) return b.toString('latin1');
  if (!isUtf8(b)) {
    stats.filesInvalidUtf8++;
    return b.toString('latin1');
  }
  const text = b.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A NUL byte in the first 8,000 bytes, as git decides (indexOf is a native memchr). */
function looksBinary(buf: Uint8Array): boolean {
  return buf.subarray(0, 8000).indexOf(0) !== -1;
}

/**
 * Blanks lines longer than `max` (keeping the line count, so line numbers stay right) and says
 * whether the text looks minified (long average line).
 */
export function prepareText(
  text: string,
  max: number,
  stats: SecretScanStats,
): { text: string; minified: boolean } {
  const big = text.length > 4096;
  // No line can be longer than the text: then only the minified check needs lines, and only until
  // there are enough of them for the average to fall under the limit.
  if (text.length <= max) {
    if (!big) return { text, minified: false };
    const enough = text.length / MINIFIED_AVERAGE_LINE;
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0 && lines < enough; i = text.indexOf('\n', i + 1)) lines++;
    return { text, minified: text.length / lines > MINIFIED_AVERAGE_LINE };
  }
  let lines = 0;
  let longest = 0;
  let prev = 0;
  for (let i = text.indexOf('\n'); ; i = text.indexOf('\n', i + 1)) {
    const end = i < 0 ? text.length : i;
    lines++;
    if (end - prev > longest) longest = end - prev;
    if (i < 0) break;
    prev = i + 1;
  }
  const minified = big && text.length / lines > MINIFIED_AVERAGE_LINE;
  if (longest <= max) return { text, minified };
  const parts = text.split('\n');
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.length > max) {
      parts[i] = '';
      stats.linesSkippedTooLong++;
    }
  }
  return { text: parts.join('\n'), minified };
}

/** A path filter plus the options, built once per scan. */
export class FileScanner {
  private readonly skipPath: ReturnType<typeof createPathFilter>;
  private readonly maxLine: number;
  private readonly maxSize: number;
  private readonly includeMinified: boolean;
  private readonly binaryExt: ReadonlySet<string>;

  constructor(
    readonly scanner: Scanner,
    options: FileScanOptions = {},
  ) {
    this.skipPath = createPathFilter(options);
    this.maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.includeMinified = options.includeMinified ?? false;
    this.binaryExt = new Set(options.binaryExtensions ?? []);
  }

  /** Why a path is skipped before reading it, counted into stats; undefined to scan it. */
  skipByPath(path: string, stats: SecretScanStats): FileOutcome | undefined {
    if (this.binaryExt.size > 0) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      const dot = base.lastIndexOf('.');
      if (dot > 0 && this.binaryExt.has(base.slice(dot + 1).toLowerCase())) {
        stats.skippedBinary++;
        return { kind: 'skipped', reason: 'binary' };
      }
    }
    const skip = this.skipPath(path);
    if (!skip) return undefined;
    if (skip === 'lockfile') stats.skippedLockfile++;
    else if (skip === 'minified') stats.skippedMinified++;
    else stats.skippedAllowlistedPath++;
    return { kind: 'skipped', reason: skip };
  }

  /** Scans file content already in memory. */
  scanBuffer(buf: Uint8Array, path: string, stats: SecretScanStats): FileOutcome {
    const bySkip = this.skipByPath(path, stats);
    if (bySkip) return bySkip;
    if (buf.length > this.maxSize) {
      stats.skippedTooLarge++;
      return { kind: 'skipped', reason: 'too-large' };
    }
    if (looksBinary(buf)) {
      stats.skippedBinary++;
      return { kind: 'skipped', reason: 'binary' };
    }
    return this.scanString(decodeText(buf, stats), path, stats, buf.length);
  }

  /** Scans text (already decoded); `bytes` is what goes into bytesScanned. */
  scanString(raw: string, path: string, stats: SecretScanStats, bytes = raw.length): FileOutcome {
    const { text, minified } = prepareText(raw, this.maxLine, stats);
    if (minified && !this.includeMinified && BUNDLE_EXT.test(path)) {
      stats.skippedMinified++;
      return { kind: 'skipped', reason: 'minified' };
    }
    stats.filesScanned++;
    stats.bytesScanned += bytes;
    return { kind: 'scanned', matches: this.scanner.scanText(text, path, stats) };
  }

  /**
   * Reads and scans one file; `size` (from the walker's stat) saves a read call. Read failures come
   * back as an error outcome, never a throw. Reads are
   * synchronous on purpose: for thousands of small files that is several times faster than
   * promise-based reads, and parallelism comes from the worker pool, not from overlapping I/O.
   */
  scanFile(absolutePath: string, path: string, stats: SecretScanStats, size?: number): FileOutcome {
    const bySkip = this.skipByPath(path, stats);
    if (bySkip) return bySkip;
    let buf: Buffer;
    try {
      buf = this.read(absolutePath, size);
    } catch (e) {
      stats.skippedUnreadable++;
      const code = (e as NodeJS.ErrnoException).code ?? 'read error';
      return { kind: 'error', message: `could not read the file (${code})` };
    }
    // The path was already checked: go straight to the content checks.
    if (buf.length > this.maxSize) {
      stats.skippedTooLarge++;
      return { kind: 'skipped', reason: 'too-large' };
    }
    if (looksBinary(buf)) {
      stats.skippedBinary++;
      return { kind: 'skipped', reason: 'binary' };
    }
    return this.scanString(decodeText(buf, stats), path, stats, buf.length);
  }

  private shared = Buffer.allocUnsafe(1 << 20);

  /**
   * Reads a file into one reused buffer (no per-file allocation; the text decoded from it is a
   * copy). Reads at most maxFileSize + 1 bytes: enough to know the file is too large. With the
   * size known, a read that returns it all is the last: a regular file reads short only at its end,
   * and a file that changed since its stat is read on to the end like any other.
   */
  private read(absolutePath: string, size = -1): Buffer {
    const fd = openSync(absolutePath, 'r');
    try {
      let n = 0;
      for (;;) {
        if (n === this.shared.length) {
          if (n > this.maxSize) break;
          const bigger = Buffer.allocUnsafe(Math.min(this.shared.length * 2, this.maxSize + 1 + 65536));
          this.shared.copy(bigger, 0, 0, n);
          this.shared = bigger;
        }
        const want = this.shared.length - n;
        const got = readSync(fd, this.shared, n, want, null);
        if (got === 0) break;
        n += got;
        if (got < want && n >= size && size >= 0) break;
      }
      return this.shared.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
}
