#!/usr/bin/env node
// Secrets bench: DevSecFlow vs secretlint (+ @secretlint/secretlint-rule-preset-recommend) on the
// same tree of real third-party code (>= 20 MB of the JS/TS/JSON/Markdown installed in this
// repository's node_modules, copied out so neither tool skips it as node_modules), each tool
// spawned as a child process and measured with /usr/bin/time -v (wall time, CPU time, peak RSS).
// The tools take turns within each round, so a machine busy with other work slows them alike; the
// table shows the median of the rounds. Then precision/recall of both on
// packages/secrets/test/fixtures/labelled.
//   node bench/secrets/run.mjs [--runs N]      (or `pnpm bench secrets`)
// Rows: the stage pipeline as a library call (dsf-child.mjs: core's runStage, shared walker, scan
// pool, fingerprints, gate), on all cores and on one thread; secretlint; and, when the CLI is
// built, the `devsecflow secrets` command, which also loads every other stage and writes reports.
// Env: SECRETS_BENCH_MB (tree size, default 24), SECRETS_BENCH_RUNS (rounds when --runs is not
// given, default 5).
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
// Outside the repository: both tools honour the repository's .gitignore, which ignores bench/.work.
const work = join(tmpdir(), 'dsf-bench-secrets');
const tree = join(work, 'tree');
const MB = 1024 * 1024;
const target = Number(process.env.SECRETS_BENCH_MB ?? 24) * MB;
const runsFlag = process.argv.indexOf('--runs');
const runs = Number(runsFlag >= 0 ? process.argv[runsFlag + 1] : (process.env.SECRETS_BENCH_RUNS ?? 5));
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs expects a whole number >= 1');
  process.exit(2);
}
const cliBin = join(repo, 'packages/cli/dist/devsecflow.js');
const secretlintBin = join(here, '../node_modules/secretlint/bin/secretlint.js');
const rc = join(work, 'secretlintrc.json');

