import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grammarForPath } from './languages.js';
import { loadRules } from './rules.js';
import { scanSource } from './scan.js';

// Every built-in rule is checked against test/rules/<language>/<rule-id>.<ext>: a `ruleid: <id>`
// comment means the next line must be reported, `ok: <id>` means it must not; no other line may be.
const TEST_DIR = join(import.meta.dirname, '..', 'test', 'rules');
const rules = loadRules();
const ANNOTATION = /(?:\/\/|#)\s*(ruleid|ok):\s*([\w-]+(?:\s*,\s*[\w-]+)*)/;

function testFileOf(language: string, id: string): string | undefined {
  let names: string[] = [];
  try {
    names = readdirSync(join(TEST_DIR, language));
  } catch {
    return undefined;
  }
  const name = names.find((n) => n.replace(/\.[a-z]+$/, '') === id);
  return name ? join(TEST_DIR, language, name) : undefined;
}

describe('rule packs', () => {
  it('has the minimum number of rules per language', () => {
    const count = (l: string) => rules.filter((r) => r.language === l).length;
    expect(count('javascript')).toBeGreaterThanOrEqual(60);
    expect(count('python')).toBeGreaterThanOrEqual(30);
    expect(count('go')).toBeGreaterThanOrEqual(15);
    expect(count('java')).toBeGreaterThanOrEqual(15);
  });

  it.each(rules.map((r) => [r.id, r] as const))('%s finds its ruleid lines and nothing else', (id, rule) => {
    const file = testFileOf(rule.language, id);
    expect(file, `missing test file test/rules/${rule.language}/${id}.*`).toBeDefined();
    const text = readFileSync(file!, 'utf8');
    const grammar = grammarForPath(file!);
    expect(grammar, `unknown test file type ${file}`).toEqual(expect.any(String));
    const lines = text.split('\n');
    const expected = new Set<number>();
    const ok = new Set<number>();
    lines.forEach((line, i) => {
      const m = ANNOTATION.exec(line);
      if (!m) return;
      const ids = m[2]!.split(',').map((s) => s.trim());
      if (!ids.includes(id)) return;
      (m[1] === 'ruleid' ? expected : ok).add(i + 2);
    });
    expect(expected.size, `${id}: needs at least one \`ruleid: ${id}\` case`).toBeGreaterThan(0);
    expect(ok.size, `${id}: needs at least one \`ok: ${id}\` case`).toBeGreaterThan(0);
    const found = new Set(scanSource(text, grammar!, [rule], file!).map((f) => f.location!.startLine));
    const missed = [...expected].filter((l) => !found.has(l));
    const unexpected = [...found].filter((l) => !expected.has(l));
    expect({ missed, unexpected }).toEqual({ missed: [], unexpected: [] });
  });
});
