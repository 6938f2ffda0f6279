import { readFileSync } from 'node:fs';
import { InputError } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { render } from './registry.js';
import { readReports } from './report-file.js';
import { depsReport, sastReport } from './test-reports.js';
import { FIXTURE_DIR } from './test-validate.js';

describe('readReports', () => {
  it('reads one report, an array of reports, and SARIF', () => {
    expect(readReports(render('json', [sastReport()]), { file: 'r.json' })).toEqual([sastReport()]);
    expect(readReports(render('json', [sastReport(), depsReport()]), { file: 'r.json' })).toEqual([
      sastReport(),
      depsReport(),
    ]);
    expect(readReports(render('sarif', [depsReport()]), { file: 'r.sarif' })).toEqual([depsReport()]);
    const eslint = readReports(readFileSync(`${FIXTURE_DIR}sarif/eslint-9.39.5.sarif`, 'utf8'), {
      file: 'eslint.sarif',
      stage: 'sast',
    });
    expect(eslint[0]!.tool.name).toBe('ESLint');
  });

  it('points at the line and column of the first wrong field', () => {
    const text = render('json', [sastReport()]).replace('"severity": "critical"', '"severity": "urgent"');
    let error: unknown;
    try {
      readReports(text, { file: 'out/sast.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const line = text.split('\n').findIndex((l) => l.includes('"urgent"')) + 1;
    expect((error as Error).message).toMatch(
      new RegExp(
        `^out/sast\\.json:${line}:\\d+: findings\\.0\\.severity: .*\\(expected a DevSecFlow report, schema v1, or a SARIF 2\\.1\\.0 log\\)$`,
      ),
    );
  });

  it('rejects something that is neither', () => {
    expect(() => readReports('{"hello": 1}', { file: 'x.json' })).toThrow(
      /^x\.json:1:1: .*expected a DevSecFlow report/,
    );
    expect(() => readReports('not json', { file: 'x.json' })).toThrow(/^x\.json:1:1: invalid JSON/);
  });
});
