import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ConfigError,
  createMemoryLogger,
  type DiffInfo,
  defaultPolicy,
  loadConfig,
  type Platform,
  type Report,
  runStage,
} from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { TEST_GATE_RULES, testGateStage } from './stage.js';
import { testGateSummary } from './summary.js';

const FX = join(import.meta.dirname, '../test/fixtures');

/** A repo root with the given fixture files copied in (fixture path -> repo path). */
function repo(files: Record<string, string>, extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'tg-stage-'));
  for (const [from, to] of Object.entries(files)) {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    cpSync(join(FX, from), join(root, to));
  }
  for (const [to, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    writeFileSync(join(root, to), text);
  }
  return root;
}

function platform(diff: DiffInfo = { available: false, reason: 'no change request (local run)' }): Platform {
  const logger = createMemoryLogger();
  return {
    name: 'test',
    logger,
    context: async () => ({ platform: 'test' }),
    changedLines: async () => diff,
    publish: async () => {},
  };
}

async function run(
  root: string,
  options: Record<string, unknown>,
  extra: { diff?: DiffInfo; platformDiff?: DiffInfo; allowPartial?: boolean } = {},
): Promise<Report> {
  const policy = defaultPolicy(root);
  policy.stages = { 'test-gate': options };
  if (extra.allowPartial) policy.gate.allowPartial = true;
  return runStage(testGateStage, {
    root,
    policy,
    platform: platform(extra.platformDiff),
    tool: { name: 'devsecflow', version: '0.0.0-test' },
    ...(extra.diff ? { diff: extra.diff } : {}),
  });
}

const rules = (r: Report) => r.findings.map((f) => `${f.ruleId}:${f.severity}`).sort();

const JEST = { 'junit/jest-junit.xml': 'reports/junit.xml' };
const TEST_FILE = { 'test/calc.test.js': '// the test file the report names\n' };

