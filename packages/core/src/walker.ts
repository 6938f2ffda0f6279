import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UserError } from './errors.js';
import { globMatcher } from './glob.js';
import {
  emptyWalkStats,
  type Shard,
  type SkipReason,
  type WalkedFile,
  type WalkOptions,
  type WalkStats,
} from './walker-types.js';

/**
 * Globs (relative to the root, picomatch syntax) that are never walked, on top of `exclude` and
 * .gitignore: version-control metadata and installed npm packages. Deliberately short: build output
 * is usually gitignored already, and vendored code someone chose to commit should be scanned.
 */
// `.devsecflow` holds our own reports and caches: scanning them would report findings twice.
export const DEFAULT_EXCLUDES: readonly string[] = [
  '**/.git',
  '**/.hg',
  '**/.svn',
  '**/node_modules',
  '**/.devsecflow',
];

/**
 * Extensions (lower case, no dot) skipped as binary without reading the file. Anything else is
 * binary when its first 8 KiB hold a NUL byte, as git decides.
 */
// biome-ignore format: a word list reads better packed
export const BINARY_EXTENSIONS: ReadonlySet<string> = new Set([
  // images and documents
  'png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'icns', 'webp', 'tif', 'tiff', 'psd', 'pdf', 'heic', 'avif',
  // archives and packages
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'jar', 'war', 'ear', 'whl', 'deb', 'rpm', 'apk',
  'ipa', 'dmg', 'iso', 'nupkg', 'gem',
  // compiled code and native libraries
  'class', 'dll', 'exe', 'so', 'dylib', 'o', 'a', 'obj', 'lib', 'wasm', 'pyc', 'pyo', 'node', 'pdb', 'lockb',
  // fonts and media
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'm4a', 'mov', 'avi', 'mkv', 'wav', 'flac', 'ogg', 'webm',
  // data
  'sqlite', 'sqlite3', 'parquet', 'npy', 'pkl',
]);

const SNIFF_BYTES = 8192;
const ALWAYS_SKIPPED_NAMES = new Set(['.git']);

/** Adds one skip to `stats` (for stages that skip a walked file themselves, e.g. invalid UTF-8). */
export function recordSkip(stats: WalkStats, filePath: string, reason: SkipReason, detail?: string): void {
  stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1;
  stats.skippedFiles.push(
    detail === undefined ? { path: filePath, reason } : { path: filePath, reason, detail },
  );
}

/**
 * The 1-based shard of a root-relative path out of `total`: FNV-1a (32-bit) over the UTF-8 bytes of
 * the path normalised to forward slashes, no leading `./` and Unicode NFC, so every machine and Node
 * version puts a file in the same shard.
 */
export function shardOf(filePath: string, total: number): number {
  if (!Number.isSafeInteger(total) || total < 1)
    throw new RangeError(`shard total must be >= 1, got ${total}`);
  const normalised = filePath
    .replaceAll('\\', '/')
    .replace(/^(\.\/)+/, '')
    .normalize('NFC');
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(normalised, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % total) + 1;
}

/** Parses the CLI's `--shard i/n`; throws a UserError naming the flag and the bad value. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(text);
  const index = match ? Number(match[1]) : Number.NaN;
  const total = match ? Number(match[2]) : Number.NaN;
  if (!match || index < 1 || total < 1 || index > total) {
    throw new UserError(`--shard expects i/n with 1 <= i <= n, got '${text}'`);
  }
  return { index, total };
}

/** One .gitignore (or info/exclude): its rules and its directory relative to the walk root. */
interface IgnoreLayer {
  /** Prefix to strip from a root-relative path ('' at the root, 'a/b/' below it). */
  prefix: string;
  /** Prefix to add for layers above the root (repository ancestors of a sub-directory walk). */
  outerPrefix: string;
  rules: Ignore;
}

interface Frame {
  rel: string;
  entries: Dirent[];
  next: number;
  /** Whether this directory pushed a .gitignore layer that must be popped when it is done. */
  pushedLayer: boolean;
  /** What to do with each entry, decided from its path alone; filled a window ahead of `next`. */
  plans: (Plan | undefined)[];
  /** Files being examined ahead of `next`, so their I/O overlaps (results are used in order). */
  examining: Map<number, Promise<Examined>>;
}

type Plan = { kind: 'none' } | { kind: 'dir'; rel: string } | { kind: 'file'; rel: string; wanted: boolean };

/** Entries examined concurrently per directory: enough to keep libuv's four I/O threads busy. */
const LOOKAHEAD = 16;

interface Walk {
  root: string;
  rootReal: string;
  stats: WalkStats;
  excluded: (p: string) => boolean;
  included: ((p: string) => boolean) | undefined;
  shard: Shard | undefined;
  maxFileSize: number;
  skipBinary: boolean;
  gitignore: boolean;
  layers: IgnoreLayer[];
}

