#!/usr/bin/env node
// SAST benchmark: `node bench/sast/run.mjs` (or `pnpm bench` from bench/). In one run, on >= 20 MB
// of real JavaScript from this repo's installed dependencies (code no one here wrote), it times
// (a) DevSecFlow SAST, (b) ESLint with eslint-plugin-security recommended + @microsoft/eslint-plugin-sdl
// recommended rules, (c) bare ast-grep parsing of the same files: each in its own child process,
// with wall time and peak RSS. Then it prints a per-CWE precision/recall table on the labelled corpus
// in packages/sast/test/fixtures/corpus (see its SOURCES.md).
//
// Options: --mb <n> (corpus size, default 25), --skip-eslint. Needs `pnpm --filter @devsecflow/sast build`.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const work = join(here, '..', '.work');
const require = createRequire(import.meta.url);

async function childMain(tool, listFile) {
  const files = JSON.parse(readFileSync(listFile, 'utf8'));
  const out = { tool, files: files.length };
  if (tool === 'devsecflow') {
    const { loadRules, scanFiles } = await import('@devsecflow/sast');
    const rules = loadRules();
    const res = await scanFiles(
      files.map((f) => ({ path: relative(work, f.path), absolutePath: f.path, size: f.size })),
      rules,
      { concurrency: 4, workers: Number(process.env.SAST_WORKERS ?? 2) },
    );
    const byConfidence = {};
    for (const f of res.findings) byConfidence[f.confidence] = (byConfidence[f.confidence] ?? 0) + 1;
    Object.assign(out, {
      rules: rules.length,
      findings: res.findings.length,
      byConfidence,
      errors: res.errors.length,
      stats: res.stats,
    });
  } else if (tool === 'parse') {
    const { Lang, parseAsync } = await import('@ast-grep/napi');
    let i = 0;
    let nodes = 0;
    const worker = async () => {
      while (i < files.length) {
        const f = files[i++];
        const text = await readFile(f.path, 'utf8');
        const root = await parseAsync(Lang.JavaScript, text);
        nodes += root.root().children().length;
      }
    };
    // Same concurrency as the SAST scan: reads and parses on libuv's pool, both cores busy.
    await Promise.all([worker(), worker(), worker(), worker()]);
    out.topLevelNodes = nodes;
  } else if (tool === 'eslint') {
    const { ESLint } = await import('eslint');
    const security = require('eslint-plugin-security');
    const sdl = require('@microsoft/eslint-plugin-sdl');
    const globals = { require: 'readonly', module: 'writable', exports: 'writable', process: 'readonly' };
    const eslint = new ESLint({
      cwd: repo,
      ignore: false,
      overrideConfigFile: true,
      errorOnUnmatchedPattern: false,
      overrideConfig: [
        { languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs', globals } },
        { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
        // sdl's `recommended` re-registers its own copy of eslint-plugin-security, which clashes with
        // the current one; `required` is every sdl rule set without that copy.
        ...sdl.configs.required,
        security.configs.recommended,
        { linterOptions: { reportUnusedDisableDirectives: 'off' } },
      ],
    });
    const results = await eslint.lintFiles(files.map((f) => f.path));
    let messages = 0;
    let fatal = 0;
    for (const r of results) {
      messages += r.messages.length;
      fatal += r.messages.filter((m) => m.fatal).length;
    }
    Object.assign(out, { findings: messages - fatal, parseErrors: fatal });
  }
  out.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function collectFiles(targetBytes) {
  const store = join(repo, 'node_modules', '.pnpm');
  const files = [];
  let total = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (total >= targetBytes) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        // Skip our own workspace links and the big native/TS toolchains' duplicates.
        if (e.name === '@devsecflow' || e.name === '.bin') continue;
        walk(p);
      } else if (e.isFile() && /\.(c|m)?js$/.test(e.name) && !/\.min\.js$/.test(e.name)) {
        const size = statSync(p).size;
        // Files ESLint can reasonably lint: no bundles above 256 KB.
        if (size === 0 || size > 256 * 1024) continue;
        files.push({ path: p, size });
        total += size;
      }
    }
  };
  walk(store);
  return { files, total };
}

function runChild(tool, listFile) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', tool, listFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - start) / 1000;
      if (code !== 0) return reject(new Error(`${tool} exited with ${code}`));
      resolve({ ...JSON.parse(stdout.trim().split('\n').pop()), seconds });
    });
  });
}