describe('test gate: tests', () => {
  it('each failing test is a high finding at its file and line; the gate fails', async () => {
    const root = repo(JEST, TEST_FILE);
    const r = await run(root, { junit: ['reports/*.xml'] });
    expect(r.status).toBe('ok');
    expect(r.gate?.passed).toBe(false);
    expect(rules(r)).toEqual(['test-gate/test-failed:high', 'test-gate/test-failed:high']);
    const f = r.findings.find((x) => x.title === 'Test failed: calc clamps high values')!;
    expect(f.location).toEqual({ path: 'test/calc.test.js', startLine: 6 });
    expect(f.message).toMatch(/^Error: expect\(received\)\.toBe\(expected\)/);
    expect(f.message.length).toBeLessThanOrEqual(400);
    expect(f.properties).toMatchObject({
      suite: 'calc',
      name: 'calc clamps high values',
      report: 'reports/junit.xml',
    });
    expect(r.stats).toMatchObject({
      tests: 6,
      passed: 3,
      failed: 2,
      errors: 0,
      skipped: 1,
      executed: 5,
      passRate: 60,
    });
  });

  it('fingerprints survive a changed failure message', async () => {
    const a = await run(repo(JEST), { junit: ['reports/*.xml'] });
    const b = await run(repo({ 'junit/vitest.xml': 'reports/junit.xml' }), { junit: ['reports/*.xml'] });
    const fa = a.findings.filter((f) => f.ruleId === TEST_GATE_RULES.testFailed).map((f) => f.fingerprint);
    expect(new Set(fa).size).toBe(2);
    // Different runners name tests differently: different fingerprints, but each stable across runs.
    const again = await run(repo(JEST), { junit: ['reports/*.xml'] });
    expect(again.findings.map((f) => f.fingerprint)).toEqual(a.findings.map((f) => f.fingerprint));
    expect(b.findings.map((f) => f.fingerprint)).not.toEqual(a.findings.map((f) => f.fingerprint));
  });

  it('a location is left out when the named file is not in the tree', async () => {
    const r = await run(repo(JEST), { junit: 'reports/junit.xml' });
    const f = r.findings.find((x) => x.ruleId === TEST_GATE_RULES.testFailed)!;
    expect(f.location).toBeUndefined();
    expect(f.properties?.file).toBe('test/calc.test.js');
  });

  it('an empty <testsuites/> fails minTests', async () => {
    const r = await run(repo({ 'junit-bad/empty-testsuites.xml': 'junit.xml' }), { junit: ['junit.xml'] });
    expect(r.gate?.passed).toBe(false);
    expect(rules(r)).toEqual([`${TEST_GATE_RULES.minTests}:high`]);
    expect(r.findings[0]!.message).toBe(
      '0 tests ran (0 skipped), at least 1 required: the reports contain no test cases',
    );
  });

  it('a truncated report fails the stage, even with allowPartial', async () => {
    const r = await run(
      repo({ 'junit-bad/truncated.xml': 'out/junit.xml', 'junit/vitest.xml': 'out/other.xml' }),
      { junit: ['out/*.xml'], maxFailures: 10 },
      { allowPartial: true },
    );
    expect(r.status).toBe('failed');
    expect(r.gate?.passed).toBe(false);
    expect(r.errors).toEqual([
      {
        message:
          'truncated report: the file ends inside <failure> (expected </failure> and 3 more closing tags)',
        path: 'out/junit.xml',
        line: 23,
        kind: 'error',
      },
    ]);
  });

  it('an XXE report is refused and fails the stage', async () => {
    const r = await run(repo({ 'junit-bad/xxe.xml': 'junit.xml' }), { junit: ['junit.xml'] });
    expect(r.status).toBe('failed');
    expect(r.errors[0]?.message).toMatch(/DOCTYPE declarations are refused/);
    expect(JSON.stringify(r)).not.toContain('root:x:');
  });

  it('no report matching the glob fails the stage', async () => {
    const r = await run(repo({}), { junit: ['reports/**/*.xml'] });
    expect(r.status).toBe('failed');
    expect(r.errors[0]?.message).toBe('junit: no file matches "reports/**/*.xml"');
  });

  it('maxFailures allows failures: they stay visible at low severity', async () => {
    const r = await run(repo(JEST), { junit: ['reports/junit.xml'], maxFailures: 2 });
    expect(r.gate?.passed).toBe(true);
    expect(rules(r)).toEqual(['test-gate/test-failed:low', 'test-gate/test-failed:low']);
    expect(r.findings[0]!.properties?.withinThreshold).toBe(true);
  });

  it('past a maxFailures allowance, one finding says measured vs allowed', async () => {
    const r = await run(repo(JEST), { junit: ['reports/junit.xml'], maxFailures: 1 });
    expect(r.gate?.passed).toBe(false);
    expect(rules(r)).toEqual([
      `${TEST_GATE_RULES.maxFailures}:high`,
      'test-gate/test-failed:high',
      'test-gate/test-failed:high',
    ]);
    expect(r.findings.find((f) => f.ruleId === TEST_GATE_RULES.maxFailures)?.message).toBe(
      '2 failing or erroring tests, at most 1 allowed',
    );
  });

  it('minPassRate alone sets no count limit', async () => {
    const pass = await run(repo(JEST), { junit: ['reports/junit.xml'], minPassRate: 60 });
    expect(pass.gate?.passed).toBe(true);
    const fail = await run(repo(JEST), { junit: ['reports/junit.xml'], minPassRate: 61 });
    expect(fail.gate?.passed).toBe(false);
    expect(fail.findings.find((f) => f.ruleId === TEST_GATE_RULES.minPassRate)?.message).toBe(
      'pass rate 60%, at least 61% required',
    );
  });

  it('reads several reports and adds them up (Surefire flaky tests pass)', async () => {
    const r = await run(
      repo({
        'junit/surefire-flaky.xml': 'target/surefire-reports/TEST-a.xml',
        'junit/gradle.xml': 'build/TEST-b.xml',
      }),
      { junit: ['target/surefire-reports/*.xml', 'build/*.xml'] },
    );
    expect(r.stats).toMatchObject({ reports: 2, tests: 7, passed: 4, failed: 2, errors: 1, flaky: 2 });
    expect(rules(r).filter((x) => x.startsWith('test-gate/test-error'))).toEqual([
      'test-gate/test-error:high',
    ]);
  });
});

