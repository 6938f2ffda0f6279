import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InputError } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { readJUnit, type TestCaseResult } from './junit.js';

const fx = (...p: string[]) => join(import.meta.dirname, '../test/fixtures', ...p);
const read = (name: string, opts: { maxText?: number } = {}) =>
  readJUnit(fx('junit', name), { displayPath: `junit/${name}`, ...opts });
const byName = (cases: TestCaseResult[], name: string) => {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return c;
};

describe('readJUnit on real runner output', () => {
  it('jest-junit: counts, failure bodies, file attribute and line from the stack', async () => {
    const s = await read('jest-junit.xml');
    expect(s).toMatchObject({
      tests: 6,
      passed: 3,
      failed: 2,
      errors: 0,
      skipped: 1,
      suites: 1,
      runner: 'jest',
    });
    const c = byName(s.failures, 'calc clamps high values');
    expect(c).toMatchObject({ status: 'failed', file: 'test/calc.test.js', line: 6, suite: 'calc' });
    expect(c.details).toContain('Expected: 11');
  });

  it('vitest: classname is the file, line from the ❯ frame', async () => {
    const s = await read('vitest.xml');
    expect(s).toMatchObject({ tests: 6, passed: 3, failed: 2, skipped: 1, runner: 'vitest' });
    const c = byName(s.failures, 'calc > clamps high values');
    expect(c).toMatchObject({ file: 'test/calc.test.js', line: 7, type: 'AssertionError' });
    expect(c.message).toBe('expected 10 to be 11 // Object.is equality');
  });

  it('mocha-junit-reporter: nested suites, empty Root Suite, CDATA bodies', async () => {
    const s = await read('mocha-junit-reporter.xml');
    expect(s).toMatchObject({ tests: 6, passed: 3, failed: 2, skipped: 1, suites: 3, runner: 'mocha' });
    const c = byName(s.failures, 'calc edge cases clamps high values');
    expect(c).toMatchObject({ suite: 'edge cases', classname: 'clamps high values', line: 8 });
    expect(c.file).toMatch(/test\/calc\.test\.js$/);
  });

  it('cypress (mocha-junit-reporter): the spec file comes from the Root Suite', async () => {
    const s = await read('cypress.xml');
    expect(s).toMatchObject({ tests: 6, passed: 5, failed: 1, suites: 3, runner: 'mocha' });
    expect(s.failures[0]).toMatchObject({
      file: 'cypress/integration/1-getting-started/todo.spec.js',
      line: 128,
      type: 'AssertionError',
      suite: 'example to-do app',
    });
  });

  it('playwright: <error> is an error, retries folded, properties and system-out kept', async () => {
    const s = await read('playwright.xml');
    expect(s).toMatchObject({ tests: 7, passed: 4, failed: 1, errors: 1, skipped: 1 });
    const failed = byName(s.failures, 'calc › clamps high values');
    expect(failed).toMatchObject({ status: 'failed', file: 'calc.spec.js', line: 7 });
    expect(failed.systemOut).toContain('[[ATTACHMENT|');
    expect(byName(s.failures, 'calc › throws an error outside an assertion').status).toBe('error');
  });

  it('pytest legacy: 0-based line attributes become 1-based', async () => {
    const s = await read('pytest-legacy.xml');
    expect(s).toMatchObject({ tests: 5, passed: 2, failed: 1, errors: 1, skipped: 1, runner: 'pytest' });
    // `def test_clamps_high_values():` is line 9 of test_calc.py; pytest writes line="8".
    expect(byName(s.failures, 'test_clamps_high_values')).toMatchObject({ file: 'test_calc.py', line: 9 });
    expect(byName(s.failures, 'test_uses_broken_fixture').status).toBe('error');
  });

  it('pytest xunit2: file and line from the traceback', async () => {
    const s = await read('pytest-xunit2.xml');
    expect(s).toMatchObject({ tests: 5, failed: 1, errors: 1, runner: 'pytest' });
    expect(byName(s.failures, 'test_clamps_high_values')).toMatchObject({ file: 'test_calc.py', line: 10 });
  });

  it('gotestsum: subtests are cases, suite properties are not cases', async () => {
    const s = await read('gotestsum.xml');
    expect(s).toMatchObject({ tests: 6, passed: 4, failed: 1, skipped: 1 });
    expect(s.failures[0]).toMatchObject({ name: 'TestClampHigh', classname: 'example.com/calc/calc' });
    expect(s.failures[0]!.details).toContain('calc_test.go:13');
  });

  it('surefire: flakyFailure/flakyError pass, rerunFailure/rerunError stay failed', async () => {
    const flaky: string[] = [];
    const s = await readJUnit(fx('junit', 'surefire-flaky.xml'), {
      displayPath: 'surefire-flaky.xml',
      onCase: (c) => {
        if (c.flaky) flaky.push(c.name);
      },
    });
    expect(s).toMatchObject({ tests: 4, passed: 2, failed: 1, errors: 1, flaky: 2, runner: 'surefire' });
    expect(flaky.sort()).toEqual(['failsAssertionOnlyFirstAttempt', 'throwsOnlyFirstAttempt']);
    expect(byName(s.failures, 'throwsAlways')).toMatchObject({ status: 'error', reruns: 3 });
    // The rerun stack traces must not leak into the first failure's body.
    expect(byName(s.failures, 'failsAssertionAlways').details?.match(/AssertionFailedError:/g)).toHaveLength(
      1,
    );
  });

  it('gradle: a single <testsuite> root', async () => {
    const s = await read('gradle.xml');
    expect(s).toMatchObject({ tests: 3, passed: 2, failed: 1, suites: 1 });
    expect(s.failures[0]!.message).toContain('NOT_GONK');
  });

  it('phpunit: testcases beside nested suites, file attributes on cases', async () => {
    const s = await read('phpunit.xml');
    expect(s).toMatchObject({ tests: 6, passed: 4, failed: 2, suites: 3 });
    expect(s.failures[0]!.file).toMatch(/coversclass-attribute-is-deprecated\.phpt$/);
    expect(s.failures[0]!.line).toBe(28);
  });

  it('.NET JunitXml.TestLogger: CRLF messages, suite-level output ignored', async () => {
    const s = await read('dotnet-junitxml-testlogger.xml');
    expect(s).toMatchObject({ tests: 7, passed: 3, failed: 3, skipped: 1 });
    const c = byName(s.failures, 'TestTheory(expected: False)');
    expect(c.message).toContain('Expected: False');
    expect(c.systemOut).toBeUndefined();
  });
});

