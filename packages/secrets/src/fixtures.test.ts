import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { examplePlantedFiles, labelledPositives } from './test-fixtures.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const update = process.env.UPDATE_FIXTURES === '1';

function check(dir: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(dir, path);
    if (update) {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
    expect(readFileSync(abs, 'utf8'), `${abs} is stale: run pnpm --filter @devsecflow/secrets fixtures`).toBe(
      content,
    );
  }
}

describe('generated fixtures are committed and current', () => {
  it('labelled set (positives, near misses, labels.json)', () => {
    const { files, labels } = labelledPositives();
    check(join(pkg, 'test/fixtures/labelled'), {
      ...files,
      'labels.json': `${JSON.stringify(labels, null, 2)}\n`,
    });
  });
  it('examples/secrets planted files', () => {
    const { files, planted } = examplePlantedFiles();
    check(join(pkg, '../../examples/secrets'), {
      ...files,
      'planted.json': `${JSON.stringify(planted, null, 2)}\n`,
    });
  });
});
