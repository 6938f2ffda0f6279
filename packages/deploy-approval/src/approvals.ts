import type { Approval } from '@devsecflow/core';

/**
 * What the stage asks the platform for. Platforms whose `approvals()` take this (the GitHub and
 * GitLab `listApprovals` helpers do) resolve team membership for the named teams and map reviews on
 * a merged change's head to the deployed commit.
 */
export interface ApprovalQuery {
  /** The commit being deployed. */
  commit?: string;
  /** Teams / groups whose membership matters (`approvers.teams`). */
  teams?: string[];
}

export interface ApprovalRules {
  commit: string;
  author?: string;
  users: string[];
  teams: string[];
}

/** An approval that did not count, and why. */
export interface IgnoredApproval {
  user: string;
  reason: string;
}

export interface CountedApprovals {
  counted: Approval[];
  ignored: IgnoredApproval[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const short = (sha: string | undefined) => (sha ? sha.slice(0, 12) : 'an unknown commit');

/**
 * The approvals that count: each reviewer's latest decisive review (approve, request changes,
 * dismiss; a later comment does not replace it) must be an approval, on the deployed commit, not by
 * the change's author, and by a named user or a member of a named team when approvers are named.
 */
export function countApprovals(approvals: Approval[], rules: ApprovalRules): CountedApprovals {
  const latest = new Map<string, Approval>();
  const sorted = [...approvals].sort((a, b) => Date.parse(a.at || '0') - Date.parse(b.at || '0'));
  for (const a of sorted) {
    const key = a.user.toLowerCase();
    const prev = latest.get(key);
    if (a.state === 'commented' && prev && prev.state !== 'commented') continue;
    latest.set(key, a);
  }
  const counted: Approval[] = [];
  const ignored: IgnoredApproval[] = [];
  const named = rules.users.length + rules.teams.length > 0;
  for (const a of latest.values()) {
    if (a.state !== 'approved') {
      if (a.state !== 'commented')
        ignored.push({ user: a.user, reason: `latest review is ${a.state.replace('_', ' ')}` });
      continue;
    }
    if (rules.author && same(a.user, rules.author)) {
      ignored.push({ user: a.user, reason: 'is the change author' });
      continue;
    }
    if (!a.commit || a.commit !== rules.commit) {
      ignored.push({
        user: a.user,
        reason: `approved ${short(a.commit)}, not the deployed commit ${short(rules.commit)}`,
      });
      continue;
    }
    if (named) {
      const byUser = rules.users.some((u) => same(u, a.user));
      const byTeam = (a.teams ?? []).some((t) => rules.teams.some((want) => same(want, t)));
      if (!byUser && !byTeam) {
        ignored.push({ user: a.user, reason: 'is not a named approver or a member of a named team' });
        continue;
      }
    }
    counted.push(a);
  }
  counted.sort((a, b) => a.user.localeCompare(b.user));
  return { counted, ignored };
}