const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sort key that makes a depth-first walk yield paths in plain code-unit order ('a-b' before 'a/x'). */
const sortKey = (d: Dirent): string => (d.isDirectory() ? `${d.name}/` : d.name);

function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const base = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(base);
}

function newRules(text: string): Ignore {
  // Case-sensitive like git on Linux (core.ignorecase=false), so results match the CI runners.
  return ignore({ ignorecase: false }).add(text);
}

async function readIgnoreFile(file: string): Promise<Ignore | undefined> {
  try {
    return newRules(await readFile(file, 'utf8'));
  } catch {
    // A missing or unreadable ignore file just has no rules, as for git.
    return undefined;
  }
}

/**
 * Ignore layers from the repository that contains the root, when the root is a sub-directory of it:
 * .gitignore files of the ancestors and the repository's .git/info/exclude, lowest precedence first.
 */
async function outerLayers(rootReal: string): Promise<IgnoreLayer[]> {
  const ancestors: string[] = [];
  let dir = rootReal;
  let repo: string | undefined;
  for (;;) {
    try {
      const s = await stat(path.join(dir, '.git'));
      if (s.isDirectory() || s.isFile()) {
        repo = dir;
        break;
      }
    } catch {
      // not the repository top: keep climbing
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    ancestors.push(parent);
    dir = parent;
  }
  if (repo === undefined) {
    return [];
  }
  const layers: IgnoreLayer[] = [];
  const outerOf = (d: string): string => {
    const rel = path.relative(d, rootReal).split(path.sep).join('/');
    return rel === '' ? '' : `${rel}/`;
  };
  const exclude = await readIgnoreFile(path.join(repo, '.git', 'info', 'exclude'));
  if (exclude) layers.push({ prefix: '', outerPrefix: outerOf(repo), rules: exclude });
  // Ancestors strictly above the root, from the repository top down; the root's own .gitignore is
  // read by the walk itself.
  for (const d of ancestors.filter((a) => isInside(repo, a)).reverse()) {
    const rules = await readIgnoreFile(path.join(d, '.gitignore'));
    if (rules) layers.push({ prefix: '', outerPrefix: outerOf(d), rules });
  }
  return layers;
}

/** Git precedence: the deepest .gitignore that has an opinion wins, info/exclude has the last word least. */
function isGitIgnored(walk: Walk, rel: string, isDir: boolean): boolean {
  const suffix = isDir ? '/' : '';
  for (let i = walk.layers.length - 1; i >= 0; i--) {
    const layer = walk.layers[i]!;
    if (!rel.startsWith(layer.prefix)) continue;
    const result = layer.rules.test(layer.outerPrefix + rel.slice(layer.prefix.length) + suffix);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

function inShard(walk: Walk, rel: string): boolean {
  return walk.shard === undefined || shardOf(rel, walk.shard.total) === walk.shard.index;
}

function extensionOf(rel: string): string {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

// The per-entry calls below (readdir, stat, open, an 8 KiB read) are synchronous on purpose: each
// takes microseconds on a local disk, while the promise and thread-pool round trip of its async
// twin cost several times that, and the walk is on the path of every stage.
async function listDirectory(walk: Walk, rel: string): Promise<Frame | { error: string }> {
  const abs = rel === '' ? walk.root : absoluteOf(walk, rel);
  let entries: Dirent[];
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    return { error: errorCode(e) };
  }
  entries.sort((a, b) => compareNames(sortKey(a), sortKey(b)));
  let pushedLayer = false;
  if (walk.gitignore && entries.some((d) => d.name === '.gitignore' && !d.isDirectory())) {
    const rules = await readIgnoreFile(path.join(abs, '.gitignore'));
    if (rules) {
      walk.layers.push({ prefix: rel === '' ? '' : `${rel}/`, outerPrefix: '', rules });
      pushedLayer = true;
    }
  }
  return { rel, entries, next: 0, pushedLayer, plans: [], examining: new Map() };
}

type Examined = { file: WalkedFile } | { reason: SkipReason; detail: string } | { directoryLink: true };

/** Resolves a symlink: files inside the root are followed; directories are never descended. */
async function examineLink(
  walk: Walk,
  rel: string,
  abs: string,
): Promise<{ real: string; stats: Stats } | Examined> {
  let real: string;
  try {
    real = realpathSync.native(abs);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ELOOP') return { reason: 'symlink-loop', detail: 'symlink chain loops (ELOOP)' };
    if (code === 'ENOENT') return { reason: 'unreadable', detail: 'dangling symlink (ENOENT)' };
    return { reason: 'unreadable', detail: `cannot resolve symlink (${code})` };
  }
  if (!isInside(walk.rootReal, real)) {
    return { reason: 'outside-root', detail: `symlink resolves outside the root: ${real}` };
  }
  let target: Stats;
  try {
    target = statSync(real);
  } catch (e) {
    return { reason: 'unreadable', detail: `cannot stat symlink target (${errorCode(e)})` };
  }
  if (target.isDirectory()) {
    const parentReal = path.join(walk.rootReal, path.dirname(rel));
    if (isInside(real, parentReal)) {
      return { reason: 'symlink-loop', detail: `directory symlink to its own ancestor: ${real}` };
    }
    return { directoryLink: true };
  }
  return { real, stats: target };
}

async function examineFile(walk: Walk, rel: string, abs: string, entry: Dirent): Promise<Examined> {
  let openPath = abs;
  if (entry.isSymbolicLink()) {
    const link = await examineLink(walk, rel, abs);
    if (!('real' in link)) return link;
    if (!link.stats.isFile()) return { reason: 'unreadable', detail: 'symlink to a non-regular file' };
    openPath = link.real;
  } else if (!entry.isFile()) {
    // FIFOs, sockets and devices: opening them can block forever or read without end.
    return { reason: 'unreadable', detail: 'not a regular file' };
  }
  if (walk.skipBinary && BINARY_EXTENSIONS.has(extensionOf(rel))) {
    return { reason: 'binary', detail: `binary extension .${extensionOf(rel)}` };
  }
  if (!walk.skipBinary) {
    let s: Stats;
    try {
      s = statSync(openPath);
    } catch (e) {
      return { reason: 'unreadable', detail: errorCode(e) };
    }
    if (!s.isFile()) return { reason: 'unreadable', detail: 'not a regular file' };
    if (s.size > walk.maxFileSize) return tooLarge(walk, s.size);
    return { file: { path: rel, absolutePath: abs, size: s.size } };
  }
  let fd: number;
  try {
    // O_NONBLOCK: should the file have been replaced by a FIFO since readdir, open must not hang.
    fd = openSync(openPath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { reason: 'unreadable', detail: errorCode(e) };
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) return { reason: 'unreadable', detail: 'not a regular file' };
    if (s.size > walk.maxFileSize) return tooLarge(walk, s.size);
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, s.size));
    const bytesRead = head.length > 0 ? readSync(fd, head, 0, head.length, 0) : 0;
    if (head.subarray(0, bytesRead).includes(0)) {
      return { reason: 'binary', detail: 'NUL byte in the first 8 KiB' };
    }
    return { file: { path: rel, absolutePath: abs, size: s.size } };
  } catch (e) {
    return { reason: 'unreadable', detail: errorCode(e) };
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Nothing was written: a failed close loses nothing.
    }
  }
}

