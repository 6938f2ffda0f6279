import { globMatcher } from '@devsecflow/core';
/** A ref as the platforms give it: GitHub full (`refs/heads/main`), GitLab short (`main`). */
export interface RefName {
  /** The ref as given. */
  ref: string;
  /** Branch or tag name without `refs/heads/` / `refs/tags/`. */
  short: string;
  kind: 'branch' | 'tag' | 'unknown';
}

export function parseRef(ref: string): RefName {
  if (ref.startsWith('refs/heads/')) return { ref, short: ref.slice(11), kind: 'branch' };
  if (ref.startsWith('refs/tags/')) return { ref, short: ref.slice(10), kind: 'tag' };
  return { ref, short: ref, kind: 'unknown' };
}

/**
 * True when the ref matches one of the globs. A glob starting with `refs/` is matched against the
 * full ref (so `refs/tags/v*` admits tags only, where the platform says which it is); any other glob
 * against the branch or tag name.
 */
export function refAllowed(ref: string, globs: string[]): boolean {
  const r = parseRef(ref);
  return globs.some((g) => {
    if (g.startsWith('refs/')) {
      const full =
        r.kind === 'branch' ? `refs/heads/${r.short}` : r.kind === 'tag' ? `refs/tags/${r.short}` : undefined;
      return full !== undefined && globMatcher(g)(full);
    }
    return globMatcher(g)(r.short);
  });
}
