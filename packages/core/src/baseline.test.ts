import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBaseline, createBaseline, readBaseline, writeBaseline } from './baseline.js';
import type { Report } from './model.js';
import { finding, makeTree } from './test-helpers.js';

describe('baseline', () => {
  it('stores fingerprints only and marks new vs existing', async () => {
    const root = makeTree({});
    const report = {
      findings: [
        finding({ snippet: undefined, message: 'secret AKIA...' } as never),
        finding({ fingerprint: 'e'.repeat(32), suppression: { kind: 'inline', reason: 'x' } }),
      ],
    } as unknown as Report;
    const path = join(root, '.devsecflow/baseline.json');
    await writeBaseline(path, createBaseline([report], new Date('2026-01-01T00:00:00Z')));
    const b = await readBaseline(path);
    expect(b).toEqual({
      schemaVersion: 1,
      generatedAt: '2026-01-01T00:00:00.000Z',
      fingerprints: ['f'.repeat(32)],
    });
    const marked = applyBaseline([finding(), finding({ fingerprint: '0'.repeat(32) })], b);
    expect(marked.map((f) => f.baselineState)).toEqual(['existing', 'new']);
    expect(applyBaseline([finding()], undefined)[0]!.baselineState).toBe('new');
  });

  it('treats a missing file as empty and a malformed one as an input error', async () => {
    const root = makeTree({});
    expect(await readBaseline(join(root, 'none.json'))).toBeUndefined();
    writeFileSync(join(root, 'bad.json'), '{"fingerprints": [');
    await expect(readBaseline(join(root, 'bad.json'))).rejects.toThrow(
      /bad\.json: the baseline is not valid JSON/,
    );
    writeFileSync(join(root, 'wrong.json'), '{"fingerprints": ["secret-value"]}');
    await expect(readBaseline(join(root, 'wrong.json'))).rejects.toThrow(/not a DevSecFlow baseline/);
  });
});
