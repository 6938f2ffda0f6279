import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLocalPlatform, defaultPolicy, type Policy, runStage } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { sastStage } from './stage.js';

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  group: <T>(_t: string, fn: () => Promise<T>) => fn(),
};

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'dsf-sast-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function scan(root: string, sast: Record<string, unknown> = {}, options?: Record<string, unknown>) {
  const p: Policy = defaultPolicy(root);
  p.stages = { sast };
  return runStage(sastStage, {
    root,
    policy: p,
    ...(options ? { options } : {}),
    platform: createLocalPlatform(root, quiet),
    logger: quiet,
    tool: { name: 'devsecflow', version: 'test' },
  });
}

describe('sastStage', () => {
  it('reports the source-to-sink case and not its constant twin, with CWE and fingerprint', async () => {
    const root = tree({
      'app.js': [
        "const { exec } = require('child_process');",
        "app.get('/a', (req, res) => exec('ls ' + req.query.dir));",
        "app.get('/b', (req, res) => exec('ls -la'));",
        '',
      ].join('\n'),
    });
    const report = await scan(root);
    expect(report.status).toBe('ok');
    const hits = report.findings.filter((f) => f.ruleId === 'js-child-process-exec-injection');
    expect(hits).toHaveLength(1);
    const f = hits[0]!;
    expect(f.location).toMatchObject({ path: 'app.js', startLine: 2 });
    expect(f.confidence).toBe('high');
    expect(f.identifiers).toContainEqual(expect.objectContaining({ type: 'cwe', value: 'CWE-78' }));
    expect(f.fingerprint).toMatch(/^[0-9a-f]{16,64}$/);
    expect(report.stats.rules).toBeGreaterThan(100);
  });

  it('does not honour nosemgrep or eslint-disable, but honours devsecflow-ignore', async () => {
    const root = tree({
      'a.js': [
        'function f(req) {',
        '  eval(req.query.a); // nosemgrep',
        '  // eslint-disable-next-line security/detect-eval-with-expression',
        '  eval(req.query.b);',
        '  eval(req.query.c); // eslint-disable-line',
        '  eval(req.query.d); // devsecflow-ignore js-eval-injection: sandboxed in tests',
        '}',
        '',
      ].join('\n'),
    });
    const report = await scan(root);
    const evals = report.findings.filter((f) => f.ruleId === 'js-eval-injection');
    expect(evals.map((f) => [f.location?.startLine, f.suppression?.kind])).toEqual([
      [2, undefined],
      [4, undefined],
      [5, undefined],
      [6, 'inline'],
    ]);
  });

  it('turns unscannable files into report errors and a partial status, never a crash', async () => {
    const minified = `var a=1;${'x=function(){return 1};'.repeat(20_000)}\n`;
    const root = tree({
      'bad-utf8.js': Buffer.from([0x65, 0x76, 0x61, 0x6c, 0x28, 0xff, 0xfe, 0x29]),
      'broken.js': 'function (req) { eval(req.query.x)\n  const = ;\n',
      'dist/bundle.min.js': minified,
      'ok.py': 'import os\n',
    });
    mkdirSync(join(root, 'dir.js'));
    const report = await scan(root);
    expect(report.status).toBe('partial');
    const byPath = Object.fromEntries(report.errors.map((e) => [e.path, e]));
    expect(byPath['bad-utf8.js']?.message).toMatch(/not valid UTF-8/);
    expect(byPath['broken.js']?.message).toMatch(/syntax error at line \d+/);
    expect(byPath['dist/bundle.min.js']).toMatchObject({ kind: 'skipped' });
    expect(byPath['dist/bundle.min.js']?.message).toMatch(/minified/);
    // The parser recovers: the eval before the syntax error is still found.
    expect(
      report.findings.some((f) => f.location?.path === 'broken.js' && f.ruleId === 'js-eval-injection'),
    ).toBe(true);
  });

  it('loads custom rules and reports a broken one with file, line and key', async () => {
    const rule = [
      'id: acme-no-debug-endpoint',
      'language: javascript',
      'title: Debug endpoint',
      'message: A debug route is registered.',
      'severity: medium',
      'cwe: CWE-489',
      'fix: Remove it.',
      'rule:',
      "  pattern: app.get('/debug', $$$)",
      '',
    ].join('\n');
    const root = tree({
      'rules/acme.yml': rule,
      'rules/broken.yml': rule.replace('severity: medium', 'severity: urgent').replace('acme-no', 'acme-b'),
      'server.js': "app.get('/debug', (req, res) => res.json(process.env));\n",
    });
    const ok = await scan(root, { rules: ['rules/acme.yml'], languages: ['javascript'] });
    expect(ok.findings.map((f) => f.ruleId)).toContain('acme-no-debug-endpoint');
    await expect(scan(root, { rules: ['rules/*.yml'] })).rejects.toThrow(
      /rules\/broken\.yml:5.*key `severity`/,
    );
    await expect(scan(root, { rules: ['rules/missing-*.yml'] })).rejects.toThrow(/matches no file/);
    await expect(scan(root, { disable: ['no-such-rule'] })).rejects.toThrow(/unknown rule id `no-such-rule`/);
  });

  it('disables rules and filters languages', async () => {
    const root = tree({
      'a.js': 'function f(req) { eval(req.query.a); }\n',
      'b.py': 'def f(request):\n    eval(request.args["a"])\n',
    });
    const r1 = await scan(root, { disable: ['js-eval-injection'] });
    expect(r1.findings.map((f) => f.ruleId)).toEqual(['py-eval-injection']);
    const r2 = await scan(root, { languages: ['javascript'] });
    expect(r2.findings.map((f) => f.ruleId)).toEqual(['js-eval-injection']);
  });

  it('rejects unknown options', async () => {
    const root = tree({ 'a.js': '' });
    await expect(scan(root, { rulez: [] })).rejects.toThrow(/rulez/);
  });
});
