import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareVersions, normalizePackageName } from './versions.js';

const dir = fileURLToPath(new URL('../test/fixtures/versions/', import.meta.url));

/** Lines `a < b`, `a = b`, `a > b`; `//` and `#` lines are comments. */
function vectors(file: string): [string, string, string][] {
  return readFileSync(dir + file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('//') && !l.startsWith('#'))
    .map((l) => l.split(/\s+/) as [string, string, string]);
}

function expected(op: string): number {
  return op === '<' ? -1 : op === '>' ? 1 : 0;
}

function failures(ecosystem: string, rows: [string, string, string][]): string[] {
  const bad: string[] = [];
  for (const [a, op, b] of rows) {
    if (Math.sign(compareVersions(ecosystem, a, b)) !== expected(op)) bad.push(`${a} ${op} ${b}`);
    // the reverse comparison must agree
    if (Math.sign(compareVersions(ecosystem, b, a)) !== -expected(op)) bad.push(`reverse ${a} ${op} ${b}`);
  }
  return bad;
}

describe('version ordering against real comparison vectors', () => {
  it('Maven ComparableVersion (osv-scanner / Maven ComparableVersionTest vectors)', () => {
    const rows = vectors('maven-versions.txt');
    expect(rows.length).toBeGreaterThan(100);
    // mvncmp's one known deviation from Maven: the qualifier "ga" inside a list is not dropped.
    expect(failures('Maven', rows)).toEqual(['1-1 = 1-ga-1', 'reverse 1-1 = 1-ga-1']);
  });

  it('NuGet', () => {
    const rows = vectors('nuget-versions.txt');
    expect(rows.length).toBeGreaterThan(30);
    expect(failures('NuGet', rows)).toEqual([]);
  });

  it('PyPI PEP 440 (legacy non-PEP-440 strings use the generic fallback)', () => {
    const rows = vectors('pypi-versions.txt');
    expect(rows.length).toBeGreaterThan(30);
    const bad = failures('PyPI', rows);
    // "0.9.rev"/"0.9.r" are post-releases in PEP 440 (> 0.9) but still < 1.0: all must pass
    expect(bad).toEqual([]);
  });

  it('SemVer, Go, RubyGems, Packagist (spec and manual examples)', () => {
    const rows = readFileSync(`${dir}other-versions.txt`, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/) as [string, string, string, string]);
    expect(rows.length).toBeGreaterThan(25);
    const bad: string[] = [];
    for (const [eco, a, op, b] of rows) bad.push(...failures(eco, [[a, op, b]]).map((f) => `${eco} ${f}`));
    expect(bad).toEqual([]);
  });

  it('normalises names per ecosystem', () => {
    expect(normalizePackageName('PyPI', 'Django_REST.framework')).toBe('django-rest-framework');
    expect(normalizePackageName('npm', 'Lodash')).toBe('Lodash');
    expect(normalizePackageName('NuGet', 'Newtonsoft.Json')).toBe('newtonsoft.json');
  });
});
