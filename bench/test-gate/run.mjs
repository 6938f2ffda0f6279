#!/usr/bin/env node
// Test gate bench: stream a generated 1 GB JUnit report through @devsecflow/test-gate (throughput,
// peak RSS) vs fast-xml-parser's whole-document parse of a 100 MB one, each in its own process.
// `node bench/test-gate/run.mjs` (or `pnpm bench test-gate`). Generated files go to bench/.work/.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const work = join(here, '../.work/test-gate');
const MB = 1024 * 1024;
const sizes = { big: Number(process.env.TG_BENCH_MB ?? 1024) * MB, peer: 100 * MB };

function build() {
  if (
    existsSync(join(repo, 'packages/test-gate/dist/index.js')) &&
    existsSync(join(repo, 'packages/core/dist/index.js'))
  )
    return;
  console.log('building @devsecflow/test-gate and its dependencies…');
  const r = spawnSync('pnpm', ['--filter', '@devsecflow/test-gate...', 'run', 'build'], {
    cwd: repo,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** A JUnit report of realistic shape: suites of 50 cases, 1 in 25 failing with a stack trace and output. */
async function generate(file, target) {
  if (existsSync(file) && statSync(file).size >= target) return;
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  const frame = (i) =>
    `    at com.example.service.Handler${i % 7}.handle(Handler${i % 7}.java:${40 + (i % 60)})\n`;
  let written = 0;
  await write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench" tests="0">\n');
  for (let s = 0; written < target; s++) {
    let block = `  <testsuite name="com.example.Suite${s}" tests="50" time="1.234" timestamp="2026-11-22T00:00:00">\n    <properties><property name="java.version" value="21"/></properties>\n`;
    for (let c = 0; c < 50; c++) {
      const attrs = `name="test case ${c} of suite ${s} does the thing" classname="com.example.Suite${s}" time="0.0${c % 10}"`;
      if ((s * 50 + c) % 25 === 0) {
        block += `    <testcase ${attrs}>\n      <failure message="expected &lt;1&gt; but was &lt;2&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected <1> but was <2>\n${Array.from({ length: 12 }, (_, i) => frame(i + c)).join('')}]]></failure>\n      <system-out><![CDATA[${'log line with some output\n'.repeat(8)}]]></system-out>\n    </testcase>\n`;
      } else if (c % 17 === 0) {
        block += `    <testcase ${attrs}><skipped message="disabled"/></testcase>\n`;
      } else {
        block += `    <testcase ${attrs}/>\n`;
      }
    }
    block += '  </testsuite>\n';
    written += Buffer.byteLength(block);
    await write(block);
  }
  await write('</testsuites>\n');
  await new Promise((r) => out.end(r));
}

/** Best of `n` runs (the machine is shared: the fastest run is the least disturbed one). */
function best(mode, file, n) {
  const runs = Array.from({ length: n }, () => measure(mode, file));
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return runs[0];
  return ok.reduce((a, b) => (b.ms < a.ms ? b : a));
}

function measure(mode, file) {
  const r = spawnSync(
    process.execPath,
    ['--max-old-space-size=8192', join(here, 'measure.mjs'), mode, file],
    {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    },
  );
  if (r.status !== 0) {
    return { mode, error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (m) =>
  m.error
    ? `${m.mode}: FAILED (${m.error})`
    : `${(m.bytes / MB).toFixed(0)} MB in ${(m.ms / 1000).toFixed(2)} s = ${(m.bytes / MB / (m.ms / 1000)).toFixed(1)} MB/s, peak RSS ${(m.maxRssBytes / MB).toFixed(0)} MB, ${m.tests.toLocaleString('en')} tests (${m.failed.toLocaleString('en')} failing)`;

build();
const bigFile = join(work, `junit-${sizes.big / MB}m.xml`);
const peerFile = join(work, 'junit-100m.xml');
let t = Date.now();
await generate(bigFile, sizes.big);
await generate(peerFile, sizes.peer);
console.log(`reports ready in ${((Date.now() - t) / 1000).toFixed(1)} s (${work})`);

t = Date.now();
const streamBig = measure('stream', bigFile);
const streamPeer = best('stream', peerFile, 3);
const fxpPeer = best('fxp', peerFile, 3);
console.log(`test-gate stream, ${sizes.big / MB} MB: ${fmt(streamBig)}`);
console.log(`test-gate stream, 100 MB (best of 3): ${fmt(streamPeer)}`);
console.log(`fast-xml-parser,  100 MB (best of 3): ${fmt(fxpPeer)}`);
if (!streamBig.error && !fxpPeer.error && !streamPeer.error) {
  const mbps = (m) => m.bytes / MB / (m.ms / 1000);
  console.log('ratios:');
  console.log(
    `  peak RSS: fast-xml-parser on 100 MB / test-gate on ${sizes.big / MB} MB = ${(fxpPeer.maxRssBytes / streamBig.maxRssBytes).toFixed(2)}x` +
      ` (on the same 100 MB: ${(fxpPeer.maxRssBytes / streamPeer.maxRssBytes).toFixed(2)}x)`,
  );
  console.log(
    `  throughput: test-gate / fast-xml-parser (100 MB each) = ${(mbps(streamPeer) / mbps(fxpPeer)).toFixed(2)}x`,
  );
  console.log(
    `  test-gate peak RSS growth from 100 MB to ${sizes.big / MB} MB: ${(streamBig.maxRssBytes / streamPeer.maxRssBytes).toFixed(2)}x`,
  );
  if (streamBig.tests !== 0 && streamPeer.tests !== fxpPeer.tests)
    console.log('  WARNING: test counts differ between readers');
}
console.log(`measured in ${((Date.now() - t) / 1000).toFixed(1)} s`);