function build() {
  if (
    existsSync(join(repo, 'packages/secrets/dist/worker.js')) &&
    existsSync(join(repo, 'packages/core/dist/index.js'))
  )
    return;
  console.log('building @devsecflow/secrets and its dependencies…');
  const r = spawnSync('pnpm', ['--filter', '@devsecflow/secrets...', 'run', 'build'], {
    cwd: repo,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Copies installed packages' text files into tree/<package>@<version>/… until `target` bytes. */
function makeTree() {
  const marker = join(tree, '.size');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) >= target)
    return Number(readFileSync(marker, 'utf8'));
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const store = join(repo, 'node_modules/.pnpm');
  const ext = /\.(?:[cm]?js|[cm]?ts|json|md|ya?ml)$/;
  let bytes = 0;
  let files = 0;
  const copyDir = (src, dst) => {
    for (const e of readdirSync(src, { withFileTypes: true })) {
      if (bytes >= target) return;
      const s = join(src, e.name);
      if (e.isDirectory()) {
        if (e.name === 'node_modules') continue;
        copyDir(s, join(dst, e.name));
      } else if (e.isFile() && ext.test(e.name)) {
        const size = statSync(s).size;
        if (size > 2 * MB) continue;
        mkdirSync(dst, { recursive: true });
        cpSync(s, join(dst, e.name));
        bytes += size;
        files++;
      }
    }
  };
  for (const entry of readdirSync(store).sort()) {
    if (bytes >= target) break;
    const nm = join(store, entry, 'node_modules');
    if (!existsSync(nm)) continue;
    for (const pkg of readdirSync(nm)) {
      const dir = join(nm, pkg);
      if (pkg.startsWith('.') || !statSync(dir).isDirectory()) continue;
      if (pkg.startsWith('@')) {
        for (const sub of readdirSync(dir)) copyDir(join(dir, sub), join(tree, `${entry}__${pkg}__${sub}`));
      } else copyDir(dir, join(tree, `${entry}__${pkg}`));
      break; // the package itself; the rest of the folder are its dependencies' links
    }
  }
  writeFileSync(marker, String(bytes));
  console.log(`tree: ${files} files, ${(bytes / MB).toFixed(1)} MB of installed third-party packages`);
  return bytes;
}

/** Runs a command under /usr/bin/time -v; returns wall seconds and peak RSS in MB. */
function measure(cmd, args, cwd) {
  const hasTime = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * MB })
    : spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * MB });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = hasTime
    ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024
    : Number.NaN;
  const seconds = (label) =>
    Number(new RegExp(`${label} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1] ?? Number.NaN);
  const cpu = seconds('User') + seconds('System');
  return { wall, cpu, rss, status: r.status, stderr: r.stderr };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Runs every tool once per round, in turn; returns per tool the median wall, CPU and RSS, and the walls. */
function rounds(n, tools) {
  const all = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let i = 0; i < n; i++) for (const [k, run] of Object.entries(tools)) all[k].push(run());
  return Object.fromEntries(
    Object.entries(all).map(([k, ms]) => {
      // secretlint and the CLI exit 1 when they report findings: that is a finished run.
      const ok = k.startsWith('dsf') ? [0] : [0, 1];
      for (const m of ms)
        if (!ok.includes(m.status)) console.log(`${k} exited with ${m.status}: ${m.stderr.slice(-400)}`);
      return [
        k,
        {
          wall: median(ms.map((m) => m.wall)),
          cpu: median(ms.map((m) => m.cpu)),
          rss: median(ms.map((m) => m.rss)),
          walls: ms.map((m) => m.wall),
        },
      ];
    }),
  );
}

const dsf = (root, out, threads) =>
  measure(
    process.execPath,
    [join(here, 'dsf-child.mjs'), root, out, ...(threads ? [String(threads)] : [])],
    root,
  );
const secretlint = (root, out) =>
  measure(
    process.execPath,
    [
      secretlintBin,
      '**/*',
      '--secretlintrc',
      rc,
      '--format',
      'json',
      '--output',
      out,
      '--no-color',
      '--no-gitignore',
    ],
    root,
  );

function dsfFindings(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return {
    findings: report.findings.map((f) => ({
      path: f.location.path,
      line: f.location.startLine,
      rule: f.ruleId,
    })),
    report,
  };
}

function secretlintFindings(file, root) {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8').trim();
  if (!text) return [];
  return JSON.parse(text).flatMap((r) =>
    r.messages.map((m) => ({
      path: relative(root, r.filePath).split('\\').join('/'),
      line: m.loc?.start?.line ?? 0,
      rule: m.ruleId,
    })),
  );
}

/** A finding counts for a label when it is in the labelled file within 5 lines (multi-line keys start early). */
function score(findings, labels) {
  const byPath = new Map(labels.map((l) => [l.path, l]));
  const hit = new Set();
  let tp = 0;
  let fp = 0;
  for (const f of findings) {
    const l = byPath.get(f.path);
    if (l && !hit.has(l.path) && Math.abs(f.line - l.line) <= 5) {
      hit.add(l.path);
      tp++;
    } else fp++;
  }
  const missed = labels.filter((l) => !hit.has(l.path)).map((l) => l.rule);
  return {
    tp,
    fp,
    fn: labels.length - tp,
    precision: tp / Math.max(1, tp + fp),
    recall: tp / labels.length,
    missed,
  };
}

build();
mkdirSync(work, { recursive: true });
writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
const bytes = makeTree();

const cliOut = join(work, 'cli-reports');
const cli = (root) =>
  measure(
    process.execPath,
    [
      cliBin,
      'secrets',
      '--root',
      root,
      '--format',
      'json',
      '--output-dir',
      cliOut,
      '--quiet',
      '--platform',
      'local',
    ],
    root,
  );
const tools = {
  dsf: () => dsf(tree, join(work, 'dsf.json')),
  dsf1: () => dsf(tree, join(work, 'dsf-1.json'), 1),
  secretlint: () => secretlint(tree, join(work, 'secretlint.json')),
  ...(existsSync(cliBin) ? { cli: () => cli(tree) } : {}),
};
const loadBefore = loadavg()[0];
console.log(`\n## Speed: same tree (${(bytes / MB).toFixed(1)} MB), median of ${runs} rounds`);
const r = rounds(runs, tools);
const { findings: treeFindings, report } = dsfFindings(join(work, 'dsf.json'));
const slTree = secretlintFindings(join(work, 'secretlint.json'), tree);
const row = (name, m, n) =>
  `| ${name} | ${m.wall.toFixed(2)} s | ${m.cpu.toFixed(2)} s | ${m.rss.toFixed(0)} MB | ${n} | ${m.walls.map((w) => w.toFixed(2)).join(' ')} |`;
const table = [
  '| Tool | Wall time | CPU time (user+sys) | Peak RSS | Findings | Every round (wall, s) |',
  '| --- | --- | --- | --- | --- | --- |',
  row(
    `DevSecFlow stage (default: ${report.stats.threads ?? '?'} thread${report.stats.threads === 1 ? '' : 's'} used)`,
    r.dsf,
    treeFindings.length,
  ),
  row('DevSecFlow stage (1 thread)', r.dsf1, dsfFindings(join(work, 'dsf-1.json')).findings.length),
  row('secretlint + preset-recommend', r.secretlint, slTree.length),
];
if (r.cli) {
  const cliReport = JSON.parse(readFileSync(join(cliOut, 'devsecflow-secrets.json'), 'utf8'));
  table.push(row('`devsecflow secrets` (CLI, all cores)', r.cli, cliReport.findings.length));
}
console.log(table.join('\n'));
const a = r.dsf;
const a1 = r.dsf1;
const b = r.secretlint;
console.log(
  `\nsecretlint / DevSecFlow stage: wall ${(b.wall / a.wall).toFixed(1)}x, CPU ${(b.cpu / a.cpu).toFixed(1)}x, peak RSS ${(b.rss / a.rss).toFixed(2)}x` +
    ` (1 thread: wall ${(b.wall / a1.wall).toFixed(1)}x, CPU ${(b.cpu / a1.cpu).toFixed(1)}x)` +
    (r.cli ? `; CLI: wall ${(b.wall / r.cli.wall).toFixed(1)}x` : ''),
);
console.log(`load average before the runs: ${loadBefore.toFixed(1)}`);
console.log(
  `load average after the runs: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${availableParallelism()} cores`,
);
console.log(
  `DevSecFlow stats: files ${report.stats['secrets.filesScanned']}, ${(report.stats.bytesScanned / MB).toFixed(1)} MB scanned, ` +
    `skipped minified ${report.stats.skippedMinified}, lockfiles ${report.stats.skippedLockfile}, long lines ${report.stats.linesSkippedTooLong}; ` +
    `walk + scan in the stage ${report.stats.walkAndScanMs} ms of ${report.stats.durationMs} ms`,
);
if (treeFindings.length)
  console.log(
    'DevSecFlow findings on the tree:',
    treeFindings.map((f) => `${f.rule} ${f.path}:${f.line}`).join('\n  '),
  );

console.log('\n## Precision / recall: packages/secrets/test/fixtures/labelled');
const labelledSrc = join(repo, 'packages/secrets/test/fixtures/labelled');
const labelled = join(work, 'labelled');
rmSync(labelled, { recursive: true, force: true });
cpSync(labelledSrc, labelled, { recursive: true });
const labels = JSON.parse(readFileSync(join(labelled, 'labels.json'), 'utf8'));
dsf(labelled, join(work, 'dsf-labelled.json'), 1);
secretlint(labelled, join(work, 'secretlint-labelled.json'));
const sa = score(dsfFindings(join(work, 'dsf-labelled.json')).findings, labels);
const sb = score(secretlintFindings(join(work, 'secretlint-labelled.json'), labelled), labels);
const pr = (name, s) =>
  `| ${name} | ${s.tp} | ${s.fp} | ${s.fn} | ${(s.precision * 100).toFixed(1)}% | ${(s.recall * 100).toFixed(1)}% |`;
console.log(
  [
    '| Tool | TP | FP | FN | Precision | Recall |',
    '| --- | --- | --- | --- | --- | --- |',
    pr('DevSecFlow', sa),
    pr('secretlint + preset-recommend', sb),
  ].join('\n'),
);
console.log(
  `(${labels.length} planted secrets, one per rule; negatives: near misses, integrity hashes, lockfile, commit SHAs, checksums, UUIDs, base64 images, real code)`,
);
if (sa.missed.length) console.log('DevSecFlow missed:', sa.missed.join(', '));
