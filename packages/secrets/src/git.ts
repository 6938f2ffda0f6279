import { spawn } from 'node:child_process';
import { UserError } from '@devsecflow/core';
import { emptyScanStats, FileScanner, type FileScanOptions, type SecretScanStats } from './files.js';
import { Scanner, type ScannerOptions, type SecretMatch } from './scanner.js';

/** A secret found in an added line of a commit or of the staged changes. */
export interface HistoryMatch extends SecretMatch {
  path: string;
  /** Full sha of the commit that added the line; absent for staged changes. */
  commit?: string;
}

export interface HistoryScanOptions {
  /** Repository (or any directory inside one). */
  cwd: string;
  /** Scan commits in `<since>..HEAD`. Omitted: every commit reachable from HEAD. */
  since?: string;
  scanner?: ScannerOptions;
  files?: FileScanOptions;
  signal?: AbortSignal;
}

export interface HistoryScanResult {
  matches: HistoryMatch[];
  stats: SecretScanStats & { commitsScanned: number };
}

const COMMIT_MARK = '\u0000commit ';

/** Git rejects nothing here on its own: a rev that starts with `-` would be read as an option. */
export function validateRev(rev: string): void {
  if (!rev || rev.startsWith('-') || /[\s\u0000]/.test(rev) || rev.length > 256) {
    throw new UserError(
      `secrets: '--since' must be a commit, branch or tag name (got ${rev ? 'a value starting with "-" or containing spaces' : 'an empty value'})`,
    );
  }
}

