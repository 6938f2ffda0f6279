import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type Approval,
  createMemoryLogger,
  type Finding,
  type Platform,
  type PlatformContext,
  type Report,
  ReportSchema,
} from '@devsecflow/core';

export const SHA = 'c0ffee'.padEnd(40, '1');
export const OLD_SHA = 'dead00'.padEnd(40, '2');

let n = 0;
export function finding(over: Partial<Finding> = {}): Finding {
  n++;
  return {
    fingerprint: n.toString(16).padStart(32, 'a'),
    stage: 'sast',
    ruleId: 'js/eval',
    title: 'eval of user input',
    message: 'req.query reaches eval()',
    severity: 'medium',
    confidence: 'high',
    location: { path: 'src/app.js', startLine: 3 },
    identifiers: [],
    references: [],
    ...over,
  };
}

/** A valid v1 report for `stage`, for the deployed commit, passed, with no findings unless given. */
export function report(stage: Report['stage'], over: Partial<Report> = {}): Report {
  return ReportSchema.parse({
    schemaVersion: '1',
    stage,
    tool: { name: `devsecflow-${stage}`, version: '0.1.0' },
    target: { root: '/repo', commit: SHA, ref: 'refs/heads/main' },
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:01.000Z',
    status: 'ok',
    findings: [],
    errors: [],
    stats: {},
    gate: { passed: true, violations: [] },
    ...over,
  });
}

/** A temporary root holding files (path -> JSON value or text). */
export function tree(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'dsf-deploy-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

export interface FakePlatformOptions {
  context?: Partial<PlatformContext>;
  approvals?: Approval[] | Error | 'none';
}

/** A platform with a fixed context and approvals; records the approval queries it received. */
export function fakePlatform(options: FakePlatformOptions = {}): Platform & { queries: unknown[] } {
  const logger = createMemoryLogger();
  const queries: unknown[] = [];
  const p: Platform & { queries: unknown[] } = {
    name: 'fake',
    logger,
    queries,
    context: async () => ({ platform: 'fake', commit: SHA, ref: 'refs/heads/main', ...options.context }),
    changedLines: async () => ({ available: false, reason: 'n/a' }),
    publish: async () => {},
  };
  if (options.approvals !== 'none') {
    const a = options.approvals ?? [];
    p.approvals = async (...args: unknown[]) => {
      queries.push(args[0]);
      if (a instanceof Error) throw a;
      return a;
    };
  }
  return p;
}
