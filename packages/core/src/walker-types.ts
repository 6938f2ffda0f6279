/** A deterministic slice of the tree: file i of n, by a stable hash of its path. `index` is 1-based. */
export interface Shard {
  index: number;
  total: number;
}

export interface WalkOptions {
  /** Absolute directory to walk. Nothing outside it is ever yielded, symlinks included. */
  root: string;
  /** Globs (relative to root) to leave out, on top of .gitignore and the defaults. */
  exclude?: string[];
  /** When given, only paths matching one of these globs are yielded. */
  include?: string[];
  /** Files larger than this many bytes are skipped and counted. */
  maxFileSize?: number;
  shard?: Shard;
  /** Honour .gitignore files (root and nested) and .git/info/exclude. Default true. */
  gitignore?: boolean;
  /** Skip files that look binary (NUL byte in the first 8 KiB or a known binary extension). Default true. */
  skipBinary?: boolean;
}

export interface WalkedFile {
  /** Path relative to the root, forward slashes. */
  path: string;
  absolutePath: string;
  size: number;
}

/** Why a file was not scanned. `invalid-utf8` is recorded by stages that read text (see readTextFile). */
export type SkipReason =
  | 'binary'
  | 'too-large'
  | 'unreadable'
  | 'outside-root'
  | 'symlink-loop'
  | 'invalid-utf8';

export interface WalkStats {
  /** Files that passed the path filters (ignore, exclude, include, shard): yielded + skipped by the walker. */
  filesSeen: number;
  filesYielded: number;
  skipped: Record<SkipReason, number>;
  /** Every skip with its reason, for `--verbose` and report errors. */
  skippedFiles: { path: string; reason: SkipReason; detail?: string }[];
}

export function emptyWalkStats(): WalkStats {
  return {
    filesSeen: 0,
    filesYielded: 0,
    skipped: {
      binary: 0,
      'too-large': 0,
      unreadable: 0,
      'outside-root': 0,
      'symlink-loop': 0,
      'invalid-utf8': 0,
    },
    skippedFiles: [],
  };
}
