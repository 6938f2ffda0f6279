import { UserError } from './errors.js';
import type { Logger } from './logger.js';
import type { Report } from './model.js';

/** 1-based inclusive line range in the new version of a file. */
export interface LineRange {
  start: number;
  end: number;
}

/**
 * The changed lines of a change (PR/MR or `--diff-base`). `lines: 'all'` marks a file whose every
 * line counts as changed (added, renamed with edits we could not read, binary).
 */
export type ChangedFile = { path: string; lines: LineRange[] | 'all' };

export type DiffInfo =
  | { available: true; base?: string; files: ChangedFile[] }
  | { available: false; reason: string };

export interface ChangeRequest {
  /** PR number or MR iid. */
  id: number;
  url?: string;
  title?: string;
  author?: string;
  baseSha?: string;
  headSha?: string;
  baseRef?: string;
  headRef?: string;
}

export interface PlatformContext {
  platform: string;
  repository?: string;
  commit?: string;
  ref?: string;
  event?: string;
  defaultBranch?: string;
  change?: ChangeRequest;
  /** True when the job runs code from an untrusted fork with a privileged token (pull_request_target). */
  untrustedCode?: boolean;
}

export interface PublishOptions {
  /** Where report files were written. */
  outputDir: string;
  /** Files written by the run, by format id (sarif, gitlab-sast, json, ...). */
  files: Record<string, string>;
  comment?: boolean;
  annotations?: boolean;
  uploadSarif?: boolean;
  status?: boolean;
}

export interface Approval {
  user: string;
  state: 'approved' | 'changes_requested' | 'dismissed' | 'commented';
  at: string;
  commit?: string;
  teams?: string[];
}

/** A decision handed to the platform's own deployment gate (GitHub environment reviews, GitLab deployment approvals). */
export interface DeploymentReview {
  environment: string;
  commit: string;
  approved: boolean;
  /** The decision with every reason, shown on the deployment. */
  comment: string;
}

export type DeploymentReviewResult = { reviewed: true } | { reviewed: false; reason: string };

/** An issue in a tracker (GitHub issue number, GitLab issue iid) and where a person can open it. */
export interface IssueRef {
  id: string;
  url?: string;
}

/** The issue a caller wants to exist, found again by `key` (a hidden marker in the body). */
export interface IssueDraft {
  /** Stable identity, e.g. `devsecflow-monitor:<application>:<advisory id>`. */
  key: string;
  title: string;
  /** Markdown; ends with the hidden marker `<!-- <key> -->`. */
  body: string;
  labels: string[];
  /** User handles (`@name`) for trackers that can assign. */
  assignees: string[];
}

/** An issue found by key, with its state. */
export interface TrackedIssue extends IssueRef {
  state: 'open' | 'closed';
}

/** Issues on the platform, for telling owners (the monitor): found by key, never duplicated. */
export interface IssueTracker {
  /** The issue carrying this key, open or closed; undefined when there is none. */
  find(key: string): Promise<TrackedIssue | undefined>;
  create(draft: IssueDraft): Promise<IssueRef>;
  /** Replaces title, body and labels, and reopens the issue if it was closed. */
  update(issue: IssueRef, draft: IssueDraft): Promise<void>;
  /** Adds the comment, then closes the issue. */
  close(issue: IssueRef, comment: string): Promise<void>;
}

/** The hidden marker that carries an issue's key in its body. */
export function issueMarker(key: string): string {
  return `<!-- ${key} -->`;
}

/**
 * True when `body` carries the marker of `key` on a line of its own, outside fenced code blocks:
 * a marker quoted in another issue (in a code block, inline code or a blockquote) does not count.
 */
export function hasIssueMarker(body: string | null | undefined, key: string): boolean {
  if (!body) return false;
  const marker = issueMarker(key);
  let fence: string | undefined;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      // A fence closes with the same character, at least as long, and nothing after it.
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length && line.trim() === open[1])
        fence = undefined;
      continue;
    }
    if (open) {
      fence = open[1];
      continue;
    }
    if (line === marker) return true;
  }
  return false;
}

