import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import {
  type ChangedFile,
  ConfigError,
  type DiffInfo,
  defineStage,
  type FindingDraft,
  isUserError,
  keyFingerprint,
  normalisePath,
  type ReportError,
  type StageContext,
  type UserError,
} from '@devsecflow/core';
import { glob } from 'tinyglobby';
import {
  type CoverageData,
  type CoverageFormat,
  mergeCoverage,
  percent,
  readCoverage,
  totalsOf,
} from './coverage.js';
import { type JUnitSummary, readJUnit, type TestCaseResult } from './junit.js';
import { type LocationHint, locationHint, resolveHints } from './locate.js';
import { formatLineRanges, newCodeCoverage } from './new-code.js';
import type { CoverageInput, TestGateOptions } from './options.js';
import { TestGateOptionsSchema } from './options.js';
import { type CompiledQuarantine, compileQuarantine, findQuarantine } from './quarantine.js';

/** Rule ids of the findings this stage emits. */
export const TEST_GATE_RULES = {
  testFailed: 'test-gate/test-failed',
  testError: 'test-gate/test-error',
  maxFailures: 'test-gate/max-failures',
  minPassRate: 'test-gate/min-pass-rate',
  minTests: 'test-gate/min-tests',
  minLineCoverage: 'test-gate/min-line-coverage',
  minBranchCoverage: 'test-gate/min-branch-coverage',
  coverageDrop: 'test-gate/coverage-drop',
  newCodeCoverage: 'test-gate/new-code-coverage',
  quarantineExpired: 'test-gate/quarantine-expired',
  moreFailures: 'test-gate/more-failures',
} as const;

/** Failing tests listed one by one; past this, one finding counts the rest. */
const MAX_TEST_FINDINGS = 500;
const MAX_MESSAGE = 400;
const IGNORED_DIRS = ['**/node_modules/**', '**/.git/**'];

/** Extra inputs for tests and embedding: a fixed clock. */
export interface TestGateRunExtras {
  now?: Date;
}

function fmt(n: number | undefined): string {
  return n === undefined ? 'n/a' : `${Number.isInteger(n) ? n : n.toFixed(2)}%`;
}

/** One line of a failure: the message attribute, else the start of the body, trimmed. */
export function failureMessage(c: TestCaseResult, max = MAX_MESSAGE): string {
  const raw = (c.message?.trim() || c.details?.trim() || c.type || 'failed without a message').replace(
    /\r\n?/g,
    '\n',
  );
  const text = raw
    .replace(/\s*\n\s*/g, ' ⏎ ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `classname › name`, without repeating a classname the runner already put in the name (Jest). */
export function displayName(c: Pick<TestCaseResult, 'classname' | 'name'>): string {
  if (!c.classname || c.name.includes(c.classname) || TEST_FILE_SUFFIX.test(c.classname)) return c.name;
  return `${c.classname} › ${c.name}`;
}
const TEST_FILE_SUFFIX = /\.(?:[cm]?[jt]sx?|py|go|php|rb)$/;

function assertInsideRoot(pattern: string, key: string, ctx: StageContext): void {
  const p = pattern.replace(/\\/g, '/');
  if (isAbsolute(p) || p.split('/').includes('..')) {
    throw new ConfigError(
      `${key}: "${pattern}" must be a path relative to the root, inside it`,
      ctx.policy.locate(['stages', 'test-gate', key]),
    );
  }
}

/** Expands globs relative to the root; a glob matching nothing is recorded as an error. */
async function expand(
  patterns: string[],
  key: string,
  ctx: StageContext,
  errors: ReportError[],
): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    assertInsideRoot(pattern, key, ctx);
    const matches = await glob(pattern, { cwd: ctx.root, onlyFiles: true, dot: true, ignore: IGNORED_DIRS });
    if (matches.length === 0) {
      errors.push({ message: `${key}: no file matches "${pattern}"`, kind: 'error' });
    }
    for (const m of matches.sort()) out.add(normalisePath(m));
  }
  return [...out];
}

function inputError(e: UserError, path: string): ReportError {
  const pos = e.position;
  let message = e.message;
  if (pos && message.startsWith(pos.file))
    message = message.slice(pos.file.length).replace(/^(:\d+)*:\s*/, '');
  return { message, path, ...(pos?.line !== undefined ? { line: pos.line } : {}), kind: 'error' };
}

