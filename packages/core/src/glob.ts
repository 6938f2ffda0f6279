import picomatch from 'picomatch';

/**
 * DevSecFlow's one glob dialect (picomatch, dot files included), for every path and ref pattern a
 * user writes: walker excludes, suppressions, team paths, allowlists, deploy branches. Stages use
 * this instead of picomatch of their own, so the same glob means the same thing everywhere.
 */
export function globMatcher(globs: string | readonly string[]): (path: string) => boolean {
  return picomatch(typeof globs === 'string' ? globs : [...globs], { dot: true });
}
