import type { Approval } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { countApprovals } from './approvals.js';
import { OLD_SHA, SHA } from './test-helpers.js';

const a = (user: string, state: Approval['state'], at: string, over: Partial<Approval> = {}): Approval => ({
  user,
  state,
  at,
  commit: SHA,
  ...over,
});
const rules = { commit: SHA, author: 'dev', users: [], teams: [] };

describe('countApprovals', () => {
  it('counts approvals on the deployed commit', () => {
    const r = countApprovals(
      [a('alice', 'approved', '2026-11-20T10:00:00Z'), a('bob', 'approved', '2026-11-20T11:00:00Z')],
      rules,
    );
    expect(r.counted.map((x) => x.user)).toEqual(['alice', 'bob']);
    expect(r.ignored).toEqual([]);
  });

  it("ignores the author's own approval", () => {
    const r = countApprovals([a('Dev', 'approved', '2026-11-20T10:00:00Z')], rules);
    expect(r.counted).toEqual([]);
    expect(r.ignored).toEqual([{ user: 'Dev', reason: 'is the change author' }]);
  });

  it('ignores a stale approval given on an older commit, and one with no commit', () => {
    const r = countApprovals(
      [
        a('alice', 'approved', '2026-11-20T10:00:00Z', { commit: OLD_SHA }),
        a('bob', 'approved', '2026-11-20T10:00:00Z', { commit: undefined }),
      ],
      rules,
    );
    expect(r.counted).toEqual([]);
    expect(r.ignored[0]!.reason).toContain(`approved ${OLD_SHA.slice(0, 12)}, not the deployed commit`);
    expect(r.ignored[1]!.reason).toContain('approved an unknown commit');
  });

  it("takes each reviewer's latest decisive review; later comments do not undo an approval", () => {
    const r = countApprovals(
      [
        a('alice', 'approved', '2026-11-20T10:00:00Z'),
        a('alice', 'changes_requested', '2026-11-20T11:00:00Z'),
        a('bob', 'changes_requested', '2026-11-20T09:00:00Z'),
        a('bob', 'approved', '2026-11-20T10:30:00Z'),
        a('bob', 'commented', '2026-11-20T12:00:00Z'),
        a('carol', 'approved', '2026-11-20T09:00:00Z'),
        a('carol', 'dismissed', '2026-11-20T09:30:00Z'),
      ],
      rules,
    );
    expect(r.counted.map((x) => x.user)).toEqual(['bob']);
    expect(r.ignored).toEqual([
      { user: 'carol', reason: 'latest review is dismissed' },
      { user: 'alice', reason: 'latest review is changes requested' },
    ]);
  });

  it('counts only named users or members of named teams when approvers are named', () => {
    const list = [
      a('alice', 'approved', '2026-11-20T10:00:00Z'),
      a('bob', 'approved', '2026-11-20T10:00:00Z', { teams: ['acme/release-managers'] }),
      a('eve', 'approved', '2026-11-20T10:00:00Z', { teams: ['acme/interns'] }),
    ];
    const r = countApprovals(list, { ...rules, users: ['ALICE'], teams: ['acme/Release-Managers'] });
    expect(r.counted.map((x) => x.user)).toEqual(['alice', 'bob']);
    expect(r.ignored).toEqual([
      { user: 'eve', reason: 'is not a named approver or a member of a named team' },
    ]);
  });
});