function tooLarge(walk: Walk, size: number): Examined {
  return { reason: 'too-large', detail: `${size} bytes > limit of ${walk.maxFileSize}` };
}

function skip(walk: Walk, rel: string, reason: SkipReason, detail: string): void {
  walk.stats.filesSeen++;
  recordSkip(walk.stats, rel, reason, detail);
}

async function startWalk(options: WalkOptions, stats: WalkStats): Promise<Walk> {
  const root = path.resolve(options.root);
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    if (!(await stat(rootReal)).isDirectory()) throw new Error('ENOTDIR');
  } catch (e) {
    throw new UserError(`${options.root}: cannot walk this directory (${errorCode(e)})`, undefined, {
      cause: e,
    });
  }
  const pm = globMatcher;
  const excludeMatch = pm([...DEFAULT_EXCLUDES, ...(options.exclude ?? [])]);
  const gitignore = options.gitignore ?? true;
  return {
    root,
    rootReal,
    stats,
    excluded: (p) => excludeMatch(p),
    included: options.include && options.include.length > 0 ? pm(options.include) : undefined,
    shard: options.shard,
    maxFileSize: options.maxFileSize ?? Number.POSITIVE_INFINITY,
    skipBinary: options.skipBinary ?? true,
    gitignore,
    layers: gitignore ? await outerLayers(rootReal) : [],
  };
}

/**
 * Walks `options.root` and yields its files in code-unit order of their root-relative path (forward
 * slashes), the same on every machine.
 *
 * - Left out silently: `.git` always, {@link DEFAULT_EXCLUDES}, `exclude` globs, paths ignored by
 *   .gitignore files (root, nested, and those of the enclosing repository when the root is a
 *   sub-directory of it) and .git/info/exclude, paths not matching `include`, and paths of other
 *   shards. Globs are picomatch globs relative to the root with `dot: true`; an excluded directory is
 *   not descended.
 * - Skipped and recorded in `stats` (never thrown): binaries, files over `maxFileSize`, unreadable
 *   files and directories, non-regular files (FIFOs, sockets, devices: never opened for reading,
 *   so they cannot hang the walk), dangling symlinks, symlinks resolving outside the root, and
 *   symlink loops. `stats.filesSeen` = yielded + skipped.
 * - Symlinks: a link to a file inside the root is followed and yielded under the link's own path
 *   (the target is also yielded under its path). A link to a directory inside the root is not
 *   descended, and not counted as a skip: the directory is walked under its real path, which keeps
 *   every file once and the order independent of link names.
 * - Memory: one directory listing per level of the current path, never the whole tree.
 *
 * @throws UserError when the root does not exist or is not a directory.
 */