function runGit(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) =>
      reject(new UserError(`secrets: could not run git (${(e as NodeJS.ErrnoException).code ?? e.message})`)),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function assertRepo(cwd: string): Promise<void> {
  const r = await runGit(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (r.code !== 0)
    throw new UserError(`secrets: ${cwd} is not inside a git repository (history and staged scans need one)`);
}

async function resolveCommit(cwd: string, rev: string): Promise<string> {
  validateRev(rev);
  const r = await runGit(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  if (r.code !== 0) throw new UserError(`secrets: '--since ${rev}' is not a commit in this repository`);
  return r.stdout.trim();
}

/** Git quotes unusual paths C-style ("a\tb"); undo that. */
export function unquoteGitPath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const body = p.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const n = body[++i];
    if (n === undefined) break;
    if (/[0-7]/.test(n)) {
      bytes.push(Number.parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else
      bytes.push(
        ({ n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 } as Record<string, number>)[n] ??
          n.charCodeAt(0),
      );
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Reads a `git log -p -U0` / `git diff -U0` stream and hands over, per commit and file, the added
 * lines with their line numbers in the new version. Lines longer than `maxLine` are replaced by an
 * empty line and counted; the stream is never held in memory whole.
 */
export class AddedLinesParser {
  private commit: string | undefined;
  private path: string | undefined;
  private inHunk = false;
  private oldLeft = 0;
  private newLeft = 0;
  private newLine = 0;
  private lines: string[] = [];
  private lineNos: number[] = [];
  private partial: string[] = [];
  private partialLen = 0;
  private overlong = false;
  private fileBytes = 0;
  private fileTooLarge = false;

  constructor(
    private readonly onFile: (
      commit: string | undefined,
      path: string,
      lines: string[],
      lineNos: number[],
    ) => void,
    private readonly onCommit: (commit: string) => void,
    private readonly maxLine: number,
    private readonly stats: SecretScanStats,
    /** Added text per file and commit beyond this is not kept: the file counts as too large. */
    private readonly maxFileBytes = 5 * 1024 * 1024,
  ) {}

  /** Feeds a chunk of the stream. */
  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.append(chunk.slice(start, nl));
      this.line(this.takeLine());
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.slice(start));
  }

  end(): void {
    if (this.partialLen > 0 || this.overlong) this.line(this.takeLine());
    this.flushFile();
  }

  private append(s: string): void {
    if (this.overlong) return;
    if (this.partialLen + s.length > this.maxLine + 1) {
      // Keep the first character (the diff marker) so the hunk bookkeeping still works.
      if (this.partialLen === 0 && s.length > 0) this.partial.push(s[0]!);
      this.overlong = true;
      return;
    }
    this.partial.push(s);
    this.partialLen += s.length;
  }

  private takeLine(): { text: string; overlong: boolean } {
    const text = this.partial.join('');
    const overlong = this.overlong;
    this.partial = [];
    this.partialLen = 0;
    this.overlong = false;
    return { text, overlong };
  }

  private flushFile(): void {
    if (this.fileTooLarge) this.stats.skippedTooLarge++;
    else if (this.path !== undefined && this.lines.length > 0)
      this.onFile(this.commit, this.path, this.lines, this.lineNos);
    this.lines = [];
    this.lineNos = [];
    this.fileBytes = 0;
    this.fileTooLarge = false;
  }

  private line({ text, overlong }: { text: string; overlong: boolean }): void {
    if (this.inHunk && (this.oldLeft > 0 || this.newLeft > 0)) {
      const c = text[0];
      if (c === '+' && this.newLeft > 0) {
        if (overlong) this.stats.linesSkippedTooLong++;
        this.newLeft--;
        const lineNo = this.newLine++;
        if (this.fileTooLarge) return;
        this.fileBytes += text.length;
        if (this.fileBytes > this.maxFileBytes) {
          this.fileTooLarge = true;
          this.lines = [];
          this.lineNos = [];
          return;
        }
        this.lines.push(overlong ? '' : text.slice(1).replace(/\r$/, ''));
        this.lineNos.push(lineNo);
        return;
      }
      if (c === '-' && this.oldLeft > 0) {
        this.oldLeft--;
        return;
      }
      if (c === '\\') return; // "\ No newline at end of file"
      this.inHunk = false;
    }
    if (text === '\\ No newline at end of file') return;
    if (text.startsWith(COMMIT_MARK)) {
      this.flushFile();
      this.path = undefined;
      this.inHunk = false;
      this.commit = text.slice(COMMIT_MARK.length).trim();
      this.onCommit(this.commit);
      return;
    }
    if (text.startsWith('diff --git ')) {
      this.flushFile();
      this.path = undefined;
      this.inHunk = false;
      return;
    }
    if (text.startsWith('+++ ')) {
      const p = text.slice(4).replace(/\t$/, '');
      this.path = p === '/dev/null' ? undefined : unquoteGitPath(p).replace(/^b\//, '');
      return;
    }
    const h = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
    if (h && this.path !== undefined) {
      this.oldLeft = h[1] === undefined ? 1 : Number(h[1]);
      this.newLine = Number(h[2]);
      this.newLeft = h[3] === undefined ? 1 : Number(h[3]);
      this.inHunk = true;
      // Separate hunks with an empty line so a multi-line pattern cannot join unrelated lines.
      if (this.lines.length > 0) {
        this.lines.push('');
        this.lineNos.push(0);
      }
    }
  }
}

async function scanDiffStream(
  cwd: string,
  args: string[],
  options: Omit<HistoryScanOptions, 'cwd' | 'since'>,
): Promise<HistoryScanResult> {
  const fileScanner = new FileScanner(new Scanner(options.scanner), options.files);
  const stats = { ...emptyScanStats(), commitsScanned: 0 };
  const matches: HistoryMatch[] = [];
  const firstSeen = new Map<string, { index: number; commit: string | undefined }>();
  const parser = new AddedLinesParser(
    (commit, path, lines, lineNos) => {
      if (fileScanner.skipByPath(path, stats)) return;
      const text = lines.join('\n');
      const outcome = fileScanner.scanString(text, path, stats, Buffer.byteLength(text));
      if (outcome.kind !== 'scanned') return;
      for (const m of outcome.matches) {
        const match: HistoryMatch = {
          ...m,
          path,
          startLine: lineNos[m.startLine - 1] || 1,
          endLine: lineNos[m.endLine - 1] || lineNos[m.startLine - 1] || 1,
          ...(commit ? { commit } : {}),
        };
        // git log lists newest first: a secret seen again in an older commit was introduced there.
        const key = `${m.ruleId}\u0000${path}\u0000${m.secretHash}`;
        const seen = firstSeen.get(key);
        if (seen && seen.commit !== commit) {
          matches[seen.index] = match;
          seen.commit = commit;
        } else {
          firstSeen.set(key, { index: matches.length, commit });
          matches.push(match);
        }
      }
    },
    () => {
      stats.commitsScanned++;
    },
    options.files?.maxLineLength ?? 20_000,
    stats,
    options.files?.maxFileSize ?? 5 * 1024 * 1024,
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const onAbort = () => child.kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => parser.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 2000) stderr += d;
    });
    child.on('error', (e) =>
      reject(new UserError(`secrets: could not run git (${(e as NodeJS.ErrnoException).code ?? e.message})`)),
    );
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(options.signal.reason);
      if (code !== 0) {
        // git's own message names the problem (bad revision, not a repository); it never holds file content.
        const first = stderr.split('\n').find((l) => l.trim()) ?? `exit code ${code}`;
        return reject(
          new UserError(
            `secrets: git ${args.find((a) => a === 'log' || a === 'diff')} failed: ${first.trim()}`,
          ),
        );
      }
      parser.end();
      resolve();
    });
  });
  return { matches, stats };
}

const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '-U0'];

/**
 * Secrets in lines added by the commits of `<since>..HEAD` (every commit reachable from HEAD when
 * `since` is omitted), found by streaming `git log -p`. Files deleted or changed later are still
 * reported: what reached history stays exposed until it is rotated.
 */
export async function scanGitHistory(options: HistoryScanOptions): Promise<HistoryScanResult> {
  await assertRepo(options.cwd);
  const range = options.since ? `${await resolveCommit(options.cwd, options.since)}..HEAD` : 'HEAD';
  const args = [
    '-c',
    'core.quotepath=off',
    'log',
    '-p',
    `--format=%x00commit %H`,
    ...DIFF_FLAGS,
    '--end-of-options',
    range,
  ];
  return scanDiffStream(options.cwd, args, options);
}

/** Secrets in the lines a commit would add now (`git diff --cached`): the pre-commit hook. */
export async function scanStaged(options: Omit<HistoryScanOptions, 'since'>): Promise<HistoryScanResult> {
  await assertRepo(options.cwd);
  const args = ['-c', 'core.quotepath=off', 'diff', '--cached', ...DIFF_FLAGS];
  return scanDiffStream(options.cwd, args, options);
}
