import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emptyScanStats, FileScanner } from './files.js';
import { Scanner } from './scanner.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/labelled');
const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as {
  path: string;
  line: number;
  rule: string;
}[];

function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
  );
}

describe('labelled set', () => {
  it('finds every positive on its labelled line with its rule, and nothing in the negatives', () => {
    const fs = new FileScanner(new Scanner());
    const stats = emptyScanStats();
    const found: { path: string; line: number; rule: string }[] = [];
    for (const abs of files(dir)) {
      const path = relative(dir, abs).split('\\').join('/');
      if (path === 'labels.json' || path === 'SOURCES.md') continue;
      const out = fs.scanBuffer(readFileSync(abs), path, stats);
      if (out.kind === 'scanned')
        for (const m of out.matches) found.push({ path, line: m.startLine, rule: m.ruleId });
    }
    const key = (l: { path: string; line: number; rule: string }) => `${l.path}:${l.line}:${l.rule}`;
    expect(found.filter((f) => f.path.startsWith('negative/')).map(key)).toEqual([]);
    expect(labels.map(key).filter((k) => !found.map(key).includes(k))).toEqual([]);
    expect(found.length).toBe(labels.length);
  });
});
