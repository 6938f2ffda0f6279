import type { IssueRef } from './types.js';

/** The issue the monitor wants to exist for one application + advisory. */
export interface IssueDraft {
  /**
   * Stable identity of the issue (`devsecflow-monitor:<application>:<advisory id>`): trackers find
   * an existing issue by it (a hidden marker in the body, or a label), so a lost state store or a
   * crash between "create" and "remember" never opens a duplicate.
   */
  key: string;
  title: string;
  /** Markdown; ends with the hidden marker `<!-- <key> -->`. */
  body: string;
  labels: string[];
  /** Owners that look like user handles (`@name`, no slash), for trackers that can assign. */
  assignees: string[];
}

/** An issue found by key, with its state. */
export interface TrackedIssue extends IssueRef {
  state: 'open' | 'closed';
}

/**
 * What the monitor needs from an issue tracker. GitHub and GitLab implement it in their platform
 * packages (see docs/monitoring.md); tests use a fetch-based fake.
 */
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
