#!/usr/bin/env node
// Bundle sizes and cold-start time of every action's dist/index.js.
//   node bench/actions/run.mjs              sizes + cold start (native modules from this checkout)
//   node bench/actions/run.mjs --network    also time the first-run install of the pinned native
//                                           modules from the npm registry into an empty tool cache
// Cold start = spawning `node dist/index.js` as the runner does until it exits, on a tiny
// workspace (one JUnit file; the config enables test-gate, which the run action runs) with
// publishing to the API off: loading the bundle (every stage is in it) and running its stage once.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ACTIONS = join(ROOT, 'actions');
const NATIVE_DIR = join(ROOT, 'packages', 'sast', 'node_modules');
const RUNS = 5;

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
function dirSize(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (a, d) => a + (d.isDirectory() ? dirSize(join(dir, d.name)) : statSync(join(dir, d.name)).size),
    0,
  );
}

const names = readdirSync(ACTIONS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ACTIONS, d.name, 'dist', 'index.js')))
  .map((d) => d.name)
  .sort();
if (names.length === 0) {
  console.error('no built action: run `node actions/build.mjs` first');
  process.exit(1);
}

const ws = mkdtempSync(join(tmpdir(), 'dsf-bench-actions-'));
mkdirSync(join(ws, 'reports'));
writeFileSync(
  join(ws, 'reports', 'junit.xml'),
  '<testsuites><testsuite name="s" tests="1" failures="0"><testcase name="t" classname="c"/></testsuite></testsuites>\n',
);
writeFileSync(join(ws, 'devsecflow.yml'), 'stages:\n  test-gate:\n    junit: [reports/junit.xml]\n');
const event = join(ws, 'event.json');
writeFileSync(event, '{}');

function env(extra = {}) {
  const out = join(ws, 'output');
  writeFileSync(out, '');
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? ws,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: event,
    GITHUB_SHA: '1'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: out,
    GITHUB_STEP_SUMMARY: join(ws, 'summary'),
    RUNNER_TEMP: ws,
    DEVSECFLOW_NATIVE_DIR: NATIVE_DIR,
    'INPUT_UPLOAD-SARIF': 'false',
    INPUT_COMMENT: 'false',
    // TLS and proxy settings of this machine, for the --network download.
    ...Object.fromEntries(
      ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']
        .filter((k) => process.env[k])
        .map((k) => [k, process.env[k]]),
    ),
    ...extra,
  };
}

console.log('| action | index.js | gzip | worker.js | dist total | cold start (median of 5) |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const name of names) {
  const dist = join(ACTIONS, name, 'dist');
  const index = readFileSync(join(dist, 'index.js'));
  const worker = existsSync(join(dist, 'worker.js')) ? statSync(join(dist, 'worker.js')).size : 0;
  const times = [];
  let code = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(dist, 'index.js')], {
      cwd: ws,
      env: env(),
      encoding: 'utf8',
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    code = r.status ?? -1;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `| ${name} | ${kb(index.length)} | ${kb(gzipSync(index).length)} | ${kb(worker)} | ${kb(dirSize(dist))} | ${median.toFixed(0)} ms (exit ${code}) |`,
  );
}

if (process.argv.includes('--network')) {
  const cache = mkdtempSync(join(tmpdir(), 'dsf-bench-toolcache-'));
  const main = join(ACTIONS, 'run', 'dist', 'index.js');
  const timed = (label) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [main], {
      cwd: ws,
      env: { ...env({ RUNNER_TOOL_CACHE: cache }), DEVSECFLOW_NATIVE_DIR: '' },
      encoding: 'utf8',
    });
    console.log(`${label}: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms (exit ${r.status})`);
  };
  timed('run action, first run on an empty tool cache (downloads the pinned native modules)');
  timed('run action, second run (tool cache warm)');
  console.log(`tool cache: ${kb(dirSize(cache))}`);
}