/** One file of a proposed change: the whole new content of a repository file. */
export interface FileChange {
  /** Repository-relative, `/`-separated (e.g. `pnpm-lock.yaml`, `apps/web/package.json`). */
  path: string;
  /** The full new content, UTF-8 text. */
  content: string;
}

/**
 * A change a caller wants proposed as a PR/MR (the fix): the files are committed onto `branch`
 * (created from `base`, or force-updated so it holds exactly one commit on top of `base`), and one
 * open PR/MR from `branch` carries it, found again by `key` and updated instead of duplicated.
 */
export interface ChangeProposal {
  /**
   * Stable identity, e.g. `devsecflow-fix:<application>:<package>`. The body ends with the hidden
   * marker `issueMarker(key)` (added when missing), by which an open PR/MR is found again
   * (`hasIssueMarker`).
   */
  key: string;
  /** Branch to commit onto, e.g. `devsecflow/fix/lodash`. One branch per fix. */
  branch: string;
  /** Branch the PR/MR targets and the commit starts from; default: the repository's default branch. */
  base?: string;
  title: string;
  /** Markdown: the advisories fixed, the test result. */
  body: string;
  labels: string[];
  commitMessage: string;
  files: FileChange[];
}

/** The PR/MR that carries a proposal. */
export interface ProposedChange {
  /** PR number or MR iid. */
  id: string;
  url?: string;
  /** True when this call opened the PR/MR; false when it found and updated an open one. */
  created: boolean;
  /** True when the branch already held exactly these files and the PR/MR already said this: nothing was written. */
  unchanged?: boolean;
}

/** PRs/MRs on the platform, for proposing a change (the fix): one per key, never duplicated. */
export interface ChangeRequests {
  /**
   * Commits the files onto the proposal's branch through the platform API (no local git, no
   * push) and opens or updates the PR/MR. Throws a one-line UserError naming the permission the
   * token lacks, a missing base branch or repository.
   */
  propose(proposal: ChangeProposal): Promise<ProposedChange>;
}

/**
 * Why `name` is not a branch name git accepts (the rules of `git check-ref-format --branch`), or
 * undefined when it is one. Odd but valid characters (`#`, `%`, `+`, `@`) are allowed: the
 * platforms' clients encode them in URLs.
 */
export function branchNameProblem(name: string): string | undefined {
  if (!name) return 'it is empty';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'it has an empty path component';
  if (name === '@' || name.includes('@{')) return 'it is "@" or contains "@{"';
  if (name.includes('..')) return 'it contains ".."';
  if (name.endsWith('.')) return 'it ends with "."';
  const bad = /[\x00-\x20\x7f ~^:?*[\\]/.exec(name);
  if (bad) return `it contains ${JSON.stringify(bad[0])}`;
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `its component "${part}" starts with "."`;
    if (part.endsWith('.lock')) return `its component "${part}" ends with ".lock"`;
  }
  return undefined;
}

/**
 * A proposal checked for what every platform would refuse or misread, with the hidden marker of its
 * key at the end of the body (added when missing) and its labels deduplicated. Throws a one-line
 * UserError naming the bad field: a branch git refuses, a file path outside the repository
 * (absolute, `..`, `.git`), a path given twice, no files.
 */
