import type { SaxesTagPlain } from 'saxes';
import { redactSecrets } from './redact.js';
import { parseXml, XmlContentError, type XmlInput } from './xml.js';

export type TestStatus = 'passed' | 'failed' | 'error' | 'skipped';

/** One `<testcase>` as read from a JUnit report, with its text fields capped. */
export interface TestCaseResult {
  /** Name of the innermost enclosing `<testsuite>` ('' when the case sits outside one). */
  suite: string;
  classname?: string;
  name: string;
  /** Test file as the report gives it (testcase, then suite, then document `file` attribute). */
  file?: string;
  /** 1-based line: the report's `line` attribute, else the first `file:line` in the failure text. */
  line?: number;
  /** Seconds. */
  time?: number;
  status: TestStatus;
  /** Passed on a rerun after failing (Surefire flakyFailure / flakyError). */
  flaky?: boolean;
  /** Number of reruns that failed too (Surefire rerunFailure / rerunError). */
  reruns?: number;
  /** The failure/error/skipped `message` attribute. */
  message?: string;
  /** The failure/error `type` attribute (exception class, assertion type). */
  type?: string;
  /** The failure/error body (stack trace), capped. */
  details?: string;
  systemOut?: string;
  systemErr?: string;
  properties?: Record<string, string>;
}

/** Counts over one report. `tests` = passed + failed + errors + skipped; flaky ones count as passed. */
export interface TestCounts {
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  flaky: number;
}

export interface JUnitSummary extends TestCounts {
  /** The path given in options (relative to the root). */
  file: string;
  suites: number;
  /** Sum of testcase times, seconds. */
  time: number;
  /** The runner when the report shows it (jest, vitest, mocha, pytest, surefire, go, phpunit...). */
  runner?: string;
  /** Failed and erroring cases, up to `maxStored`. */
  failures: TestCaseResult[];
  /** Failed and erroring cases not kept because of `maxStored`. */
  omittedFailures: number;
}

export interface ReadJUnitOptions {
  /** Path used in messages and results, relative to the root. */
  displayPath: string;
  /** Called for every test case as it is read (quarantine, custom aggregation). */
  onCase?: (c: TestCaseResult) => void;
  /** Failing cases kept in the summary; the rest are counted. Default 10,000. */
  maxStored?: number;
  /** Characters kept of each failure body / system-out / system-err. Default 2,000. */
  maxText?: number;
  signal?: AbortSignal;
}

const MAX_PROPERTIES = 20;
const MAX_PROPERTY_VALUE = 200;

