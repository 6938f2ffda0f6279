import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import {
  type CoverageData,
  coveragePath,
  detectCoverageFormat,
  mergeCoverage,
  percent,
  readCoverage,
  totalsOf,
} from './coverage.js';

const fx = (...p: string[]) => join(import.meta.dirname, '../test/fixtures/coverage', ...p);
const read = (path: string, extra: { root?: string; goModule?: string } = {}) =>
  readCoverage(fx(path), { displayPath: path, ...extra });
const tmp = () => mkdtempSync(join(tmpdir(), 'tg-cov-'));

describe('format detection', () => {
  it.each([
    ['jest/lcov.info', 'lcov'],
    ['jest/cobertura-coverage.xml', 'cobertura'],
    ['pytest/coverage-py-cobertura.xml', 'cobertura'],
    ['jest/coverage-summary.json', 'istanbul-summary'],
    ['jacoco/jacoco-math.xml', 'jacoco'],
    ['go/coverage.out', 'go'],
  ])('%s is %s', async (file, format) => {
    expect(await detectCoverageFormat(fx(file))).toBe(format);
  });

  it('an unknown file is an error naming it', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.txt'), 'hello');
    await expect(readCoverage(join(dir, 'x.txt'), { displayPath: 'x.txt' })).rejects.toThrow(
      /^x\.txt: cannot tell the coverage format/,
    );
  });
});

describe('readers agree on the same run', () => {
  // One jest run, three istanbul reporters: 9 lines (7 hit), 8 branches (4 hit).
  it.each(['jest/lcov.info', 'jest/cobertura-coverage.xml', 'jest/coverage-summary.json'])(
    '%s',
    async (file) => {
      const data = await read(file, { root: '/tmp/tg-fx/jest' });
      expect(totalsOf(data)).toEqual({ linesFound: 9, linesHit: 7, branchesFound: 8, branchesHit: 4 });
      expect([...data.files.keys()]).toEqual(['src/calc.js']);
    },
  );

  it('vitest v8: lcov and cobertura agree', async () => {
    const lcov = totalsOf(await read('vitest/lcov.info'));
    const cob = totalsOf(await read('vitest/cobertura-coverage.xml', { root: '/tmp/tg-fx/vitest' }));
    expect(lcov).toEqual({ linesFound: 17, linesHit: 12, branchesFound: 6, branchesHit: 4 });
    expect(cob).toEqual(lcov);
  });
});

describe('lcov', () => {
  it('keeps per-line hits and per-line branches', async () => {
    const f = (await read('jest/lcov.info')).files.get('src/calc.js')!;
    expect(f.lines?.get(13)).toBe(0);
    expect(f.lines?.get(5)).toBe(2);
    expect(f.branches?.get(11)).toEqual({ found: 2, hit: 1 });
  });

  it('a record without end_of_record is a truncated file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'lcov.info'), 'TN:\nSF:a.js\nDA:1,1\n');
    const err = await readCoverage(join(dir, 'lcov.info'), { displayPath: 'lcov.info' }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      'lcov.info:3: invalid lcov: the file ends inside a record (expected end_of_record)',
    );
  });

  it('a bad DA line names the line', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'lcov.info'), 'SF:a.js\nDA:x,1\nend_of_record\n');
    await expect(readCoverage(join(dir, 'lcov.info'), { displayPath: 'lcov.info' })).rejects.toThrow(
      /^lcov\.info:2: invalid lcov: expected DA:<line>,<hits>/,
    );
  });
});

describe('cobertura', () => {
  it('coverage.py: condition-coverage gives branches, paths relative to <source>', async () => {
    const data = await read('pytest/coverage-py-cobertura.xml', { root: '/tmp/tg-fx/py' });
    expect(totalsOf(data)).toEqual({ linesFound: 26, linesHit: 22, branchesFound: 8, branchesHit: 6 });
    const calc = data.files.get('calc.py')!;
    expect(calc.branches?.get(6)).toEqual({ found: 2, hit: 1 });
    expect(calc.lines?.get(7)).toBe(0);
  });

  it('method lines are not counted twice', async () => {
    const data = await read('jest/cobertura-coverage.xml');
    expect(data.files.get('src/calc.js')!.linesFound).toBe(9);
  });

  it('refuses a DOCTYPE other than the Cobertura one', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'c.xml'),
      '<?xml version="1.0"?>\n<!DOCTYPE coverage [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<coverage>&x;</coverage>',
    );
    await expect(readCoverage(join(dir, 'c.xml'), { displayPath: 'c.xml' })).rejects.toThrow(
      /^c\.xml:2: DOCTYPE declarations are refused/,
    );
  });
});

