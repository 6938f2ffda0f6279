import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { addLineHashes, assignCategories, splitSarif } from './sarif.js';
import { FIXTURES } from './test-helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: test data
type Json = Record<string, any>;

function run(tool: string, results: number, level = 'warning'): Json {
  return {
    tool: { driver: { name: tool } },
    results: Array.from({ length: results }, (_, i) => ({
      ruleId: 'r',
      level: i % 10 === 0 ? 'error' : level,
      message: { text: `result ${i} ${'x'.repeat(40)}` },
    })),
  };
}

const decode = (payload: string): Json =>
  JSON.parse(gunzipSync(Buffer.from(payload, 'base64')).toString('utf8'));

describe('assignCategories', () => {
  it('names one run after the prefix, several after their tools, keeps given ids, never repeats', () => {
    const one = { runs: [run('A', 0)] };
    assignCategories(one, 'devsecflow/sast');
    expect(one.runs[0]!.automationDetails.id).toBe('devsecflow/sast/');
    const many = {
      runs: [run('Tool A', 0), run('Tool A', 0), { ...run('B', 0), automationDetails: { id: 'mine/' } }],
    };
    assignCategories(many, 'devsecflow');
    expect(many.runs.map((r) => r.automationDetails.id)).toEqual([
      'devsecflow-tool-a/',
      'devsecflow-tool-a-2/',
      'mine/',
    ]);
  });
});

describe('splitSarif', () => {
  it('keeps everything in one upload when within the limits', () => {
    const { parts, dropped, notes } = splitSarif({ version: '2.1.0', runs: [run('A', 5)] });
    expect(parts).toHaveLength(1);
    expect(dropped).toBe(0);
    expect(notes).toEqual([]);
    expect(decode(parts[0]!.payload)).toMatchObject({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'A' } } }],
    });
  });

  it('spreads runs over uploads of at most maxRuns', () => {
    const sarif = { version: '2.1.0', runs: Array.from({ length: 45 }, (_, i) => run(`T${i}`, 1)) };
    const { parts } = splitSarif(sarif, { maxGzipBytes: 10e6, maxRuns: 20, maxResultsPerRun: 25_000 });
    expect(parts.map((p) => p.runs)).toEqual([20, 20, 5]);
  });

  it('keeps the most severe results of a run over maxResultsPerRun', () => {
    const sarif = { version: '2.1.0', runs: [run('A', 100, 'note')] };
    const { parts, dropped, notes } = splitSarif(sarif, {
      maxGzipBytes: 10e6,
      maxRuns: 20,
      maxResultsPerRun: 10,
    });
    expect(dropped).toBe(90);
    const kept = decode(parts[0]!.payload).runs[0].results;
    expect(kept).toHaveLength(10);
    expect(kept.every((r: Json) => r.level === 'error')).toBe(true);
    expect(notes[0]).toMatch(/kept the 10 most severe results, left out 90/);
  });

  it('splits by runs, then trims a lone run, to fit the gzip limit', () => {
    const random = (n: number) =>
      Array.from({ length: n }, () => Math.random().toString(36).slice(2)).join(' ');
    const big = (tool: string) => ({
      tool: { driver: { name: tool } },
      results: Array.from({ length: 200 }, (_, i) => ({
        level: i < 5 ? 'error' : 'note',
        message: { text: random(20) },
      })),
    });
    const sarif = { version: '2.1.0', runs: [big('A'), big('B')] };
    const limit = 20_000;
    const { parts, dropped } = splitSarif(sarif, {
      maxGzipBytes: limit,
      maxRuns: 20,
      maxResultsPerRun: 25_000,
    });
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const p of parts) expect(p.gzipBytes).toBeLessThanOrEqual(limit);
    expect(dropped).toBeGreaterThan(0);
    for (const p of parts) {
      const results = decode(p.payload).runs[0].results as Json[];
      expect(results.slice(0, 5).every((r) => r.level === 'error')).toBe(true);
    }
  });
});

describe('addLineHashes', () => {
  it('adds hashes for results in files under the root and leaves others alone', async () => {
    const sarif = JSON.parse(readFileSync(join(FIXTURES, 'sarif', 'devsecflow-sast.sarif'), 'utf8'));
    sarif.runs[0].results.push({
      ruleId: 'x',
      message: { text: 'outside' },
      locations: [
        { physicalLocation: { artifactLocation: { uri: '../../etc/passwd' }, region: { startLine: 1 } } },
      ],
    });
    const added = await addLineHashes(sarif, join(FIXTURES, 'repo'));
    expect(added).toBe(2);
    expect(sarif.runs[0].results[2].partialFingerprints).toBeUndefined();
    expect(sarif.runs[0].results[0].partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]+:1$/);
  });

  it('skips runs it is told to skip', async () => {
    const sarif = JSON.parse(readFileSync(join(FIXTURES, 'sarif', 'devsecflow-sast.sarif'), 'utf8'));
    expect(await addLineHashes(sarif, join(FIXTURES, 'repo'), () => true)).toBe(0);
  });
});

describe('addLineHashes with a uriBaseId', () => {
  it('resolves relative URIs against originalUriBaseIds', async () => {
    const sarif = JSON.parse(readFileSync(join(FIXTURES, 'sarif', 'devsecflow-sast.sarif'), 'utf8'));
    // %SRCROOT% pointing at a directory that does not exist: nothing to hash.
    sarif.runs[0].originalUriBaseIds = { '%SRCROOT%': { uri: 'file:///nonexistent/repo/' } };
    expect(await addLineHashes(sarif, '/')).toBe(0);
    sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri = pathToFileURL(`${join(FIXTURES, 'repo')}/`).href;
    expect(await addLineHashes(sarif, FIXTURES)).toBe(2);
  });
});
