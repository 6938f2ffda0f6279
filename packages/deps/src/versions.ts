/// <reference path="./mvncmp.d.ts" />
import * as pep440 from '@renovatebot/pep440';
import * as rubySemver from '@renovatebot/ruby-semver';
import { compare as mavenCompare } from 'mvncmp';
import semver from 'semver';

/** Compares two versions of one ecosystem: negative, zero or positive like Array#sort. */
export type VersionComparator = (a: string, b: string) => number;

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function cmpBig(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Last-resort ordering for strings no scheme parses: digit runs compare numerically, letter runs
 * lexically, and a release (no more tokens) sorts after a trailing pre-release word.
 */
export function compareGeneric(a: string, b: string): number {
  const ta = a.match(/\d+|[a-zA-Z]+/g) ?? [];
  const tb = b.match(/\d+|[a-zA-Z]+/g) ?? [];
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === undefined) return y !== undefined && /^\d/.test(y) ? -1 : 1;
    if (y === undefined) return /^\d/.test(x) ? 1 : -1;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const c = cmpBig(x, y);
      if (c) return c;
    } else if (dx !== dy) {
      return dx ? 1 : -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** SemVer 2.0 precedence (npm, crates.io, Hex, Pub). Build metadata is ignored. */
const parsed = new Map<string, semver.SemVer | null>();
/** semver.parse, memoised: matching compares the same few thousand versions over and over. */
function parseSemver(v: string): semver.SemVer | null {
  let r = parsed.get(v);
  if (r === undefined) {
    if (parsed.size > 100_000) parsed.clear();
    r = semver.parse(v.replace(/^v/, ''), { loose: true });
    parsed.set(v, r);
  }
  return r;
}

export const compareSemver: VersionComparator = (a, b) => {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (x && y) return x.compare(y);
  return compareGeneric(a, b);
};

/**
 * Go module versions: SemVer with a `v` prefix. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`)
 * are pre-releases and order by their timestamp; `+incompatible` is build metadata and ignored.
 */
export const compareGo: VersionComparator = (a, b) => compareSemver(a.replace(/^v/, ''), b.replace(/^v/, ''));

/** PEP 440 (PyPI), via @renovatebot/pep440; invalid (legacy) versions fall back to token order. */
export const comparePep440: VersionComparator = (a, b) => {
  if (pep440.valid(a) && pep440.valid(b)) return sign(pep440.compare(a, b));
  return compareGeneric(a, b);
};

/** RubyGems `Gem::Version` order, via @renovatebot/ruby-semver. */
export const compareRubyGems: VersionComparator = (a, b) => {
  try {
    if (rubySemver.eq(a, b)) return 0;
    return rubySemver.gt(a, b) ? 1 : -1;
  } catch {
    return compareGeneric(a, b);
  }
};

/** Maven `ComparableVersion` order, via mvncmp. */
export const compareMaven: VersionComparator = (a, b) => sign(mavenCompare(a, b));

/** NuGet: up to four numeric parts, then SemVer-style pre-release labels compared case-insensitively. */
export const compareNuGet: VersionComparator = (a, b) => {
  const parse = (v: string) => {
    const noBuild = v.split('+')[0]!;
    const dash = noBuild.indexOf('-');
    const nums = (dash < 0 ? noBuild : noBuild.slice(0, dash)).split('.');
    const pre =
      dash < 0
        ? []
        : noBuild
            .slice(dash + 1)
            .toLowerCase()
            .split('.');
    while (nums.length < 4) nums.push('0');
    return { nums, pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 4; i++) {
    const c = cmpBig(x.nums[i]!, y.nums[i]!);
    if (c) return c;
  }
  if (!x.pre.length || !y.pre.length) return x.pre.length === y.pre.length ? 0 : x.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const np = /^\d+$/.test(p);
    const nq = /^\d+$/.test(q);
    if (np && nq) {
      const c = cmpBig(p, q);
      if (c) return c;
    } else if (np !== nq) return np ? -1 : 1;
    else if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
};

const PHP_SPECIAL: Record<string, number> = {
  dev: 0,
  alpha: 1,
  a: 1,
  beta: 2,
  b: 2,
  rc: 3,
  '#': 4,
  pl: 5,
  p: 5,
};

function phpCanon(v: string): string[] {
  let s = v.replace(/^v/i, '').replace(/[-_+]/g, '.');
  s = s.replace(/(\d)(?=[^\d.])|([^\d.])(?=\d)/g, '$1$2.');
  return s.split('.').filter((p) => p !== '');
}

function phpPart(x: string, y: string): number {
  const dx = /^\d+$/.test(x);
  const dy = /^\d+$/.test(y);
  if (dx && dy) return cmpBig(x, y);
  const rx = dx ? PHP_SPECIAL['#']! : (PHP_SPECIAL[x.toLowerCase()] ?? -1);
  const ry = dy ? PHP_SPECIAL['#']! : (PHP_SPECIAL[y.toLowerCase()] ?? -1);
  return sign(rx - ry);
}

/** Packagist: PHP's `version_compare` on canonicalised versions (what Composer uses). */
export const comparePackagist: VersionComparator = (a, b) => {
  const x = phpCanon(a);
  const y = phpCanon(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = phpPart(x[i]!, y[i]!);
    if (c) return c;
  }
  if (x.length === y.length) return 0;
  // the longer one wins if its next part is a number, loses if it is a pre-release word
  const longer = x.length > y.length ? x : y;
  const c = /^\d+$/.test(longer[n]!) ? 1 : phpPart(longer[n]!, '#');
  return x.length > y.length ? c : -c;
};

/** OSV ecosystem name -> version order. Ecosystems with a `:suffix` (`Debian:11`) use their base. */
const BY_ECOSYSTEM: Record<string, VersionComparator> = {
  npm: compareSemver,
  'crates.io': compareSemver,
  Hex: compareSemver,
  Pub: compareSemver,
  Go: compareGo,
  PyPI: comparePep440,
  RubyGems: compareRubyGems,
  Maven: compareMaven,
  NuGet: compareNuGet,
  Packagist: comparePackagist,
};

/** The comparator OSV's ECOSYSTEM ranges use for `ecosystem`, or a generic one when unknown. */
export function comparatorFor(ecosystem: string): VersionComparator {
  return BY_ECOSYSTEM[ecosystem.split(':')[0]!] ?? compareGeneric;
}

/** Compares versions under an ecosystem's rules. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  return comparatorFor(ecosystem)(a, b);
}

/** How each ecosystem matches package names (PyPI is case- and separator-insensitive, PEP 503). */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (ecosystem.split(':')[0]) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'NuGet':
    case 'Packagist':
      return name.toLowerCase();
    default:
      return name;
  }
}
