import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grammarForPath, grammarFromShebang } from './languages.js';
import { loadRules } from './rules.js';
import { scanFile, scanFiles, scanSource } from './scan.js';

const rules = loadRules();
const only = (id: string) => rules.filter((r) => r.id === id);

function findings(code: string, id: string, grammar: Parameters<typeof scanSource>[1] = 'javascript') {
  return scanSource(code, grammar, only(id)).map((f) => ({
    line: f.location!.startLine,
    confidence: f.confidence,
  }));
}

describe('taint pass', () => {
  const exec = "const { exec } = require('child_process');\n";

  it('follows destructuring, template literals, concatenation and reassignment', () => {
    const code = `${exec}function h(req) {
  const { dir } = req.query;
  let cmd = \`ls \${dir}\`;
  cmd += ' | wc -l';
  const copy = cmd;
  exec(copy);
}`;
    expect(findings(code, 'js-child-process-exec-injection')).toEqual([{ line: 7, confidence: 'high' }]);
  });

  it('stops at sanitisers and constants, and lowers confidence when the source is not visible', () => {
    const code = `${exec}function h(req, cmdFromCaller) {
  exec('ls -la');
  const n = parseInt(req.query.n, 10);
  exec('head -n ' + n);
  const fixed = 'uptime';
  exec(fixed);
  exec(cmdFromCaller);
}`;
    expect(findings(code, 'js-child-process-exec-injection')).toEqual([{ line: 8, confidence: 'low' }]);
    // The message says the source was not seen rather than claiming request data reached the sink.
    const low = scanSource(code, 'javascript', rules).find(
      (f) => f.ruleId === 'js-child-process-exec-injection',
    );
    expect(low?.message).toMatch(/Low confidence: no untrusted source is visible in this function/);
  });

  it('tracks Python assignments, f-strings and tuple unpacking', () => {
    const code = `import os
def view(request):
    a, b = request.GET["a"], "x"
    os.system(f"echo {a}")
    os.system(f"echo {b}")
`;
    expect(findings(code, 'py-os-system-injection', 'python')).toEqual([{ line: 4, confidence: 'high' }]);
  });

  it('treats Spring-annotated parameters as sources', () => {
    const code = `class C { Object h(@RequestParam String expr, String other) throws Exception {
  engine.eval(expr);
  return engine.eval(other);
} }`;
    expect(findings(code, 'java-script-engine-injection', 'java')).toEqual([{ line: 2, confidence: 'high' }]);
  });
});

describe('scanFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsf-scan-'));

  it('skips a 50 MB bundle by size without reading it', async () => {
    const big = join(dir, 'huge.js');
    writeFileSync(big, 'a'.repeat(50 * 1024 * 1024));
    const r = await scanFile({ path: 'huge.js', absolutePath: big, size: 50 * 1024 * 1024 }, rules);
    expect(r.outcome).toBe('skipped');
    expect(r.error?.message).toMatch(/50\.0 MB is above the SAST limit/);
  });

  it('reports unreadable files', async () => {
    const r = await scanFile({ path: 'gone.js', absolutePath: join(dir, 'gone.js') }, rules);
    expect(r).toMatchObject({
      outcome: 'error',
      error: { path: 'gone.js', message: 'cannot read file: ENOENT' },
    });
  });

  it('recognises extensionless scripts by shebang and ignores other files', async () => {
    const script = join(dir, 'deploy');
    writeFileSync(script, '#!/usr/bin/env python3\nimport os\nos.system("rm -rf " + input())\n');
    const r = await scanFile({ path: 'deploy', absolutePath: script }, rules);
    expect(r.grammar).toBe('python');
    expect(r.findings.map((f) => f.ruleId)).toContain('py-os-system-injection');
    writeFileSync(join(dir, 'notes'), 'just text\n');
    expect((await scanFile({ path: 'notes', absolutePath: join(dir, 'notes') }, rules)).outcome).toBe(
      'not-source',
    );
  });

  it('scans many files in batches and counts outcomes', async () => {
    const files = Array.from({ length: 30 }, (_, i) => {
      const p = join(dir, `m${i}.js`);
      writeFileSync(p, i % 2 ? 'eval(location.hash);\n' : 'const a = 1;\n');
      return { path: `m${i}.js`, absolutePath: p, size: statSync(p).size };
    });
    const out = await scanFiles(files, rules, { batchSize: 8 });
    expect(out.findings.filter((f) => f.ruleId === 'js-eval-injection')).toHaveLength(15);
    // Files without any rule's words are read but never parsed.
    expect(out.stats).toMatchObject({
      filesScanned: 15,
      filesWithoutApplicableRules: 15,
      filesSearchedInBatches: 15,
      filesFailed: 0,
    });
  });

  it('finds in batches exactly what the one-by-one path finds, and hands back what a batch cannot read', async () => {
    const sources = [
      'const { exec } = require("child_process");\napp.get("/", (req, res) => exec("ls " + req.query.dir));\n',
      'document.body.innerHTML = location.hash;\n',
      'eval(\n',
      'const ok = 1;\n',
    ];
    const files = sources.map((text, i) => {
      const p = join(dir, `b${i}.js`);
      writeFileSync(p, text);
      return { path: `b${i}.js`, absolutePath: p, size: statSync(p).size };
    });
    const bad = join(dir, 'latin1.js');
    writeFileSync(bad, Buffer.from([0x76, 0x61, 0x72, 0x20, 0xe9, 0x3d, 0x31, 0x0a]));
    files.push({ path: 'latin1.js', absolutePath: bad, size: 8 });
    files.push({ path: 'gone.js', absolutePath: join(dir, 'gone.js'), size: 10 });
    const batched = await scanFiles(files, rules);
    const oneByOne = await Promise.all(files.map((f) => scanFile(f, rules)));
    const key = (f: { ruleId: string; location?: { path: string; startLine: number } }) =>
      `${f.location?.path}:${f.location?.startLine} ${f.ruleId}`;
    expect(batched.findings.map(key).sort()).toEqual(
      oneByOne
        .flatMap((r) => r.findings)
        .map(key)
        .sort(),
    );
    expect(batched.findings.map(key)).toEqual(
      expect.arrayContaining(['b0.js:2 js-child-process-exec-injection', 'b1.js:1 js-xss-innerhtml']),
    );
    expect(batched.stats).toMatchObject({
      filesSearchedInBatches: 3,
      filesWithSyntaxErrors: 1,
      filesFailed: 2,
    });
    expect(batched.errors.map((e) => `${e.path}: ${e.message}`).sort()).toEqual([
      'b2.js: syntax error at line 1 (not valid javascript); scanned the parts the parser could recover',
      'gone.js: cannot read file: ENOENT',
      'latin1.js: not scanned: the file is not valid UTF-8',
    ]);
  });
});

describe('languages', () => {
  it('maps extensions and shebangs', () => {
    expect(grammarForPath('a/b.tsx')).toBe('tsx');
    expect(grammarForPath('types.d.ts')).toBeNull();
    expect(grammarForPath('Makefile')).toBeUndefined();
    expect(grammarFromShebang('#!/usr/bin/env node')).toBe('javascript');
    expect(grammarFromShebang('#!/usr/local/bin/python3.12')).toBe('python');
    expect(grammarFromShebang('#!/bin/sh')).toBeUndefined();
  });
});
