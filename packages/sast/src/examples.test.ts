import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalPlatform, defaultPolicy, runStage } from '@devsecflow/core';
import { expect, it } from 'vitest';
import { sastStage } from './stage.js';

// The quick-start demo: every `PLANTED <rule-id>` comment marks the next line as a finding the
// stage must report; nothing else in examples/app (the safe twins) may be reported.
const root = join(import.meta.dirname, '..', '..', '..', 'examples', 'app');
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: <T>(_t: string, fn: () => Promise<T>) => fn(),
};

it('finds every planted issue in examples/app and nothing on the safe twins', async () => {
  const expected: string[] = [];
  for (const name of readdirSync(root).filter((n) => /\.(js|ts|py)$/.test(n))) {
    readFileSync(join(root, name), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = /PLANTED ([a-z0-9-]+)/.exec(line);
        if (m) expected.push(`${name}:${i + 2}:${m[1]}`);
      });
  }
  expect(expected.length).toBeGreaterThanOrEqual(10);
  const report = await runStage(sastStage, {
    root,
    policy: defaultPolicy(root),
    platform: createLocalPlatform(root, quiet),
    logger: quiet,
    tool: { name: 'devsecflow', version: 'test' },
  });
  const found = report.findings.map((f) => `${f.location?.path}:${f.location?.startLine}:${f.ruleId}`);
  expect(found.sort()).toEqual(expected.sort());
  expect(report.status).toBe('ok');
});