async function goModule(root: string): Promise<string | undefined> {
  try {
    const text = await readFile(join(root, 'go.mod'), 'utf8');
    return /^module\s+(\S+)/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

async function readCoverageInputs(
  inputs: CoverageInput[],
  key: string,
  ctx: StageContext,
  errors: ReportError[],
): Promise<CoverageData[]> {
  const list: CoverageData[] = [];
  let mod: string | undefined | null = null;
  for (const input of inputs) {
    const pattern = typeof input === 'string' ? input : input.path;
    const format: CoverageFormat | undefined = typeof input === 'string' ? undefined : input.format;
    for (const path of await expand([pattern], key, ctx, errors)) {
      if (mod === null) mod = await goModule(ctx.root);
      try {
        list.push(
          await readCoverage(join(ctx.root, path), {
            displayPath: path,
            root: ctx.root,
            signal: ctx.signal,
            ...(format ? { format } : {}),
            ...(mod ? { goModule: mod } : {}),
          }),
        );
      } catch (e) {
        if (!isUserError(e)) throw e;
        errors.push(inputError(e, path));
      }
    }
  }
  return list;
}

/** Makes a report's test file path relative to the root, when it names a file that exists there. */
function locator(root: string) {
  const cache = new Map<string, Promise<string | undefined>>();
  return (file: string): Promise<string | undefined> => {
    let hit = cache.get(file);
    if (!hit) {
      hit = (async () => {
        const p = file.replace(/\\/g, '/');
        const rel = isAbsolute(p) ? relative(root, p).replace(/\\/g, '/') : normalisePath(p);
        if (!rel || rel.startsWith('../') || isAbsolute(rel)) return undefined;
        try {
          return (await stat(join(root, rel))).isFile() ? rel : undefined;
        } catch {
          return undefined;
        }
      })();
      cache.set(file, hit);
    }
    return hit;
  };
}

async function changedLines(ctx: StageContext): Promise<DiffInfo> {
  if (ctx.diff) return ctx.diff;
  try {
    return await ctx.platform.changedLines();
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
}

/** Runs the gate over already-validated options. Exported for embedding and tests. */
export async function runTestGate(
  ctx: StageContext,
  options: TestGateOptions,
  extras: TestGateRunExtras = {},
): Promise<{
  findings: FindingDraft[];
  errors: ReportError[];
  stats: Record<string, number>;
  status?: 'failed';
}> {
  const findings: FindingDraft[] = [];
  const errors: ReportError[] = [];
  const stats: Record<string, number> = {};
  const now = extras.now ?? new Date();
  let unreadableJUnit = false;

  // --- Tests -------------------------------------------------------------------------------
  const quarantine = compileQuarantine(options.quarantine, now);
  const totals = {
    tests: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    skipped: 0,
    flaky: 0,
    suites: 0,
    quarantined: 0,
  };
  const failing: { c: TestCaseResult; report: string; q?: CompiledQuarantine }[] = [];
  let omitted = 0;
  let quarantinedCount = 0;
  const junitFiles = await expand(options.junit, 'junit', ctx, errors);
  if (options.junit.length > 0 && junitFiles.length === 0) unreadableJUnit = true;
  for (const path of junitFiles) {
    let summary: JUnitSummary;
    // Per-report tallies, merged only when the whole report was read.
    const fileFailing: typeof failing = [];
    let fileOmitted = 0;
    let fileQuarantined = 0;
    const room = () => MAX_TEST_FINDINGS - failing.length - fileFailing.length;
    try {
      summary = await readJUnit(join(ctx.root, path), {
        displayPath: path,
        signal: ctx.signal,
        maxStored: 0,
        onCase: (c) => {
          if (c.status !== 'failed' && c.status !== 'error') return;
          const q = findQuarantine(quarantine, c);
          if (q) fileQuarantined++;
          if (room() > 0) fileFailing.push({ c, report: path, ...(q ? { q } : {}) });
          else if (!q) fileOmitted++;
        },
      });
    } catch (e) {
      if (!isUserError(e)) throw e;
      // The results of this report are unknown: the stage cannot vouch for the tests at all.
      unreadableJUnit = true;
      errors.push(inputError(e, path));
      continue;
    }
    failing.push(...fileFailing);
    omitted += fileOmitted;
    quarantinedCount += fileQuarantined;
    for (const k of ['tests', 'passed', 'failed', 'errors', 'skipped', 'flaky', 'suites'] as const)
      totals[k] += summary[k];
  }
  totals.quarantined = quarantinedCount;
  const counted = totals.failed + totals.errors - quarantinedCount;
  const executed = totals.tests - totals.skipped - quarantinedCount;
  const passRate = percent(totals.passed, executed);
  if (options.junit.length > 0) {
    Object.assign(stats, totals, { reports: junitFiles.length, executed });
    if (passRate !== undefined) stats.passRate = passRate;
  }

  const maxFailures = options.maxFailures ?? (options.minPassRate === undefined ? 0 : undefined);
  const tooManyFailures = maxFailures !== undefined && counted > maxFailures;
  const lowPassRate =
    options.minPassRate !== undefined && passRate !== undefined && passRate < options.minPassRate;
  const failuresGate = tooManyFailures || lowPassRate;
  if (maxFailures !== undefined) stats['required.maxFailures'] = maxFailures;
  if (options.minPassRate !== undefined) stats['required.minPassRate'] = options.minPassRate;
  stats['required.minTests'] = options.minTests;

  const locate = locator(ctx.root);
  const paths = new Map<TestCaseResult, { path: string; line?: number }>();
  const hints = new Map<TestCaseResult, LocationHint>();
  const mod = await goModule(ctx.root);
  for (const { c } of failing) {
    const path = c.file ? await locate(c.file) : undefined;
    if (path) paths.set(c, { path, ...(c.line !== undefined ? { line: c.line } : {}) });
    else {
      const hint = locationHint(c, mod);
      if (hint) hints.set(c, hint);
    }
  }
  if (hints.size > 0) {
    const resolved = await resolveHints(ctx.root, [...hints.values()], IGNORED_DIRS);
    for (const [c, hint] of hints) {
      const path = resolved.get(hint);
      if (path) paths.set(c, { path, ...(hint.line !== undefined ? { line: hint.line } : {}) });
    }
  }
  for (const { c, report, q } of failing) {
    const where = paths.get(c);
    const path = where?.path;
    const ruleId = c.status === 'error' ? TEST_GATE_RULES.testError : TEST_GATE_RULES.testFailed;
    const properties: Record<string, unknown> = {
      suite: c.suite,
      ...(c.classname ? { classname: c.classname } : {}),
      name: c.name,
      ...(c.time !== undefined ? { time: c.time } : {}),
      report,
      ...(c.file && !path ? { file: c.file } : {}),
      ...(c.type ? { type: c.type } : {}),
      ...(c.reruns ? { reruns: c.reruns } : {}),
    };
    let severity: FindingDraft['severity'] = failuresGate ? 'high' : 'low';
    if (q) {
      severity = 'info';
      Object.assign(properties, {
        quarantined: true,
        quarantineOwner: q.entry.owner,
        quarantineExpires: q.entry.expires,
        quarantineReason: q.entry.reason,
      });
    } else if (!failuresGate) properties.withinThreshold = true;
    findings.push({
      ruleId,
      title: `${c.status === 'error' ? 'Test error' : 'Test failed'}: ${displayName(c)}`.slice(0, 300),
      message: failureMessage(c),
      severity,
      confidence: 'high',
      ...(where ? { location: { path: where.path, startLine: where.line ?? 1 } } : {}),
      fingerprint: keyFingerprint('test-gate', ruleId, c.classname ?? '', c.name),
      properties,
    });
  }
  if (omitted > 0) {
    findings.push({
      ruleId: TEST_GATE_RULES.moreFailures,
      title: `${omitted} more failing tests`,
      message: `${omitted} more failing or erroring tests are not listed one by one (the first ${MAX_TEST_FINDINGS} are).`,
      severity: failuresGate ? 'high' : 'low',
      confidence: 'high',
      fingerprint: keyFingerprint('test-gate', TEST_GATE_RULES.moreFailures),
    });
  }
  for (const q of quarantine) {
    if (!q.expired) continue;
    findings.push({
      ruleId: TEST_GATE_RULES.quarantineExpired,
      title: `Quarantine expired: ${q.entry.test}`,
      message: `The quarantine of "${q.entry.test}" (owner ${q.entry.owner}) expired on ${q.entry.expires}; its failures count again. Fix the test or renew the entry. Reason given: ${q.entry.reason}`,
      severity: 'medium',
      confidence: 'high',
      fingerprint: keyFingerprint(
        'test-gate',
        TEST_GATE_RULES.quarantineExpired,
        q.entry.test,
        q.entry.expires,
      ),
      properties: { test: q.entry.test, owner: q.entry.owner, expires: q.entry.expires, entry: q.index },
    });
  }
  if (options.junit.length > 0 && !unreadableJUnit) {
    // With no allowance (maxFailures 0) the failing tests' own findings say it all.
    if (tooManyFailures && maxFailures! > 0) {
      findings.push(
        threshold(
          TEST_GATE_RULES.maxFailures,
          'Too many failing tests',
          `${counted} failing or erroring test${counted === 1 ? '' : 's'}, at most ${maxFailures} allowed` +
            (quarantinedCount ? ` (${quarantinedCount} quarantined not counted)` : ''),
          counted,
          maxFailures!,
        ),
      );
    }
    if (lowPassRate) {
      findings.push(
        threshold(
          TEST_GATE_RULES.minPassRate,
          'Pass rate below the minimum',
          `pass rate ${fmt(passRate)}, at least ${fmt(options.minPassRate)} required`,
          passRate!,
          options.minPassRate!,
        ),
      );
    }
    if (executed < options.minTests) {
      findings.push(
        threshold(
          TEST_GATE_RULES.minTests,
          'Too few tests ran',
          `${executed} test${executed === 1 ? '' : 's'} ran (${totals.skipped} skipped), at least ${options.minTests} required` +
            (totals.tests === 0 ? ': the reports contain no test cases' : ''),
          executed,
          options.minTests,
        ),
      );
    }
  }

  // --- Coverage ----------------------------------------------------------------------------
  if (options.coverage.length > 0) {
    const list = await readCoverageInputs(options.coverage, 'coverage', ctx, errors);
    const coverage = mergeCoverage(list);
    const cannot = (what: string, why: string) =>
      errors.push({ message: `${what} could not be checked: ${why}`, kind: 'error' });
    if (coverage) {
      const t = totalsOf(coverage);
      const lineRate = percent(t.linesHit, t.linesFound);
      const branchRate = percent(t.branchesHit, t.branchesFound);
      Object.assign(stats, {
        coverageReports: list.length,
        coverageFiles: coverage.files.size,
        linesFound: t.linesFound,
        linesHit: t.linesHit,
        branchesFound: t.branchesFound,
        branchesHit: t.branchesHit,
      });
      if (lineRate !== undefined) stats.lineCoverage = lineRate;
      if (branchRate !== undefined) stats.branchCoverage = branchRate;

      if (options.minLineCoverage !== undefined) {
        stats['required.minLineCoverage'] = options.minLineCoverage;
        if (lineRate === undefined)
          cannot('minLineCoverage', 'the coverage reports list no executable lines');
        else if (lineRate < options.minLineCoverage) {
          findings.push(
            threshold(
              TEST_GATE_RULES.minLineCoverage,
              'Line coverage below the minimum',
              `line coverage ${fmt(lineRate)} (${t.linesHit}/${t.linesFound} lines), at least ${fmt(options.minLineCoverage)} required`,
              lineRate,
              options.minLineCoverage,
            ),
          );
        }
      }
      if (options.minBranchCoverage !== undefined) {
        stats['required.minBranchCoverage'] = options.minBranchCoverage;
        if (branchRate === undefined)
          cannot('minBranchCoverage', `the ${coverage.format} reports have no branch data`);
        else if (branchRate < options.minBranchCoverage) {
          findings.push(
            threshold(
              TEST_GATE_RULES.minBranchCoverage,
              'Branch coverage below the minimum',
              `branch coverage ${fmt(branchRate)} (${t.branchesHit}/${t.branchesFound} branches), at least ${fmt(options.minBranchCoverage)} required`,
              branchRate,
              options.minBranchCoverage,
            ),
          );
        }
      }
      if (options.maxCoverageDrop !== undefined && options.baselineCoverage !== undefined) {
        stats['required.maxCoverageDrop'] = options.maxCoverageDrop;
        const base = mergeCoverage(
          await readCoverageInputs([options.baselineCoverage], 'baselineCoverage', ctx, errors),
        );
        const bt = base ? totalsOf(base) : undefined;
        const baseRate = bt ? percent(bt.linesHit, bt.linesFound) : undefined;
        if (baseRate === undefined || lineRate === undefined) {
          cannot(
            'maxCoverageDrop',
            baseRate === undefined ? 'no baseline coverage was read' : 'no line coverage was read',
          );
        } else {
          const drop = Math.round((baseRate - lineRate) * 100) / 100;
          stats.baselineLineCoverage = baseRate;
          stats.coverageDrop = drop;
          if (drop > options.maxCoverageDrop) {
            findings.push(
              threshold(
                TEST_GATE_RULES.coverageDrop,
                'Line coverage dropped',
                `line coverage fell ${drop.toFixed(2)} points, from ${fmt(baseRate)} to ${fmt(lineRate)}; at most ${options.maxCoverageDrop} allowed`,
                drop,
                options.maxCoverageDrop,
              ),
            );
          }
        }
      }
      if (options.minNewCodeCoverage !== undefined) {
        stats['required.minNewCodeCoverage'] = options.minNewCodeCoverage;
        const diff = await changedLines(ctx);
        if (!diff.available) cannot('minNewCodeCoverage', `the changed lines are unknown (${diff.reason})`);
        else if (!coverage.lineDetail) {
          cannot(
            'minNewCodeCoverage',
            `${coverage.format} reports have no per-line data (use lcov, Cobertura, JaCoCo or Go)`,
          );
        } else newCode(findings, stats, coverage, diff.files, options.minNewCodeCoverage);
      }
    } else if (
      options.minLineCoverage !== undefined ||
      options.minBranchCoverage !== undefined ||
      options.maxCoverageDrop !== undefined ||
      options.minNewCodeCoverage !== undefined
    ) {
      cannot('coverage thresholds', 'no coverage report was read');
    }
  }

  return { findings, errors, stats, ...(unreadableJUnit ? { status: 'failed' as const } : {}) };
}

function newCode(
  findings: FindingDraft[],
  stats: Record<string, number>,
  coverage: CoverageData,
  changed: ChangedFile[],
  min: number,
): void {
  const nc = newCodeCoverage(coverage, changed);
  stats.newCodeLines = nc.lines;
  stats.newCodeLinesCovered = nc.covered;
  if (nc.percent === undefined) return;
  stats.newCodeCoverage = nc.percent;
  if (nc.percent >= min) return;
  const worst = nc.files.filter((f) => f.uncovered.length > 0);
  const detail = worst
    .slice(0, 5)
    .map((f) => `${f.path} (${f.covered}/${f.lines}; uncovered ${formatLineRanges(f.uncovered, 5)})`)
    .join('; ');
  const first = worst[0];
  findings.push({
    ...threshold(
      TEST_GATE_RULES.newCodeCoverage,
      'Coverage on new code below the minimum',
      `coverage on new code ${fmt(nc.percent)} (${nc.covered}/${nc.lines} changed lines), at least ${fmt(min)} required. Least covered: ${detail}`,
      nc.percent,
      min,
    ),
    ...(first ? { location: { path: first.path, startLine: first.uncovered[0]! } } : {}),
  });
}

function threshold(
  ruleId: string,
  title: string,
  message: string,
  measured: number,
  required: number,
): FindingDraft {
  return {
    ruleId,
    title,
    message,
    severity: 'high',
    confidence: 'high',
    fingerprint: keyFingerprint('test-gate', ruleId),
    properties: { measured, required },
  };
}

/**
 * The test gate: reads JUnit XML from any common runner and coverage reports, and reports failing
 * tests and missed thresholds (failures, pass rate, tests run, line/branch coverage, coverage drop,
 * coverage on new code) as findings. Quarantined failures stay visible at `info`.
 */
export const testGateStage = defineStage<TestGateOptions>({
  meta: {
    id: 'test-gate',
    title: 'Test gate',
    description:
      'JUnit XML from every common runner (streamed, any size) and coverage (lcov, Cobertura, JaCoCo, Istanbul, Go) checked against thresholds, including coverage on new code.',
    diffScope: 'none',
  },
  options: TestGateOptionsSchema,
  run: (ctx, options) => runTestGate(ctx, options),
});