describe('test gate: output hygiene and volume', () => {
  it('masks credentials in failure text before it reaches a finding', async () => {
    const pass = ['hun', 'ter', '22'].join('');
    const xml = `<testsuites><testsuite name="s"><testcase classname="api" name="logs in"><failure message="GET https://bob:${pass}@api.example.com failed">at https://bob:${pass}@api.example.com</failure></testcase></testsuite></testsuites>`;
    const r = await run(repo({}, { 'junit.xml': xml }), { junit: ['junit.xml'] });
    expect(JSON.stringify(r)).not.toContain(pass);
    expect(r.findings.find((f) => f.ruleId === TEST_GATE_RULES.testFailed)?.message).toBe(
      'GET https://[REDACTED]@api.example.com failed',
    );
  });

  it('lists the first 500 failing tests and counts the rest in one finding', async () => {
    const cases = Array.from(
      { length: 503 },
      (_, i) => `<testcase classname="c" name="t${i}"><failure message="m"/></testcase>`,
    );
    const xml = `<testsuites><testsuite name="s">${cases.join('')}</testsuite></testsuites>`;
    const r = await run(repo({}, { 'junit.xml': xml }), { junit: ['junit.xml'] });
    expect(r.findings.filter((f) => f.ruleId === TEST_GATE_RULES.testFailed)).toHaveLength(500);
    expect(r.findings.find((f) => f.ruleId === TEST_GATE_RULES.moreFailures)?.message).toMatch(
      /^3 more failing/,
    );
    expect(r.stats.failed).toBe(503);
  });
});

describe('test gate: locations from stack traces', () => {
  const loc = (r: Report, name: string) => r.findings.find((f) => f.properties?.name === name)?.location;

  it('Surefire and Gradle: the class under its package path, the line from the trace', async () => {
    const r = await run(
      repo(
        { 'junit/surefire-flaky.xml': 'target/TEST-a.xml', 'junit/gradle.xml': 'build/TEST-b.xml' },
        {
          'src/test/java/example/ExampleTests.java': 'class ExampleTests {}\n',
          'other/example/ExampleTests.kt': '// same simple name, other language\n',
          'app/src/test/java/com/victor/paymentreporting/app/PowerDroidControllerTest.java': 'class T {}\n',
        },
      ),
      { junit: ['target/*.xml', 'build/*.xml'] },
    );
    expect(loc(r, 'throwsAlways')).toEqual({
      path: 'src/test/java/example/ExampleTests.java',
      startLine: 26,
    });
    expect(loc(r, 'failsToDemonstrateJUnitAnnotations()')).toEqual({
      path: 'app/src/test/java/com/victor/paymentreporting/app/PowerDroidControllerTest.java',
      startLine: 37,
    });
  });

  it('Go: the package path without the go.mod module, the line from the test log', async () => {
    const r = await run(
      repo(
        { 'junit/gotestsum.xml': 'junit.xml' },
        { 'go.mod': 'module example.com/calc\n\ngo 1.19\n', 'calc/calc_test.go': 'package calc\n' },
      ),
      { junit: ['junit.xml'] },
    );
    expect(loc(r, 'TestClampHigh')).toEqual({ path: 'calc/calc_test.go', startLine: 13 });
  });

  it('.NET: the test class file found by name, even across a wrapped stack line', async () => {
    const r = await run(
      repo(
        { 'junit/dotnet-junitxml-testlogger.xml': 'TestResults/junit.xml' },
        { 'test/SampleProject.Tests.xUnit/TestServiceTests.cs': 'class TestServiceTests {}\n' },
      ),
      { junit: ['TestResults/*.xml'] },
    );
    expect(loc(r, 'TestThrowingException')).toEqual({
      path: 'test/SampleProject.Tests.xUnit/TestServiceTests.cs',
      startLine: 54,
    });
  });

  it('an ambiguous file name gives no location rather than a wrong one', async () => {
    const r = await run(
      repo(
        { 'junit/dotnet-junitxml-testlogger.xml': 'junit.xml' },
        { 'a/TestServiceTests.cs': '\n', 'b/TestServiceTests.cs': '\n' },
      ),
      { junit: ['junit.xml'] },
    );
    expect(loc(r, 'TestThrowingException')).toBeUndefined();
  });
});