describe('jacoco', () => {
  it('accepts JaCoCo’s own DOCTYPE without fetching it; paths are package paths', async () => {
    const data = await read('jacoco/jacoco-math.xml');
    expect([...data.files.keys()]).toEqual(['com/madrapps/math/Math.kt']);
    expect(totalsOf(data)).toEqual({ linesFound: 7, linesHit: 5, branchesFound: 0, branchesHit: 0 });
  });

  it('reads mb/cb branch counters (format as documented by JaCoCo)', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'jacoco.xml'),
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">' +
        '<report name="r"><package name="com/x"><sourcefile name="A.java">' +
        '<line nr="3" mi="0" ci="3" mb="1" cb="1"/><line nr="4" mi="2" ci="0" mb="0" cb="0"/>' +
        '</sourcefile></package></report>',
    );
    const data = await readCoverage(join(dir, 'jacoco.xml'), { displayPath: 'jacoco.xml' });
    expect(data.files.get('com/x/A.java')).toMatchObject({
      linesFound: 2,
      linesHit: 1,
      branchesFound: 2,
      branchesHit: 1,
    });
  });

  it('a truncated JaCoCo report is an error', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'j.xml'), '<report name="r"><package name="p"><sourcefile name="A.java">');
    await expect(
      readCoverage(join(dir, 'j.xml'), { displayPath: 'j.xml', format: 'jacoco' }),
    ).rejects.toThrow(
      /truncated report: the file ends inside <sourcefile> \(expected <\/sourcefile> and 2 more closing tags\)/,
    );
  });
});

describe('go coverprofile', () => {
  it('strips the module path and takes the highest count per line', async () => {
    const data = await read('go/coverage.out', { goModule: 'example.com/calc' });
    const f = data.files.get('calc/calc.go')!;
    expect(f.lines?.get(23)).toBe(0);
    expect(f.lines?.get(18)).toBe(0);
    expect(f.lines?.get(17)).toBe(1);
    expect(f.branchesFound).toBe(0);
    expect(percent(f.linesHit, f.linesFound)).toBeGreaterThan(70);
  });

  it('rejects a file without the mode line', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.out'), 'a.go:1.1,2.2 1 1\n');
    await expect(readCoverage(join(dir, 'c.out'), { displayPath: 'c.out', format: 'go' })).rejects.toThrow(
      /^c\.out:1: not a Go coverprofile/,
    );
  });
});

describe('istanbul summary', () => {
  it('has totals but no line detail', async () => {
    const data = await read('vitest/coverage-summary.json', { root: '/tmp/tg-fx/vitest' });
    expect(data.lineDetail).toBe(false);
    expect(data.files.get('src/calc.js')).toMatchObject({ linesFound: 17, linesHit: 12 });
  });
});

describe('paths and merging', () => {
  it('makes absolute paths under the root relative, keeps others', () => {
    expect(coveragePath('/repo/src/a.ts', '/repo')).toBe('src/a.ts');
    expect(coveragePath('C:\\repo\\src\\a.ts')).toBe('C:/repo/src/a.ts');
    expect(coveragePath('./src/../src/a.ts', '/repo')).toBe('src/a.ts');
    expect(coveragePath('a.py', '/repo', '/repo/pkg')).toBe('pkg/a.py');
  });

  it('merges per line (highest hits) across reports', () => {
    const mk = (hits: [number, number][]): CoverageData => ({
      format: 'lcov',
      file: 'x',
      lineDetail: true,
      files: new Map([
        [
          'a.ts',
          {
            path: 'a.ts',
            lines: new Map(hits),
            linesFound: 0,
            linesHit: 0,
            branchesFound: 0,
            branchesHit: 0,
          },
        ],
      ]),
    });
    const merged = mergeCoverage([
      mk([
        [1, 1],
        [2, 0],
      ]),
      mk([
        [2, 3],
        [3, 0],
      ]),
    ])!;
    expect(totalsOf(merged)).toMatchObject({ linesFound: 3, linesHit: 2 });
  });
});