describe('readJUnit: failures a report declares but does not list', () => {
  it('jest-junit with reportTestSuiteErrors: the broken suite is an error case', async () => {
    const s = await read('jest-junit-suite-error.xml');
    expect(s).toMatchObject({ failed: 3, errors: 1 });
    expect(s.failures.find((c) => c.status === 'error')).toMatchObject({
      classname: 'Test suite failed to run',
      file: 'test/broken.test.js',
    });
  });

  it('a suite whose failures attribute has no failing case becomes one synthetic error', async () => {
    const s = await readJUnit(fx('junit-bad', 'declared-failures.xml'), { displayPath: 'x' });
    expect(s).toMatchObject({ tests: 2, passed: 1, errors: 1 });
    expect(s.failures[0]).toMatchObject({
      suite: 'checkout',
      name: 'checkout',
      status: 'error',
      file: 'test/checkout.test.js',
      properties: { synthetic: 'suite-count-mismatch' },
    });
    expect(s.failures[0]!.message).toMatch(/declares 2 failing or erroring tests in this suite but lists 0/);
  });

  it('the real runner files are consistent: no synthetic cases', async () => {
    for (const name of [
      'jest-junit.xml',
      'vitest.xml',
      'mocha-junit-reporter.xml',
      'cypress.xml',
      'playwright.xml',
      'pytest-legacy.xml',
      'pytest-xunit2.xml',
      'gotestsum.xml',
      'surefire-flaky.xml',
      'gradle.xml',
      'phpunit.xml',
      'dotnet-junitxml-testlogger.xml',
    ]) {
      const s = await read(name);
      expect(
        s.failures.filter((c) => c.properties?.synthetic),
        name,
      ).toEqual([]);
    }
  });
});