describe('test gate: quarantine', () => {
  const now = new Date();
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000).toISOString().slice(0, 10);

  it('an active entry turns the failure into info; the gate passes', async () => {
    const r = await run(repo(JEST), {
      junit: ['reports/junit.xml'],
      quarantine: [
        { test: 'calc clamps*', owner: '@alice', expires: inDays(30), reason: 'flaky on CI' },
        {
          test: 'calc throws an error outside an assertion::*',
          owner: '@bob',
          expires: inDays(1),
          reason: 'ticket 42',
        },
      ],
    });
    expect(rules(r)).toEqual(['test-gate/test-failed:info', 'test-gate/test-failed:info']);
    expect(r.gate?.passed).toBe(true);
    expect(r.stats).toMatchObject({ quarantined: 2, executed: 3, passRate: 100 });
    expect(r.findings[0]!.properties).toMatchObject({
      quarantined: true,
      quarantineOwner: expect.any(String),
    });
  });

  it('an expired entry stops counting and is reported itself', async () => {
    const r = await run(repo(JEST), {
      junit: ['reports/junit.xml'],
      quarantine: [
        { test: 'calc clamps high values', owner: '@alice', expires: inDays(-1), reason: 'flaky' },
      ],
    });
    expect(r.gate?.passed).toBe(false);
    expect(rules(r)).toEqual([
      `${TEST_GATE_RULES.quarantineExpired}:medium`,
      'test-gate/test-failed:high',
      'test-gate/test-failed:high',
    ]);
    expect(r.findings.find((f) => f.ruleId === TEST_GATE_RULES.quarantineExpired)?.message).toMatch(
      /expired on \d{4}-\d{2}-\d{2}; its failures count again/,
    );
  });

  it('an entry without owner or expiry is a configuration error', async () => {
    await expect(
      run(repo(JEST), { junit: ['reports/junit.xml'], quarantine: [{ test: 'x', reason: 'flaky' }] }),
    ).rejects.toThrow(ConfigError);
  });
});

const LCOV = { 'coverage/jest/lcov.info': 'coverage/lcov.info' };