interface Capture {
  field: 'details' | 'systemOut' | 'systemErr';
  text: string;
  truncated: boolean;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runners name test files in `classname` (Vitest, Playwright) or not at all (Jest, Go). */
const TEST_FILE_RE = /\.(?:[cm]?[jt]sx?|py|go|php|rb|java|kt|cs|phpt)$/;

function detectRunner(root: SaxesTagPlain): string | undefined {
  const a = root.attributes;
  const name = a.name ?? '';
  if (name === 'jest tests') return 'jest';
  if (name === 'vitest tests') return 'vitest';
  if (name === 'Mocha Tests') return 'mocha';
  if (name === 'pytest tests' || (root.name === 'testsuite' && name === 'pytest')) return 'pytest';
  if ((a['xsi:noNamespaceSchemaLocation'] ?? '').includes('surefire')) return 'surefire';
  return undefined;
}

/** Returns the first line number next to `file`'s base name in a failure text (`calc.test.js:7:63`). */
export function lineFromText(file: string, text: string): number | undefined {
  const base = file.replace(/\\/g, '/').split('/').pop();
  if (!base) return undefined;
  const m = new RegExp(`${escapeRegExp(base)}:(\\d+)`).exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  return n >= 1 ? n : undefined;
}

/**
 * Streams one JUnit XML report and returns its counts and failing cases. Reads the shapes every
 * common runner writes: nested `<testsuites>`/`<testsuite>`, `<failure>` vs `<error>`, `<skipped>`,
 * Surefire's flaky and rerun elements, per-case properties and output. Malformed, truncated or
 * DTD-carrying files throw an InputError naming the file and line.
 */
export async function readJUnit(input: XmlInput, options: ReadJUnitOptions): Promise<JUnitSummary> {
  const maxStored = options.maxStored ?? 10_000;
  const maxText = options.maxText ?? 2_000;
  const summary: JUnitSummary = {
    file: options.displayPath,
    tests: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    skipped: 0,
    flaky: 0,
    suites: 0,
    time: 0,
    failures: [],
    omittedFailures: 0,
  };
  const suites: { name: string; file?: string }[] = [];
  // Per <testsuites>/<testsuite>: the failures + errors its attributes declare vs the cases counted.
  const tallies: { name: string; file?: string; declared?: number; counted: number }[] = [];
  const openTally = (a: Record<string, string>, suite?: { name: string; file?: string }) => {
    const f = num(a.failures);
    const e = num(a.errors);
    tallies.push({
      name: a.name ?? '',
      ...(suite?.file ? { file: suite.file } : {}),
      ...(f !== undefined || e !== undefined ? { declared: (f ?? 0) + (e ?? 0) } : {}),
      counted: 0,
    });
  };
  const closeTally = () => {
    const t = tallies.pop();
    if (!t) return;
    let counted = t.counted;
    if (t.declared !== undefined && t.declared > counted) {
      // A suite that says it failed but lists no failing case (a crashed suite, a reporter that
      // drops suite errors) must not read as green.
      const missing = t.declared - counted;
      const c: TestCaseResult = {
        suite: t.name,
        name: t.name || '(unnamed suite)',
        status: 'error',
        message: `the report declares ${t.declared} failing or erroring test${t.declared === 1 ? '' : 's'} in this suite but lists ${counted}: ${missing} not reported as test cases (a suite that crashed, or a reporter that drops suite errors)`,
        properties: { synthetic: 'suite-count-mismatch' },
      };
      if (t.file) c.file = t.file;
      finishCase(c);
      counted = t.declared;
    }
    const parent = tallies[tallies.length - 1];
    if (parent) parent.counted += counted;
  };
  let docFile: string | undefined;
  let pytest = false;
  let current: TestCaseResult | undefined;
  let caseDepth = 0;
  let capture: Capture | undefined;
  let captureDepth = 0;
  let inTestcaseProperties = false;

  const finishCase = (c: TestCaseResult) => {
    // Redact before anything else sees the text (findings, summaries, onCase consumers).
    if (c.message) c.message = redactSecrets(c.message);
    if (c.details) c.details = redactSecrets(c.details);
    if (c.systemOut) c.systemOut = redactSecrets(c.systemOut);
    if (c.systemErr) c.systemErr = redactSecrets(c.systemErr);
    if (pytest && !c.file && c.details) {
      // pytest (xunit2) has no file attribute but ends its traceback with "path.py:LINE: Error".
      const all = [...c.details.matchAll(/^([^\s:]+\.py):(\d+): \w/gm)];
      const last = all[all.length - 1];
      if (last) {
        c.file = last[1]!;
        c.line = Number(last[2]);
      }
    }
    if (c.line === undefined && c.file) {
      const text = `${c.message ?? ''}\n${c.details ?? ''}`;
      const line = lineFromText(c.file, text);
      if (line !== undefined) c.line = line;
    }
    summary.tests++;
    if (c.time !== undefined) summary.time += c.time;
    switch (c.status) {
      case 'passed':
        summary.passed++;
        if (c.flaky) summary.flaky++;
        break;
      case 'failed':
        summary.failed++;
        break;
      case 'error':
        summary.errors++;
        break;
      case 'skipped':
        summary.skipped++;
        break;
    }
    if (c.status === 'failed' || c.status === 'error') {
      if (summary.failures.length < maxStored) summary.failures.push(c);
      else summary.omittedFailures++;
    }
    options.onCase?.(c);
  };

  await parseXml(
    input,
    {
      open(tag, depth) {
        const a = tag.attributes;
        if (depth === 1) {
          if (tag.name !== 'testsuites' && tag.name !== 'testsuite') {
            throw new XmlContentError(
              `not a JUnit report: the root element is <${tag.name}> (expected <testsuites> or <testsuite>)`,
            );
          }
          const runner = detectRunner(tag);
          if (runner) summary.runner = runner;
          if (tag.name === 'testsuites') openTally(a);
          pytest = runner === 'pytest';
        }
        if (current) {
          // Inside a <testcase>: only its direct children carry its result.
          if (depth !== caseDepth + 1) {
            if (inTestcaseProperties && tag.name === 'property' && a.name !== undefined) {
              const props = current.properties ?? {};
              if (Object.keys(props).length < MAX_PROPERTIES) {
                props[a.name] = (a.value ?? '').slice(0, MAX_PROPERTY_VALUE);
                current.properties = props;
              }
            }
            return;
          }
          switch (tag.name) {
            case 'failure':
            case 'error': {
              if (current.status === 'failed' || current.status === 'error') return;
              current.status = tag.name === 'failure' ? 'failed' : 'error';
              if (a.message !== undefined) current.message = a.message;
              if (a.type !== undefined && a.type !== '') current.type = a.type;
              capture = { field: 'details', text: '', truncated: false };
              captureDepth = depth;
              return;
            }
            case 'skipped':
              if (current.status === 'passed') {
                current.status = 'skipped';
                if (a.message) current.message = a.message;
              }
              return;
            case 'flakyFailure':
            case 'flakyError':
              current.flaky = true;
              return;
            case 'rerunFailure':
            case 'rerunError':
              current.reruns = (current.reruns ?? 0) + 1;
              return;
            case 'system-out':
            case 'system-err':
              capture = {
                field: tag.name === 'system-out' ? 'systemOut' : 'systemErr',
                text: '',
                truncated: false,
              };
              captureDepth = depth;
              return;
            case 'properties':
              inTestcaseProperties = true;
              return;
            default:
              return;
          }
        }
        if (tag.name === 'testsuite') {
          summary.suites++;
          const suite: { name: string; file?: string } = { name: a.name ?? '' };
          if (a.file) {
            suite.file = a.file;
            // Cypress (mocha-junit-reporter) writes the spec file only on the empty "Root Suite".
            docFile ??= a.file;
          }
          if (depth === 1 && a.name === 'pytest') pytest = true;
          suites.push(suite);
          openTally(a, suite);
          return;
        }
        if (tag.name === 'testcase') {
          const suite = suites[suites.length - 1];
          let file = a.file ?? [...suites].reverse().find((s) => s.file)?.file ?? docFile;
          if (!file && a.classname && TEST_FILE_RE.test(a.classname)) file = a.classname;
          current = { suite: suite?.name ?? '', name: a.name ?? a.classname ?? '', status: 'passed' };
          if (a.classname !== undefined && a.classname !== '') current.classname = a.classname;
          if (file) current.file = file;
          const line = num(a.line);
          // pytest writes 0-based line numbers (from its code objects).
          if (line !== undefined) current.line = pytest ? line + 1 : line;
          if (current.line !== undefined && current.line < 1) delete current.line;
          const time = num(a.time);
          if (time !== undefined) current.time = time;
          caseDepth = depth;
        }
      },
      close(name, depth) {
        if (capture && depth === captureDepth) {
          if (current) {
            const text = capture.truncated ? `${capture.text}\n… (truncated)` : capture.text;
            const trimmed = text.replace(/^\s*\n/, '').trimEnd();
            if (trimmed) current[capture.field] = trimmed;
          }
          capture = undefined;
          return;
        }
        if (current && depth === caseDepth + 1 && name === 'properties') {
          inTestcaseProperties = false;
          return;
        }
        if (current && depth === caseDepth && name === 'testcase') {
          const top = tallies[tallies.length - 1];
          if (top && (current.status === 'failed' || current.status === 'error')) top.counted++;
          finishCase(current);
          current = undefined;
          return;
        }
        if (current) return;
        if (name === 'testsuite') {
          closeTally();
          suites.pop();
        } else if (name === 'testsuites' && depth === 1) closeTally();
      },
      text(text) {
        if (!capture || capture.truncated) return;
        const room = maxText - capture.text.length;
        if (text.length <= room) capture.text += text;
        else {
          capture.text += text.slice(0, room);
          capture.truncated = true;
        }
      },
    },
    { displayPath: options.displayPath, ...(options.signal ? { signal: options.signal } : {}) },
  );
  summary.time = Math.round(summary.time * 1000) / 1000;
  return summary;
}
