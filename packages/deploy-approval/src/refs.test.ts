import { describe, expect, it } from 'vitest';
import { parseRef, refAllowed } from './refs.js';

describe('allowed refs', () => {
  it('matches branch and tag names from GitHub full refs and GitLab short names', () => {
    expect(refAllowed('refs/heads/main', ['main'])).toBe(true);
    expect(refAllowed('main', ['main'])).toBe(true);
    expect(refAllowed('refs/heads/release/2.1', ['release/*'])).toBe(true);
    expect(refAllowed('refs/tags/v1.2.3', ['v*'])).toBe(true);
    expect(refAllowed('refs/heads/feature/x', ['main', 'release/*'])).toBe(false);
    expect(refAllowed('refs/heads/release/2.1/hotfix', ['release/*'])).toBe(false);
  });

  it('full-ref globs tell tags from branches where the platform does', () => {
    expect(refAllowed('refs/tags/v1.0.0', ['refs/tags/v*'])).toBe(true);
    expect(refAllowed('refs/heads/v1.0.0', ['refs/tags/v*'])).toBe(false);
    // A GitLab short name does not say whether it is a tag: a full-ref glob does not admit it.
    expect(refAllowed('v1.0.0', ['refs/tags/v*'])).toBe(false);
  });

  it('parses refs', () => {
    expect(parseRef('refs/tags/v1')).toEqual({ ref: 'refs/tags/v1', short: 'v1', kind: 'tag' });
    expect(parseRef('main')).toEqual({ ref: 'main', short: 'main', kind: 'unknown' });
  });
});
