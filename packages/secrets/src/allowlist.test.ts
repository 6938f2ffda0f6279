import { globMatcher } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { baseNameMatcher, LOCKFILE_GLOBS, MINIFIED_GLOBS } from './allowlist.js';

describe('baseNameMatcher', () => {
  const paths = [
    'yarn.lock',
    'a/b/yarn.lock',
    'a//yarn.lock',
    'yarn.lock.bak',
    'a/Yarn.lock',
    'a/yarn.lock/x.js',
    'go.sum',
    'vendor/go.summary',
    'app.min.js',
    '.min.js',
    'a/.min.js',
    'a/.b/c.min.js',
    'a/app.MIN.JS',
    'a/b.map',
    '.map',
    'a/b.mapx',
    'x-min.js',
    'amin.js',
    'style.min.css',
    'a/b.js',
    'a\\yarn.lock',
    './yarn.lock',
    '../yarn.lock',
    'a/../c.min.js',
    'a/./b.map',
    '..',
    '',
  ];

  it.each([
    ['lockfiles', LOCKFILE_GLOBS],
    ['minified', MINIFIED_GLOBS],
  ])('answers as the glob dialect of core does for the %s globs', (_, globs) => {
    const pm = globMatcher(globs);
    const fast = baseNameMatcher(globs);
    const names = [...paths, ...globs.map((g) => g.replace('**/', 'deep/er/').replace('*', 'x'))];
    for (const p of names) expect([p, fast(p)]).toEqual([p, pm(p)]);
    expect(names.filter((p) => fast(p)).length).toBeGreaterThan(globs.length);
  });

  it('refuses globs it cannot answer from the base name', () => {
    expect(() => baseNameMatcher(['src/**/*.js'])).toThrow(/not a/);
    expect(() => baseNameMatcher(['**/*.{js,ts}'])).toThrow(/not a/);
  });
});
