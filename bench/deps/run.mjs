#!/usr/bin/env node
// Dependency-scan bench: a real 5,000+ package npm lockfile matched against a full-size npm OSV
// dump (200k records of realistic shape, generated: the real dump cannot be fetched here).
// Prints cold (index build) and warm times, peak RSS, and the floor (reading + JSON-parsing the
// inputs), as ratios. `node bench/deps/run.mjs` (needs the npm registry once, for the lockfile).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const work = join(repo, 'bench', '.work', 'deps');
const lockDir = join(work, 'lock');
const dbDir = join(work, 'osv-db');
const cacheDir = join(work, 'index-cache');
const RECORDS = Number(process.env.DSF_BENCH_RECORDS ?? 200_000);

function ensureLockfile() {
  const lock = join(lockDir, 'package-lock.json');
  if (existsSync(lock)) return lock;
  mkdirSync(lockDir, { recursive: true });
  writeFileSync(join(lockDir, 'package.json'), readFileSync(join(here, 'packages.json')));
  console.log('resolving the bench lockfile with npm (registry needed once)...');
  execFileSync(
    'npm',
    ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--legacy-peer-deps'],
    {
      cwd: lockDir,
      stdio: 'inherit',
    },
  );
  return lock;
}

function ensureBuild() {
  const dist = join(repo, 'packages', 'deps', 'dist', 'index.js');
  if (!existsSync(dist))
    execFileSync('pnpm', ['--filter', '@devsecflow/deps', 'run', 'build'], { cwd: repo, stdio: 'inherit' });
  const core = join(repo, 'packages', 'core', 'dist', 'index.js');
  if (!existsSync(core))
    execFileSync('pnpm', ['--filter', '@devsecflow/core', 'run', 'build'], { cwd: repo, stdio: 'inherit' });
}

function run(phase) {
  const r = spawnSync(process.execPath, [join(here, 'measure.mjs'), phase, lockDir, dbDir, cacheDir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`${phase} failed`);
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

ensureBuild();
const lock = ensureLockfile();
const packages = Object.keys(JSON.parse(readFileSync(lock, 'utf8')).packages).length - 1;
const zip = join(dbDir, 'npm', 'all.zip');
if (!existsSync(zip) || process.env.DSF_BENCH_REGEN) {
  console.log(`generating a ${RECORDS}-record npm OSV dump...`);
  execFileSync(process.execPath, [join(here, 'gen-osv.mjs'), lock, zip, String(RECORDS)], {
    stdio: 'inherit',
  });
}
rmSync(cacheDir, { recursive: true, force: true });

const floor = run('floor');
const cold = run('cold');
const warm = run('warm');
const warm2 = run('warm');
const best = warm.ms < warm2.ms ? warm : warm2;
const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`lockfile: ${packages} packages (npm lockfile v3, ${mb(Buffer.byteLength(readFileSync(lock)))})`);
console.log(`OSV dump: ${RECORDS} npm records (${mb(readFileSync(zip).length)} zip)`);
console.log('');
console.log('| run | time | peak RSS | vs floor | findings |');
console.log('| --- | --- | --- | --- | --- |');
console.log(
  `| floor: read + JSON.parse lockfile and every record | ${s(floor.ms)} | ${mb(floor.rss)} | 1.00x | - |`,
);
console.log(`| floor (lockfile only) | ${s(floor.lockMs)} | - | - | - |`);
console.log(
  `| cold (index build + scan) | ${s(cold.ms)} | ${mb(cold.rss)} | ${(cold.ms / floor.ms).toFixed(2)}x | ${cold.findings} |`,
);
console.log(
  `| warm (index reused) | ${s(best.ms)} | ${mb(best.rss)} | ${(best.ms / floor.ms).toFixed(2)}x | ${best.findings} |`,
);
console.log(`| module import (once per process, not in the times above) | ${s(best.importMs)} | - | - | - |`);
console.log('');
console.log(
  `warm target < 1 s: ${best.ms < 1000 ? 'met' : 'MISSED'}; within 2x of the floor: ${best.ms <= 2 * floor.ms ? 'met' : 'MISSED'}`,
);
console.log(
  `warm vs lockfile-only floor: ${(best.ms / floor.lockMs).toFixed(2)}x; records parsed on warm: ${best.recordsParsed}`,
);
if (cold.findings !== best.findings) {
  console.error('cold and warm runs disagree');
  process.exit(1);
}
