import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, InputError } from './errors.js';
import { createLocalPlatform } from './local-platform.js';
import { createMemoryLogger } from './logger.js';
import { defaultPolicy, type Policy } from './policy.js';
import { runStage } from './run-stage.js';
import { defineStage, type FindingDraft } from './stage.js';
import { makeTree } from './test-helpers.js';

/** A tiny real stage: flags every `eval(` in walked files. */
const evalStage = defineStage({
  meta: { id: 'sast', title: 'eval finder', description: 'test stage', diffScope: 'lines' },
  options: z.object({ word: z.string().default('eval(') }).strict(),
  async run(ctx, options) {
    const { readFile } = await import('node:fs/promises');
    const findings: FindingDraft[] = [];
    for await (const f of ctx.files()) {
      const lines = (await readFile(f.absolutePath, 'utf8')).split('\n');
      lines.forEach((text, i) => {
        if (text.includes(options.word)) {
          findings.push({
            ruleId: 'test/eval',
            title: 'eval',
            message: 'eval call',
            severity: 'high',
            confidence: 'high',
            location: { path: f.path, startLine: i + 1, snippet: text.trim() },
          });
        }
      });
    }
    return { findings };
  },
});

const tool = { name: 'devsecflow', version: '0.0.0-test' };
const run = (root: string, policy: Policy = defaultPolicy(root), extra = {}) =>
  runStage(evalStage, {
    root,
    policy,
    platform: createLocalPlatform(root, createMemoryLogger()),
    tool,
    ...extra,
  });

describe('runStage', () => {
  it('produces a valid report with stable fingerprints across line shifts', async () => {
    const root = makeTree({ 'a.js': 'x\neval(a)\neval(a)\n', 'img.png': '\u0000\u0001' });
    const first = await run(root);
    expect(first.status).toBe('ok');
    expect(first.findings.map((f) => f.location?.startLine)).toEqual([2, 3]);
    const [fp1, fp2] = first.findings.map((f) => f.fingerprint);
    expect(fp1).not.toBe(fp2);
    expect(first.stats).toMatchObject({ filesScanned: 1, findings: 2 });
    expect(first.gate?.passed).toBe(false);

    const shifted = makeTree({ 'a.js': '// new header\n\n\nx\neval(a)\neval(a)\n' });
    const second = await run(shifted);
    expect(second.findings.map((f) => f.fingerprint)).toEqual([fp1, fp2]);

    const changed = makeTree({ 'a.js': 'x\neval(b)\neval(a)\n' });
    const third = await run(changed);
    // The changed call gets a new fingerprint; the one untouched eval(a) is now the first (only) one.
    expect(third.findings[0]!.fingerprint).not.toBe(fp1);
    expect(third.findings[0]!.fingerprint).not.toBe(fp2);
    expect(third.findings[1]!.fingerprint).toBe(fp1);
  });

  it('applies inline suppressions and passes the gate when everything is suppressed', async () => {
    const root = makeTree({ 'a.js': '// devsecflow-ignore test/eval: test data\neval(a)\n' });
    const r = await run(root);
    expect(r.findings[0]!.suppression).toMatchObject({ kind: 'inline', reason: 'test data' });
    expect(r.gate).toEqual({ passed: true, violations: [] });
  });

  it('turns a crash into a failed report, and rethrows user errors', async () => {
    const root = makeTree({ 'a.js': 'x' });
    const crashing = { ...evalStage, run: async () => Promise.reject(new Error('boom')) };
    const r = await runStage(crashing, {
      root,
      policy: defaultPolicy(root),
      platform: createLocalPlatform(root, createMemoryLogger()),
      tool,
    });
    expect(r.status).toBe('failed');
    expect(r.errors[0]!.message).toMatch(/boom/);
    expect(r.gate?.passed).toBe(false);
    const userMistake = {
      ...evalStage,
      run: async () => Promise.reject(new InputError('bad rule', { file: 'r.yml', line: 2 })),
    };
    await expect(
      runStage(userMistake, {
        root,
        policy: defaultPolicy(root),
        platform: createLocalPlatform(root, createMemoryLogger()),
        tool,
      }),
    ).rejects.toThrow('r.yml:2: bad rule');
  });

  it('marks the report partial when a stage could not scan something', async () => {
    const root = makeTree({ 'a.js': 'x' });
    const partial = {
      ...evalStage,
      run: async () => ({ findings: [], errors: [{ message: 'could not parse', path: 'a.js' }] }),
    };
    const r = await runStage(partial, {
      root,
      policy: defaultPolicy(root),
      platform: createLocalPlatform(root, createMemoryLogger()),
      tool,
    });
    expect(r.status).toBe('partial');
    expect(r.gate?.violations[0]?.rule).toBe('partial-report');
  });

  it('validates stage options against the stage schema with the config position', async () => {
    const root = makeTree({ 'a.js': 'x' });
    const policy: Policy = {
      ...defaultPolicy(root),
      files: [join(root, 'devsecflow.yml')],
      stages: { sast: { wrod: 'x' } },
      locate: (p) =>
        p.join('.') === 'stages.sast.wrod' ? { file: 'devsecflow.yml', line: 3, column: 5 } : undefined,
    };
    await expect(run(root, policy)).rejects.toThrow(ConfigError);
    await expect(run(root, policy)).rejects.toThrow("devsecflow.yml:3:5: stages.sast: unknown key 'wrod'");
  });

  it('keeps only findings on changed lines in diff-aware mode, and says when it cannot', async () => {
    const root = makeTree({ 'a.js': 'eval(1)\neval(2)\n', 'b.js': 'eval(3)\n' });
    const diff = {
      available: true as const,
      base: 'main',
      files: [{ path: 'a.js', lines: [{ start: 2, end: 2 }] }],
    };
    const r = await run(root, defaultPolicy(root), { diff });
    expect(r.findings.map((f) => f.location?.snippet)).toEqual(['eval(2)']);
    expect(r.diff).toEqual({ applied: true, base: 'main', removed: 2 });
    const history = {
      ...evalStage,
      run: async (...a: Parameters<typeof evalStage.run>) => ({
        ...(await evalStage.run(...a)),
        diffScope: 'none' as const,
      }),
    };
    const all = await runStage(history, {
      root,
      policy: defaultPolicy(root),
      platform: createLocalPlatform(root, createMemoryLogger()),
      tool,
      diff,
    });
    expect(all.findings).toHaveLength(3);
    const off = await run(root, defaultPolicy(root), { diff: { available: false, reason: 'shallow clone' } });
    expect(off.findings).toHaveLength(3);
    expect(off.diff).toEqual({ applied: false, reason: 'shallow clone' });
  });

  it('honours excludes and shards through the shared walker', async () => {
    const root = makeTree({
      'a.js': 'eval(1)',
      'vendor/b.js': 'eval(2)',
      'c.js': 'eval(3)',
      'd.js': 'eval(4)',
    });
    const r = await run(root, { ...defaultPolicy(root), exclude: ['vendor/**'] });
    expect(r.findings.map((f) => f.location?.path).sort()).toEqual(['a.js', 'c.js', 'd.js']);
    const s1 = await run(root, defaultPolicy(root), { shard: { index: 1, total: 2 } });
    const s2 = await run(root, defaultPolicy(root), { shard: { index: 2, total: 2 } });
    expect([...s1.findings, ...s2.findings].map((f) => f.location?.path).sort()).toEqual([
      'a.js',
      'c.js',
      'd.js',
      'vendor/b.js',
    ]);
  });
});