const LABEL = /(?:\/\/|#)\s*(vuln|safe):\s*(CWE-\d+)/;

async function quality() {
  const { loadRules, scanFiles } = await import('@devsecflow/sast');
  const dir = join(repo, 'packages', 'sast', 'test', 'fixtures', 'corpus');
  const names = readdirSync(dir).filter((n) => !n.endsWith('.md'));
  const res = await scanFiles(
    names.map((n) => ({ path: n, absolutePath: join(dir, n) })),
    loadRules(),
  );
  const rows = new Map();
  const row = (cwe) => {
    if (!rows.has(cwe)) rows.set(cwe, { tp: 0, fp: 0, fn: 0, safe: 0, lowTp: 0 });
    return rows.get(cwe);
  };
  const found = new Map(); // "file:line" -> Map(cwe -> confidence)
  for (const f of res.findings) {
    const key = `${f.location.path}:${f.location.startLine}`;
    const m = found.get(key) ?? new Map();
    for (const id of f.identifiers) {
      if (id.type !== 'cwe') continue;
      const prev = m.get(id.value);
      if (!prev || prev === 'low') m.set(id.value, f.confidence);
    }
    found.set(key, m);
  }
  const labelled = new Map();
  for (const n of names) {
    readFileSync(join(dir, n), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = LABEL.exec(line);
        if (!m) return;
        const key = `${n}:${i + 2}`;
        const l = labelled.get(key) ?? [];
        l.push({ kind: m[1], cwe: m[2] });
        labelled.set(key, l);
      });
  }
  for (const [key, labels] of labelled) {
    for (const { kind, cwe } of labels) {
      const hit = found.get(key)?.get(cwe);
      const r = row(cwe);
      if (kind === 'vuln') {
        if (hit) {
          r.tp++;
          if (hit === 'low') r.lowTp++;
        } else r.fn++;
      } else r.safe++;
    }
  }
  for (const [key, m] of found) {
    for (const cwe of m.keys()) {
      const labels = labelled.get(key) ?? [];
      if (!labels.some((l) => l.kind === 'vuln' && l.cwe === cwe)) row(cwe).fp++;
    }
  }
  return { rows: [...rows.entries()].sort(), files: names.length, errors: res.errors };
}

const pct = (a, b) => (b === 0 ? 'n/a' : `${Math.round((100 * a) / b)}%`);

async function main() {
  const args = process.argv.slice(2);
  const mb = Number(args[args.indexOf('--mb') + 1]) || 25;
  if (!existsSync(join(repo, 'packages', 'sast', 'dist', 'index.js'))) {
    console.error('bench/sast: build the package first: pnpm --filter @devsecflow/sast run build');
    process.exit(2);
  }
  mkdirSync(work, { recursive: true });
  const found = collectFiles(mb * 1024 * 1024);
  const total = found.total;
  // Copies outside node_modules: ESLint refuses to lint files under node_modules whatever the
  // config says, and all three tools must see the same files.
  const copyRoot = join(work, 'sast-corpus');
  rmSync(copyRoot, { recursive: true, force: true });
  const files = found.files.map((f) => {
    const rel = relative(join(repo, 'node_modules', '.pnpm'), f.path).replaceAll('node_modules', 'nm');
    const dest = join(copyRoot, rel);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(f.path, dest);
    return { path: dest, size: f.size };
  });
  const listFile = join(work, 'sast-files.json');
  writeFileSync(listFile, JSON.stringify(files));
  console.log(
    `corpus: ${files.length} JavaScript files, ${(total / 1048576).toFixed(1)} MB from node_modules/.pnpm`,
  );

  const results = {};
  for (const tool of ['parse', 'devsecflow', ...(args.includes('--skip-eslint') ? [] : ['eslint'])]) {
    results[tool] = await runChild(tool, listFile);
    const r = results[tool];
    console.log(
      `${tool.padEnd(11)} ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${String(r.maxRssMb).padStart(5)} MB` +
        (r.findings !== undefined ? `  findings ${r.findings}` : '') +
        (r.byConfidence ? ` ${JSON.stringify(r.byConfidence)}` : '') +
        (r.parseErrors !== undefined ? `  parse errors ${r.parseErrors}` : ''),
    );
  }
  const a = results.devsecflow;
  const c = results.parse;
  console.log(
    `\nDevSecFlow / bare ast-grep parse: ${(a.seconds / c.seconds).toFixed(2)}x the time (target <= 1.5x)`,
  );
  if (results.eslint) {
    console.log(
      `ESLint / DevSecFlow:              ${(results.eslint.seconds / a.seconds).toFixed(1)}x faster (target >= 5x)`,
    );
  }
  console.log(`DevSecFlow files: ${JSON.stringify(a.stats)}`);

  const q = await quality();
  console.log(
    `\nPrecision/recall on the labelled corpus (${q.files} files, packages/sast/test/fixtures/corpus):`,
  );
  console.log('| CWE | TP | FP | FN | precision | recall | TP found only at low confidence | safe cases |');
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: |');
  let T = 0;
  let F = 0;
  let N = 0;
  for (const [cwe, r] of q.rows) {
    T += r.tp;
    F += r.fp;
    N += r.fn;
    console.log(
      `| ${cwe} | ${r.tp} | ${r.fp} | ${r.fn} | ${pct(r.tp, r.tp + r.fp)} | ${pct(r.tp, r.tp + r.fn)} | ${r.lowTp} | ${r.safe} |`,
    );
  }
  console.log(`| all | ${T} | ${F} | ${N} | ${pct(T, T + F)} | ${pct(T, T + N)} | | |`);
  writeFileSync(join(work, 'sast-results.json'), JSON.stringify({ results, quality: q }, null, 2));
}

if (process.argv[2] === '--child') await childMain(process.argv[3], process.argv[4]);
else await main();
