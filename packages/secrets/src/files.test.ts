import { describe, expect, it } from 'vitest';
import { MINIFIED_AVERAGE_LINE } from './allowlist.js';
import { emptyScanStats, FileScanner, prepareText } from './files.js';
import { Scanner } from './scanner.js';
import { FAKES, rng } from './test-fakes.js';

/** prepareText as first written: every line measured, then long ones blanked. */
function reference(text: string, max: number) {
  const lines = text.split('\n');
  const longest = Math.max(...lines.map((l) => l.length));
  const minified = text.length > 4096 && text.length / lines.length > MINIFIED_AVERAGE_LINE;
  const tooLong = lines.filter((l) => l.length > max).length;
  return { text: lines.map((l) => (l.length > max ? '' : l)).join('\n'), minified, tooLong, longest };
}

describe('prepareText', () => {
  it('agrees with measuring every line, around the minified and long-line limits', () => {
    const rnd = rng(7);
    const lengths = [0, 1, 40, 500, 999, 1000, 1001, 1500, 4096, 5000, 19_999, 20_000, 20_001, 30_000];
    for (let i = 0; i < 400; i++) {
      const n = 1 + Math.floor(rnd() * 12);
      const text = Array.from({ length: n }, () =>
        'x'.repeat(lengths[Math.floor(rnd() * lengths.length)]!),
      ).join('\n');
      const max = rnd() < 0.5 ? 20_000 : 1000;
      const stats = emptyScanStats();
      const got = prepareText(text, max, stats);
      const want = reference(text, max);
      expect({
        minified: got.minified,
        tooLong: stats.linesSkippedTooLong,
        same: got.text === want.text,
      }).toEqual({ minified: want.minified, tooLong: want.tooLong, same: true });
    }
  });
});

describe('FileScanner.scanFile', () => {
  it('reads a file whose size changed since the walk (the size is a hint, not a limit)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'dsf-secrets-files-'));
    try {
      const file = join(dir, 'a.ts');
      // Over the 1 MiB read buffer, so the buffer grows mid-file too.
      const text = `${'const x = 1;\n'.repeat(100_000)}${FAKES['github-pat']!.fake(rng(3)).text}\n`;
      writeFileSync(file, text);
      const fs = new FileScanner(new Scanner());
      for (const hint of [undefined, 0, 10, text.length, text.length + 100]) {
        const out = fs.scanFile(file, 'a.ts', emptyScanStats(), hint);
        expect(out.kind === 'scanned' && out.matches.map((m) => [m.ruleId, m.startLine])).toEqual([
          ['github-pat', 100_001],
        ]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