export async function* walkFiles(
  options: WalkOptions,
  stats: WalkStats = emptyWalkStats(),
): AsyncGenerator<WalkedFile> {
  const walk = await startWalk(options, stats);
  const first = await listDirectory(walk, '');
  if ('error' in first) {
    throw new UserError(`${options.root}: cannot read this directory (${first.error})`);
  }
  const stack: Frame[] = [first];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const index = frame.next++;
    if (index >= frame.entries.length) {
      stack.pop();
      if (frame.pushedLayer) walk.layers.pop();
      continue;
    }
    const plan = planAhead(walk, frame, index);
    if (plan.kind === 'none') continue;
    const rel = plan.rel;
    if (plan.kind === 'dir') {
      const child = await listDirectory(walk, rel);
      if ('error' in child) {
        if (inShard(walk, rel)) skip(walk, rel, 'unreadable', `directory: ${child.error}`);
      } else {
        stack.push(child);
      }
      continue;
    }
    const result = await frame.examining.get(index)!;
    frame.examining.delete(index);
    if ('directoryLink' in result) continue;
    if ('reason' in result) {
      const directoryLevel = result.reason === 'symlink-loop' || result.reason === 'outside-root';
      if (plan.wanted || (directoryLevel && inShard(walk, rel)))
        skip(walk, rel, result.reason, result.detail);
      continue;
    }
    if (!plan.wanted) continue;
    stats.filesSeen++;
    stats.filesYielded++;
    yield result.file;
  }
}

/**
 * The absolute path of a root-relative one. Plain concatenation: `rel` is built from directory
 * entry names (never `.` or `..`) under a resolved root, and path.join's normalising was a
 * measurable part of walking large trees.
 */
function absoluteOf(walk: Walk, rel: string): string {
  const native = path.sep === '/' ? rel : rel.replaceAll('/', path.sep);
  return walk.root.endsWith(path.sep) ? walk.root + native : walk.root + path.sep + native;
}

/** Plans entries `index` to `index + LOOKAHEAD` and starts examining the files among them. */
function planAhead(walk: Walk, frame: Frame, index: number): Plan {
  const end = Math.min(frame.entries.length, index + LOOKAHEAD);
  for (let i = index; i < end; i++) {
    if (frame.plans[i] !== undefined) continue;
    const entry = frame.entries[i]!;
    const plan = planEntry(walk, frame.rel, entry);
    frame.plans[i] = plan;
    if (plan.kind === 'file') {
      const abs = absoluteOf(walk, plan.rel);
      frame.examining.set(
        i,
        examineFile(walk, plan.rel, abs, entry).catch(
          (e: unknown): Examined => ({ reason: 'unreadable', detail: errorCode(e) }),
        ),
      );
    }
  }
  const plan = frame.plans[index]!;
  frame.plans[index] = undefined; // keep only the window, not the whole listing's plans
  return plan;
}

function planEntry(walk: Walk, dirRel: string, entry: Dirent): Plan {
  if (ALWAYS_SKIPPED_NAMES.has(entry.name)) return { kind: 'none' };
  const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
  if (walk.excluded(rel)) return { kind: 'none' };
  const isDir = entry.isDirectory();
  // Git records a symlink as a file, so directory-only patterns (`dir/`) do not match links.
  if (walk.gitignore && isGitIgnored(walk, rel, isDir)) return { kind: 'none' };
  if (isDir) return { kind: 'dir', rel };
  const wanted = (walk.included === undefined || walk.included(rel)) && inShard(walk, rel);
  // A link must be resolved even when `include` or the shard leave it out: a link to a directory is
  // reported (loop, outside root) whatever `include` says.
  if (!wanted && !entry.isSymbolicLink()) return { kind: 'none' };
  return { kind: 'file', rel, wanted };
}

/**
 * Reads a walked file as UTF-8 text (a leading BOM is dropped). Files that vanished, cannot be read
 * or are not valid UTF-8 come back as a skip reason for the stage to record with {@link recordSkip}.
 */
export async function readTextFile(
  file: WalkedFile,
): Promise<{ text: string } | { skip: SkipReason; detail: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.absolutePath);
  } catch (e) {
    return { skip: 'unreadable', detail: errorCode(e) };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { skip: 'invalid-utf8', detail: 'not valid UTF-8' };
  }
}
