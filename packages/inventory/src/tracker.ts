// The issue-tracker contract lives in core (platforms implement it); re-exported for callers here.
export { type IssueDraft, type IssueTracker, issueMarker, type TrackedIssue } from '@devsecflow/core';
