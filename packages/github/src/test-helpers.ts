import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Finding, type Report, ReportSchema } from '@devsecflow/core';
import { vi } from 'vitest';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');

export function eventPath(name: string): string {
  return join(FIXTURES, 'events', `${name}.json`);
}

export function tmp(prefix = 'dsf-gh-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let n = 0;
export function finding(over: Partial<Finding> = {}): Finding {
  n++;
  return {
    fingerprint: (n.toString(16).padStart(4, '0') + 'a'.repeat(28)).slice(0, 32),
    stage: 'sast',
    ruleId: 'js/command-injection',
    title: 'Command built from user input',
    message: 'User input from req.query reaches exec()',
    severity: 'critical',
    confidence: 'high',
    location: { path: 'src/app.js', startLine: 8, startColumn: 3, endLine: 8, endColumn: 62 },
    identifiers: [],
    references: [],
    baselineState: 'new',
    ...over,
  };
}

export function report(over: Partial<Report> = {}): Report {
  return ReportSchema.parse({
    schemaVersion: '1',
    stage: 'sast',
    tool: { name: 'devsecflow-sast', version: '0.1.0' },
    target: { root: join(FIXTURES, 'repo') },
    startedAt: '2026-11-22T23:00:00.000Z',
    finishedAt: '2026-11-22T23:00:01.000Z',
    status: 'ok',
    findings: [finding(), finding({ ruleId: 'js/eval', title: 'eval of user input', severity: 'high' })],
    errors: [],
    stats: {},
    gate: { passed: false, violations: [{ rule: 'fail-on', message: '2 findings at or above high' }] },
    ...over,
  });
}

/** Captures what @actions/core and the logger write to stdout. */
export function captureStdout(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
}
