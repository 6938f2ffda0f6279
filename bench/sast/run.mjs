#!/usr/bin/env node
// SAST benchmark: `node bench/sast/run.mjs` (or `pnpm bench` from bench/). In one run, on >= 20 MB
// of real JavaScript from this repo's installed dependencies (code no one here wrote), it times
// (a) DevSecFlow SAST, (b) ESLint with eslint-plugin-security recommended + @microsoft/eslint-plugin-sdl
// recommended rules, (c) bare ast-grep parsing of the same files: each in its own child process,
// with wall time and peak RSS. Then it prints a per-CWE precision/recall table on the labelled corpus
// in packages/sast/test/fixtures/corpus (see its SOURCES.md).
//
// Options: --mb <n> (corpus size, default 25), --skip-eslint, --quality-only (just the precision/recall
// table, no timing). Needs `pnpm --filter @devsecflow/sast build`.
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
      {},
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
// CWEs that name the same weakness at different levels count as one row: a fast hash of a password
// is CWE-916 to one rule and CWE-328 to another, and a finding under either is the same catch.
const FAMILIES = [
  ['CWE-94', 'CWE-95'],
  ['CWE-327', 'CWE-328', 'CWE-916'],
  ['CWE-330', 'CWE-338'],
  ['CWE-798', 'CWE-321'],
];
const family = (cwe) => {
  const f = FAMILIES.find((x) => x.includes(cwe));
  return f ? [f[0], ...f.slice(1).map((c) => c.slice(4))].join('/') : cwe;
};

function corpusFiles(dir, prefix = '') {
  const out = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...corpusFiles(dir, rel));
    else if (!e.name.endsWith('.md')) out.push(rel);
  }
  return out.sort();
}

/**
 * Scores every finding on the corpus against the labels. A label `vuln: CWE-n` on the line above a
 * statement is one real weakness: found (TP) when a finding of that CWE family starts on that line,
 * else missed (FN). Every finding that matches no `vuln` label of its family on its line is a false
 * positive, whether the line is labelled `safe` or not labelled at all.
 */
async function quality() {
  const { loadRules, scanFiles } = await import('@devsecflow/sast');
  const dir = join(repo, 'packages', 'sast', 'test', 'fixtures', 'corpus');
  const names = corpusFiles(dir);
  const res = await scanFiles(
    names.map((n) => ({ path: n, absolutePath: join(dir, n) })),
    loadRules(),
  );
  const rows = new Map();
  const row = (fam) => {
    if (!rows.has(fam)) rows.set(fam, { tp: 0, fp: 0, fn: 0, vuln: 0, safe: 0, lowTp: 0, lowFp: 0 });
    return rows.get(fam);
  };
  const labelled = new Map(); // "file:line" -> [{ kind, family }]
  const byLanguage = {};
  for (const n of names) {
    const lang = n.includes('/') ? n.split('/')[0] : 'other';
    byLanguage[lang] ??= { vuln: 0, safe: 0 };
    // Labels stack: each applies to the next line that is not itself a label.
    let pending = [];
    readFileSync(join(dir, n), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = LABEL.exec(line);
        if (m) {
          pending.push({ kind: m[1], family: family(m[2]) });
          byLanguage[lang][m[1]]++;
          return;
        }
        if (pending.length === 0) return;
        const key = `${n}:${i + 1}`;
        labelled.set(key, [...(labelled.get(key) ?? []), ...pending]);
        pending = [];
      });
  }
  const found = new Map(); // "file:line" -> Map(family -> { confidence, rules })
  for (const f of res.findings) {
    const key = `${f.location.path}:${f.location.startLine}`;
    const m = found.get(key) ?? new Map();
    const fams = [...new Set(f.identifiers.filter((id) => id.type === 'cwe').map((id) => family(id.value)))];
    // A finding whose CWEs span several families is matched by any of them, else charged to its first.
    const labels = labelled.get(key) ?? [];
    const fam = fams.find((x) => labels.some((l) => l.kind === 'vuln' && l.family === x)) ?? fams[0];
    if (!fam) continue;
    const prev = m.get(fam);
    if (!prev) m.set(fam, { confidence: f.confidence, rules: [f.ruleId] });
    else {
      prev.rules.push(f.ruleId);
      if (prev.confidence === 'low') prev.confidence = f.confidence;
    }
    found.set(key, m);
  }
  const misses = [];
  const falseAlarms = [];
  for (const [key, labels] of labelled) {
    for (const { kind, family: fam } of labels) {
      const r = row(fam);
      r[kind]++;
      if (kind !== 'vuln') continue;
      const hit = found.get(key)?.get(fam);
      if (hit) {
        r.tp++;
        if (hit.confidence === 'low') r.lowTp++;
      } else {
        r.fn++;
        misses.push(`${key} ${fam}`);
      }
    }
  }
  for (const [key, m] of found) {
    const labels = labelled.get(key) ?? [];
    for (const [fam, hit] of m) {
      if (labels.some((l) => l.kind === 'vuln' && l.family === fam)) continue;
      const r = row(fam);
      r.fp++;
      if (hit.confidence === 'low') r.lowFp++;
      const what = labels.some((l) => l.kind === 'safe') ? 'safe line' : 'unlabelled line';
      falseAlarms.push(`${key} ${fam} (${what}, ${hit.confidence}: ${hit.rules.join(', ')})`);
    }
  }
  return {
    rows: [...rows.entries()].sort(
      (x, y) => Number(x[0].slice(4).split('/')[0]) - Number(y[0].slice(4).split('/')[0]),
    ),
    files: names.length,
    byLanguage,
    misses,
    falseAlarms,
    errors: res.errors,
  };
}