export function prepareChangeProposal(proposal: ChangeProposal): ChangeProposal {
  const { key, branch, base } = proposal;
  if (!key.trim() || /[\r\n]|-->/.test(key))
    throw new UserError(
      `change proposal: the key must be one line without "-->", got ${JSON.stringify(key)}`,
    );
  const branchProblem = branchNameProblem(branch);
  if (branchProblem)
    throw new UserError(
      `change proposal: branch ${JSON.stringify(branch)} is not a valid branch name (${branchProblem})`,
    );
  if (base !== undefined) {
    const baseProblem = branchNameProblem(base);
    if (baseProblem)
      throw new UserError(
        `change proposal: base ${JSON.stringify(base)} is not a valid branch name (${baseProblem})`,
      );
    if (base === branch) throw new UserError(`change proposal: branch and base are both "${branch}"`);
  }
  if (!proposal.title.trim()) throw new UserError('change proposal: the title is empty');
  if (!proposal.commitMessage.trim()) throw new UserError('change proposal: the commit message is empty');
  if (proposal.files.length === 0) throw new UserError(`change proposal ${key}: no files to commit`);
  const seen = new Set<string>();
  for (const f of proposal.files) {
    const parts = f.path.split('/');
    if (!f.path || f.path.startsWith('/') || /\\|[\x00-\x1f]/.test(f.path) || /^[A-Za-z]:/.test(f.path))
      throw new UserError(
        `change proposal ${key}: file path ${JSON.stringify(f.path)} is not a repository-relative path with "/" separators`,
      );
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.toLowerCase() === '.git'))
      throw new UserError(
        `change proposal ${key}: file path ${JSON.stringify(f.path)} has an empty, ".", ".." or ".git" component`,
      );
    if (seen.has(f.path)) throw new UserError(`change proposal ${key}: file ${f.path} is given twice`);
    seen.add(f.path);
  }
  const marker = issueMarker(key);
  const body = hasIssueMarker(proposal.body, key)
    ? proposal.body
    : `${proposal.body.trimEnd()}\n\n${marker}\n`;
  return { ...proposal, body, labels: [...new Set(proposal.labels.filter((l) => l.trim()))] };
}

/**
 * `body` (which ends with the marker of `key`) cut to at most `limit` characters for a platform
 * that refuses longer ones (GitHub: 65,536), at a line boundary, with an open code fence closed and
 * a note of the cut, the marker kept last on its own line so `hasIssueMarker` still finds it.
 */
export function fitChangeBody(body: string, key: string, limit: number): string {
  if (body.length <= limit) return body;
  const marker = issueMarker(key);
  const note = `_Cut to fit the platform's ${limit.toLocaleString('en')}-character limit (the full text is ${body.length.toLocaleString('en')} characters)._`;
  // Room for a closing fence (at most as long as the opening one, which a line holds), the note, the marker.
  const budget = limit - note.length - marker.length - 16;
  const kept: string[] = [];
  let used = 0;
  let fence: string | undefined;
  for (const line of body.split('\n')) {
    if (used + line.length + 1 > budget - (fence?.length ?? 0)) break;
    kept.push(line);
    used += line.length + 1;
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line.trimEnd());
    if (fence) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length && line.trim() === open[1])
        fence = undefined;
    } else if (open) fence = open[1];
  }
  if (fence) kept.push(fence);
  return `${kept.join('\n').trimEnd()}\n\n${note}\n\n${marker}\n`;
}

export interface ApprovalQuery {
  commit?: string;
  teams?: string[];
}

/**
 * What a stage or the runner needs from where it runs. `core` defines it; `local` (here), `github`
 * and `gitlab` implement it. Stages only ever see this interface.
 */
export interface Platform {
  readonly name: string;
  readonly logger: Logger;
  context(): Promise<PlatformContext>;
  /** Changed files and lines of the current change, or why they are unknown. */
  changedLines(base?: string): Promise<DiffInfo>;
  /** Annotations, summaries, comments, uploads: whatever the platform shows. Never throws for a publish failure. */
  publish(reports: Report[], options: PublishOptions): Promise<void>;
  /**
   * Human approvals of the current change, where the platform has them: only those on `commit`
   * (default: the current one), with team membership resolved for the `teams` asked about.
   */
  approvals?(query?: ApprovalQuery): Promise<Approval[]>;
  /**
   * Approves or rejects the deployment waiting on the platform's own gate, where it has one and
   * the token may. Says why when it did not (no waiting deployment, not a required reviewer).
   */
  reviewDeployment?(review: DeploymentReview): Promise<DeploymentReviewResult>;
  /** The platform's issue tracker, where the token may use it. */
  issueTracker?(): IssueTracker | undefined;
  /** PRs/MRs for proposed changes (the fix), where the token may write branches and PRs/MRs. */
  changeRequests?(): ChangeRequests | undefined;
}
