// `pnpm run bench`: throughput of the writers and the SARIF reader on a large synthetic report.
import { codeFingerprint, type Finding, type Report } from '@devsecflow/core';
import { bench, describe } from 'vitest';
import { fromSarif, render, toSarif } from '../src/index.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

function bigReport(n: number): Report {
  const findings: Finding[] = Array.from({ length: n }, (_, i) => {
    const path = `packages/p${i % 50}/src/file-${i % 997}.ts`;
    const snippet = `query("SELECT * FROM t WHERE id=" + input${i})`;
    return {
      fingerprint: codeFingerprint(`rule-${i % 40}`, path, snippet),
      stage: 'sast',
      ruleId: `rule-${i % 40}`,
      title: `Rule ${i % 40} title`,
      message: `Finding ${i}: user input reaches a sink`,
      severity: SEVERITIES[i % 5]!,
      confidence: 'high',
      location: { path, startLine: (i % 400) + 1, startColumn: 3, snippet },
      identifiers: [{ type: 'cwe', value: 'CWE-89' }],
      references: ['https://cwe.mitre.org/data/definitions/89.html'],
    };
  });
  return {
    schemaVersion: '1',
    stage: 'sast',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/repo' },
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:01:00.000Z',
    status: 'ok',
    findings,
    errors: [],
    stats: {},
  };
}

const report = bigReport(20_000);
const opts = { iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 };
const sarifText = JSON.stringify(toSarif([report]));

describe('20,000 findings', () => {
  bench(
    'toSarif + stringify',
    () => {
      JSON.stringify(toSarif([report]));
    },
    opts,
  );
  bench(
    'fromSarif (parse + convert + validate)',
    () => {
      fromSarif(sarifText, { file: 'big.sarif' });
    },
    opts,
  );
  for (const id of ['gitlab-sast', 'gitlab-code-quality', 'junit', 'markdown', 'html'] as const) {
    bench(
      `render ${id}`,
      () => {
        render(id, [report]);
      },
      opts,
    );
  }
});