describe('test gate: coverage', () => {
  it('line and branch thresholds: measured vs required', async () => {
    const r = await run(repo({ ...JEST, ...LCOV }), {
      junit: ['reports/junit.xml'],
      maxFailures: 5,
      coverage: ['coverage/lcov.info'],
      minLineCoverage: 80,
      minBranchCoverage: 50,
    });
    expect(r.stats).toMatchObject({ lineCoverage: 77.78, branchCoverage: 50, linesFound: 9, linesHit: 7 });
    expect(rules(r).filter((x) => !x.startsWith('test-gate/test-'))).toEqual([
      `${TEST_GATE_RULES.minLineCoverage}:high`,
    ]);
    expect(r.findings.find((f) => f.ruleId === TEST_GATE_RULES.minLineCoverage)?.message).toBe(
      'line coverage 77.78% (7/9 lines), at least 80% required',
    );
  });

  it('coverage formats are detected, or given explicitly', async () => {
    const r = await run(repo({ 'coverage/jacoco/jacoco-math.xml': 'build/jacoco.xml' }), {
      coverage: [{ path: 'build/jacoco.xml', format: 'jacoco' }],
      minTests: 0,
      minBranchCoverage: 10,
    });
    // JaCoCo without branches: the branch threshold cannot be checked, and says so.
    expect(r.status).toBe('partial');
    expect(r.errors[0]?.message).toBe(
      'minBranchCoverage could not be checked: the jacoco reports have no branch data',
    );
    expect(r.gate?.passed).toBe(false);
  });

  it('a coverage drop beyond maxCoverageDrop against the baseline file', async () => {
    const baseline =
      'SF:src/calc.js\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,1\nDA:5,1\nDA:6,1\nDA:7,1\nDA:8,1\nDA:9,1\nDA:10,0\nend_of_record\n';
    const root = repo(LCOV, { 'base/lcov.info': baseline });
    const r = await run(root, {
      coverage: ['coverage/lcov.info'],
      baselineCoverage: 'base/lcov.info',
      maxCoverageDrop: 5,
    });
    expect(r.stats).toMatchObject({ baselineLineCoverage: 90, lineCoverage: 77.78, coverageDrop: 12.22 });
    expect(r.findings.map((f) => f.ruleId)).toEqual([TEST_GATE_RULES.coverageDrop]);
    const ok = await run(root, {
      coverage: ['coverage/lcov.info'],
      baselineCoverage: 'base/lcov.info',
      maxCoverageDrop: 13,
    });
    expect(ok.findings).toEqual([]);
    expect(ok.gate?.passed).toBe(true);
  });

  it('maxCoverageDrop without a baseline is a configuration error', async () => {
    await expect(run(repo(LCOV), { coverage: ['coverage/lcov.info'], maxCoverageDrop: 1 })).rejects.toThrow(
      /maxCoverageDrop needs baselineCoverage/,
    );
  });

  it('an unreadable coverage file makes the report partial, never a pass', async () => {
    const r = await run(repo({}, { 'coverage/lcov.info': 'SF:a.js\nDA:1,1\n' }), {
      coverage: ['coverage/lcov.info'],
      minLineCoverage: 10,
    });
    expect(r.status).toBe('partial');
    expect(r.gate?.passed).toBe(false);
    expect(r.errors.map((e) => e.message)).toEqual([
      'invalid lcov: the file ends inside a record (expected end_of_record)',
      'coverage thresholds could not be checked: no coverage report was read',
    ]);
  });

  it('paths escaping the root are configuration errors', async () => {
    await expect(run(repo({}), { junit: ['../elsewhere/*.xml'] })).rejects.toThrow(ConfigError);
  });
});

describe('test gate: coverage on new code', () => {
  const diff: DiffInfo = {
    available: true,
    files: [
      // Lines 11-16 of src/calc.js: 11, 12 covered; 13, 16 not; 14, 15 not executable.
      { path: 'src/calc.js', lines: [{ start: 11, end: 16 }] },
      { path: 'README.md', lines: 'all' },
    ],
  };

  it('measures the changed executable lines and points at the first uncovered one', async () => {
    const r = await run(repo(LCOV), { coverage: ['coverage/lcov.info'], minNewCodeCoverage: 80 }, { diff });
    expect(r.stats).toMatchObject({ newCodeLines: 4, newCodeLinesCovered: 2, newCodeCoverage: 50 });
    const f = r.findings.find((x) => x.ruleId === TEST_GATE_RULES.newCodeCoverage)!;
    expect(f.message).toBe(
      'coverage on new code 50% (2/4 changed lines), at least 80% required. Least covered: src/calc.js (2/4; uncovered 13, 16)',
    );
    expect(f.location).toEqual({ path: 'src/calc.js', startLine: 13 });
  });

  it('asks the platform for the changed lines when diff-aware mode is off', async () => {
    const r = await run(
      repo(LCOV),
      { coverage: ['coverage/lcov.info'], minNewCodeCoverage: 50 },
      { platformDiff: diff },
    );
    expect(r.stats.newCodeCoverage).toBe(50);
    expect(r.gate?.passed).toBe(true);
  });

  it('says so when the changed lines are unknown (partial, not a silent pass)', async () => {
    const r = await run(repo(LCOV), { coverage: ['coverage/lcov.info'], minNewCodeCoverage: 80 });
    expect(r.status).toBe('partial');
    expect(r.errors[0]?.message).toBe(
      'minNewCodeCoverage could not be checked: the changed lines are unknown (no change request (local run))',
    );
    expect(r.gate?.passed).toBe(false);
  });

  it('a summary-only format cannot measure new code', async () => {
    const r = await run(
      repo({ 'coverage/jest/coverage-summary.json': 'coverage/coverage-summary.json' }),
      { coverage: ['coverage/coverage-summary.json'], minNewCodeCoverage: 80 },
      { diff },
    );
    expect(r.errors[0]?.message).toMatch(/istanbul-summary reports have no per-line data/);
  });

  it('JaCoCo package paths match repository paths by suffix', async () => {
    const r = await run(
      repo({ 'coverage/jacoco/jacoco-math.xml': 'build/jacoco.xml' }),
      { coverage: ['build/jacoco.xml'], minNewCodeCoverage: 50 },
      {
        diff: {
          available: true,
          files: [{ path: 'src/main/kotlin/com/madrapps/math/Math.kt', lines: 'all' }],
        },
      },
    );
    expect(r.stats).toMatchObject({ newCodeLines: 7, newCodeLinesCovered: 5 });
    expect(r.gate?.passed).toBe(true);
  });
});