describe('readJUnit refuses what it cannot vouch for', () => {
  const rejects = async (name: string, pattern: RegExp) => {
    const err = await readJUnit(fx('junit-bad', name), { displayPath: `junit-bad/${name}` }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(new RegExp(`^junit-bad/${name.replace('.', '\\.')}:\\d+: `));
    expect(err.message).toMatch(pattern);
    return err as InputError;
  };

  it('an XXE payload (internal subset with a SYSTEM entity)', async () => {
    const err = await rejects('xxe.xml', /DOCTYPE declarations are refused/);
    expect(err.message).not.toContain('root:');
  });

  it('an entity expansion bomb (billion laughs), quickly and without expanding', async () => {
    const before = process.memoryUsage().rss;
    await rejects('billion-laughs.xml', /DOCTYPE declarations are refused/);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('an external DTD', async () => {
    await rejects('xxe-parameter-entity.xml', /DOCTYPE declarations are refused/);
  });

  it('a truncated file names the line and the missing closing tag', async () => {
    const err = await rejects(
      'truncated.xml',
      /truncated report: the file ends inside <failure> \(expected <\/failure> and 3 more closing tags\)/,
    );
    expect(err.position?.line).toBeGreaterThan(10);
  });

  it('mismatched tags', async () => {
    await rejects('mismatched.xml', /invalid XML: unexpected close tag/);
  });

  it('a file that is not JUnit', async () => {
    await rejects('not-junit.xml', /not a JUnit report: the root element is <TestRun>/);
  });

  it('an empty file', async () => {
    await rejects('empty-file.xml', /empty file/);
  });

  it('an empty <testsuites/> reads as zero tests (the gate decides)', async () => {
    const s = await readJUnit(fx('junit-bad', 'empty-testsuites.xml'), { displayPath: 'x' });
    expect(s).toMatchObject({ tests: 0, suites: 0, failures: [] });
  });
});

describe('readJUnit limits', () => {
  it('caps failure bodies and output', async () => {
    const s = await read('jest-junit.xml', { maxText: 40 });
    const c = byName(s.failures, 'calc clamps high values');
    expect(c.details).toMatch(/… \(truncated\)$/);
    expect(c.details!.length).toBeLessThan(60);
  });

  it('keeps at most maxStored failures and counts the rest', async () => {
    const s = await readJUnit(fx('junit', 'jest-junit.xml'), { displayPath: 'x', maxStored: 1 });
    expect(s.failures).toHaveLength(1);
    expect(s.omittedFailures).toBe(1);
    expect(s.failed).toBe(2);
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const xml = Buffer.from(
      '<testsuites><testsuite name="s"><testcase name="ünïcødé ✓"/></testsuite></testsuites>',
    );
    const chunks = [...xml].map((b) => Uint8Array.of(b));
    const names: string[] = [];
    await readJUnit(Readable.from(chunks), { displayPath: 'x', onCase: (c) => names.push(c.name) });
    expect(names).toEqual(['ünïcødé ✓']);
  });

  // 96 MB keeps the suite fast on two busy cores; bench/test-gate streams 1 GB.
  it('streams a 96 MB report in bounded memory', async () => {
    const target = 96 * 1024 * 1024;
    const block = (i: number) =>
      `<testsuite name="suite${i}" tests="50">` +
      Array.from({ length: 50 }, (_, j) =>
        j % 10 === 0
          ? `<testcase classname="pkg.Suite${i}" name="case${j}" time="0.01"><failure message="boom ${i}/${j}">${'stack frame\n'.repeat(20)}</failure><system-out>${'x'.repeat(500)}</system-out></testcase>`
          : `<testcase classname="pkg.Suite${i}" name="case${j}" time="0.01"/>`,
      ).join('') +
      '</testsuite>';
    async function* generate() {
      yield '<?xml version="1.0" encoding="UTF-8"?><testsuites name="big">';
      let sent = 0;
      for (let i = 0; sent < target; i++) {
        const b = block(i);
        sent += b.length;
        yield b;
      }
      yield '</testsuites>';
    }
    const before = process.memoryUsage().rss;
    let peak = before;
    let n = 0;
    const s = await readJUnit(Readable.from(generate()), {
      displayPath: 'big.xml',
      maxStored: 100,
      onCase: () => {
        if (++n % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    expect(s.tests).toBeGreaterThan(250_000);
    expect(s.failed).toBe(s.tests / 10);
    expect(s.failures).toHaveLength(100);
    // Holding the document would take > 190 MB (UTF-16); streaming stays well below that.
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  }, 300_000);
});
