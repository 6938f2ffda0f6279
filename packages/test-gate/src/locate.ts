import { glob } from 'tinyglobby';
import type { TestCaseResult } from './junit.js';

/** Where a test probably lives when its report names no file: a base name, path suffixes, a line. */
export interface LocationHint {
  basename: string;
  /** Path suffixes to prefer among files with that base name (most specific first). */
  suffixes: string[];
  line?: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * JVM, .NET and Go runners name the test class or package, not the file: the file and line are in
 * the stack trace (`ExampleTests.java:26`, `TestServiceTests.cs:line 54`, `calc_test.go:13`).
 */
export function locationHint(c: TestCaseResult, goModule?: string): LocationHint | undefined {
  const text = `${c.message ?? ''}\n${c.details ?? ''}\n${c.systemOut ?? ''}`;
  const cls = c.classname ?? '';
  if (cls.includes('/')) {
    // Go: classname is the package import path; gotestsum/go-junit-report keep `file_test.go:N`.
    const m = /([\w.-]+_test\.go):(\d+)/.exec(text);
    if (!m) return undefined;
    const pkg = goModule && cls.startsWith(`${goModule}/`) ? cls.slice(goModule.length + 1) : cls;
    return { basename: m[1]!, suffixes: [`${pkg}/${m[1]}`], line: Number(m[2]) };
  }
  if (!/^[\w$]+(\.[\w$]+)*$/.test(cls)) return undefined;
  const outer = cls.replace(/\$.*$/, '');
  const simple = outer.split('.').pop()!;
  const m = new RegExp(
    `\\b${escapeRegExp(simple)}\\.(java|kt|scala|groovy|cs|fs|vb)(?::line\\s+|:)(\\d+)`,
  ).exec(text);
  if (!m) return undefined;
  const basename = `${simple}.${m[1]}`;
  // Java/Kotlin sources sit under their package path; C# namespaces need not match folders.
  const suffixes = /^(java|kt|scala|groovy)$/.test(m[1]!) ? [`${outer.replace(/\./g, '/')}.${m[1]}`] : [];
  return { basename, suffixes, line: Number(m[2]) };
}

/**
 * Resolves hints to repository paths with one glob over the tree. A base name that matches several
 * files and no suffix is left unresolved: a wrong location is worse than none.
 */
export async function resolveHints(
  root: string,
  hints: LocationHint[],
  ignore: string[],
  maxNames = 200,
): Promise<Map<LocationHint, string>> {
  const out = new Map<LocationHint, string>();
  const names = [...new Set(hints.map((h) => h.basename))]
    .filter((n) => /^[\w.$-]+$/.test(n))
    .slice(0, maxNames);
  if (names.length === 0) return out;
  const pattern = names.length === 1 ? `**/${names[0]}` : `**/{${names.join(',')}}`;
  const files = await glob(pattern, { cwd: root, onlyFiles: true, ignore, expandDirectories: false });
  const byName = new Map<string, string[]>();
  for (const f of files) {
    const base = f.split('/').pop()!;
    byName.set(base, [...(byName.get(base) ?? []), f]);
  }
  for (const h of hints) {
    const candidates = byName.get(h.basename) ?? [];
    const bySuffix = h.suffixes
      .map((s) => candidates.filter((f) => f === s || f.endsWith(`/${s}`)))
      .find((list) => list.length === 1)?.[0];
    const only = candidates.length === 1 ? candidates[0] : undefined;
    const path = bySuffix ?? only;
    if (path) out.set(h, path);
  }
  return out;
}