const pct = (a, b) => (b === 0 ? 'n/a' : `${Math.round((100 * a) / b)}%`);

function printQuality(q) {
  const langs = Object.entries(q.byLanguage)
    .map(([l, c]) => `${l} ${c.vuln} vulnerable + ${c.safe} safe`)
    .join(', ');
  console.log(
    `\nPrecision/recall on the labelled corpus (${q.files} files, packages/sast/test/fixtures/corpus): ${langs}`,
  );
  console.log(
    '| CWE | vulnerable | safe | TP | FP | FN | precision | recall | TP only at low confidence | FP at low confidence |',
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |');
  const t = { vuln: 0, safe: 0, tp: 0, fp: 0, fn: 0, lowTp: 0, lowFp: 0 };
  for (const [cwe, r] of q.rows) {
    for (const k of Object.keys(t)) t[k] += r[k];
    console.log(
      `| ${cwe} | ${r.vuln} | ${r.safe} | ${r.tp} | ${r.fp} | ${r.fn} | ${pct(r.tp, r.tp + r.fp)} | ${pct(r.tp, r.tp + r.fn)} | ${r.lowTp} | ${r.lowFp} |`,
    );
  }
  console.log(
    `| all | ${t.vuln} | ${t.safe} | ${t.tp} | ${t.fp} | ${t.fn} | ${pct(t.tp, t.tp + t.fp)} | ${pct(t.tp, t.tp + t.fn)} | ${t.lowTp} | ${t.lowFp} |`,
  );
  const hi = { tp: t.tp - t.lowTp, fp: t.fp - t.lowFp };
  console.log(
    `High/medium confidence only: precision ${pct(hi.tp, hi.tp + hi.fp)}, recall ${pct(hi.tp, t.vuln)}`,
  );
  if (q.errors.length) console.log(`Scan errors: ${q.errors.map((e) => e.message ?? String(e)).join('; ')}`);
  // The misses and false alarms by place, so the table can be checked line by line.
  for (const m of q.misses) console.log(`FN ${m}`);
  for (const m of q.falseAlarms) console.log(`FP ${m}`);
}

async function main() {
  const args = process.argv.slice(2);
  const mb = Number(args[args.indexOf('--mb') + 1]) || 25;
  if (!existsSync(join(repo, 'packages', 'sast', 'dist', 'index.js'))) {
    console.error('bench/sast: build the package first: pnpm --filter @devsecflow/sast run build');
    process.exit(2);
  }
  if (args.includes('--quality-only')) {
    printQuality(await quality());
    return;
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
  printQuality(q);
  writeFileSync(join(work, 'sast-results.json'), JSON.stringify({ results, quality: q }, null, 2));
}

if (process.argv[2] === '--child') await childMain(process.argv[3], process.argv[4]);
else await main();