describe('testGateSummary', () => {
  it('renders checks and failing tests as Markdown', async () => {
    const r = await run(repo({ ...JEST, ...LCOV }, TEST_FILE), {
      junit: ['reports/junit.xml'],
      coverage: ['coverage/lcov.info'],
      minLineCoverage: 70,
    });
    const md = testGateSummary(r);
    expect(md).toContain('### Test gate: ❌ failed');
    expect(md).toContain('**6 tests** in 1 report: 3 passed, 2 failed, 0 errors, 1 skipped.');
    expect(md).toContain('| Failing tests | 2 | ≤ 0 | ❌ |');
    expect(md).toContain('| Line coverage | 77.78% | ≥ 70% | ✅ |');
    expect(md).toContain('| calc clamps high values | `test/calc.test.js:6` | Error: expect(received)');
  });
});

describe('test gate: devsecflow.yml', () => {
  it('an unknown option is a configuration error at its file and line', async () => {
    const root = repo(JEST, {
      'devsecflow.yml': 'stages:\n  test-gate:\n    junit: [reports/junit.xml]\n    minCoverage: 80\n',
    });
    const policy = await loadConfig(join(root, 'devsecflow.yml'));
    const err = await runStage(testGateStage, {
      root,
      policy,
      platform: platform(),
      tool: { name: 'devsecflow', version: '0' },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/devsecflow\.yml:4:5: .*unknown key .minCoverage./);
  });

  it('a quarantine entry without an expiry names the entry', async () => {
    const root = repo(JEST, {
      'devsecflow.yml':
        'stages:\n  test-gate:\n    junit: [reports/junit.xml]\n    quarantine:\n      - test: x\n        owner: me\n        reason: flaky\n',
    });
    const policy = await loadConfig(join(root, 'devsecflow.yml'));
    const err = await runStage(testGateStage, {
      root,
      policy,
      platform: platform(),
      tool: { name: 'devsecflow', version: '0' },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/devsecflow\.yml:5:\d+: .*expires/);
  });
});

describe('the quick-start demo (examples/tests)', () => {
  it('reads its reports and fails the gate on the one planted failure', async () => {
    const root = join(import.meta.dirname, '../../../examples');
    const r = await run(root, {
      junit: ['tests/reports/junit.xml'],
      coverage: ['tests/reports/coverage/lcov.info'],
      minTests: 1,
      minLineCoverage: 80,
    });
    expect(r.status).toBe('ok');
    expect(r.gate?.passed).toBe(false);
    expect(rules(r)).toEqual(['test-gate/test-failed:high']);
    const f = r.findings.find((x) => x.ruleId === TEST_GATE_RULES.testFailed)!;
    expect(f.title).toBe('Test failed: cart > applies a 10% discount');
    expect(f.location).toEqual({ path: 'tests/app/cart.test.js', startLine: 23 });
    expect(r.stats).toMatchObject({ tests: 6, failed: 1, lineCoverage: 84.21, branchCoverage: 77.78 });
  });
});
