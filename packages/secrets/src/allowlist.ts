import { globMatcher } from '@devsecflow/core';

/**
 * Values published in provider documentation as examples. They are not secrets and appear in
 * docs, SDK tests and tutorials everywhere.
 */
export const DOCUMENTED_EXAMPLES: readonly string[] = [
  // AWS IAM user guide
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ASIAIOSFODNN7EXAMPLE',
  'AKIAI44QH8DHBEXAMPLE',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  // Azurite / Azure storage emulator well-known key
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  // Slack and Stripe docs
  'xoxb-not-a-real-token-this-will-not-work',
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
];

/**
 * Placeholder shapes: variable references, template markers, masks and words people put where a
 * secret will go. Applied to generic and URL rules, whose matches are not self-identifying.
 */
const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /^\$\{?[A-Za-z_][\w.]*\}?$/, // $VAR, ${VAR}
  /^\$\{\{.*\}\}$/, // ${{ secrets.X }}
  /^\{\{.*\}\}$/, // {{ var }}
  /^%\(?[\w.]+\)?s?%?$/, // %VAR%, %(name)s
  /^<[^>]*>$/, // <password>
  /^\[[^\]]*\]$/, // [password]
  /^(.)\1+$/, // xxxxxx, ******
  /^\*+$/,
  /^(?:x+|X+|#+|\.+|-+|_+|0+)$/,
  /(?:^|[^a-z])(?:changeme|change[_-]?me|changeit|example|examples|sample|placeholder|dummy|redacted|fake|foobar|your[_-]?(?:[a-z_-]*)|xxx+|todo|replace[_-]?me|insert[_-]?here|not[_-]?a[_-]?real|secret[_-]?here|my[_-]?(?:secret|password|token))(?:$|[^a-z])/i,
  /^(?:password|passwd|pass|secret|token|admin|root|test|testing|user|username|null|none|undefined|true|false|default|empty)\d{0,3}$/i,
  /^process\.env\./,
  /^os\.environ/,
  /^env\(/i,
  /^sha(?:1|256|384|512)-[A-Za-z0-9+/=]+$/, // subresource integrity
];

export function looksLikePlaceholder(value: string): boolean {
  return PLACEHOLDER_PATTERNS.some((re) => re.test(value));
}

/** Lockfiles hold integrity hashes and resolved URLs, never secrets a person typed. */
export const LOCKFILE_GLOBS: readonly string[] = [
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/bun.lock',
  '**/bun.lockb',
  '**/deno.lock',
  '**/Cargo.lock',
  '**/poetry.lock',
  '**/Pipfile.lock',
  '**/pdm.lock',
  '**/uv.lock',
  '**/composer.lock',
  '**/Gemfile.lock',
  '**/go.sum',
  '**/gradle.lockfile',
  '**/packages.lock.json',
  '**/Podfile.lock',
  '**/mix.lock',
  '**/pubspec.lock',
];

/** Minified bundles and source maps: generated from sources that are scanned themselves. */
export const MINIFIED_GLOBS: readonly string[] = [
  '**/*.min.js',
  '**/*.min.mjs',
  '**/*.min.css',
  '**/*-min.js',
  '**/*.js.map',
  '**/*.css.map',
  '**/*.map',
];

export type PathSkip = 'lockfile' | 'minified' | 'allowlisted';

export interface PathFilterOptions {
  includeLockfiles?: boolean;
  includeMinified?: boolean;
  allowPaths?: readonly string[];
}

/** `.` or `..` segments, which `**` never crosses in core's glob dialect. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * A matcher for globs of the forms `**\/name` and `**\/*suffix` (the default skip lists) that
 * answers from the base name, as picomatch does for them, without testing one regex per glob on
 * every path. Paths with `.`/`..` segments (never produced by the walker or git) go to picomatch.
 */
export function baseNameMatcher(globs: readonly string[]): (path: string) => boolean {
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const g of globs) {
    const m = /^\*\*\/(\*)?([^*?[\]{}()!+@/\\]+)$/.exec(g);
    if (!m) throw new Error(`not a **/name or **/*suffix glob: ${g}`);
    if (m[1]) suffixes.push(m[2]!);
    else names.add(m[2]!);
  }
  let fallback: ((path: string) => boolean) | undefined;
  return (path) => {
    if (DOT_SEGMENT.test(path)) {
      fallback ??= globMatcher(globs);
      return fallback(path);
    }
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (names.has(base)) return true;
    for (const s of suffixes) if (base.endsWith(s)) return true;
    return false;
  };
}

/** Decides which paths are skipped by default or by configuration, and why. */
export function createPathFilter(options: PathFilterOptions = {}): (path: string) => PathSkip | undefined {
  const lock = options.includeLockfiles ? () => false : baseNameMatcher(LOCKFILE_GLOBS);
  const min = options.includeMinified ? () => false : baseNameMatcher(MINIFIED_GLOBS);
  const allow = options.allowPaths?.length ? globMatcher(options.allowPaths) : () => false;
  return (path) => {
    if (allow(path)) return 'allowlisted';
    if (lock(path)) return 'lockfile';
    if (min(path)) return 'minified';
    return undefined;
  };
}

/**
 * Very long lines mark generated code; a file whose average line is longer than this (and is not
 * tiny) is treated as minified even without a `.min.` name.
 */
export const MINIFIED_AVERAGE_LINE = 1000;
