#!/usr/bin/env node
// One measurement in a fresh process, so its peak RSS is its own: `node measure.mjs <stream|fxp> <file>`.
// Prints one JSON line: { mode, bytes, ms, tests, failed, maxRssBytes }.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [mode, file] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const bytes = statSync(file).size;
const t0 = process.hrtime.bigint();
let tests = 0;
let failed = 0;
if (mode === 'stream') {
  const { readJUnit } = await import(
    pathToFileURL(join(here, '../../packages/test-gate/dist/index.js')).href
  );
  const s = await readJUnit(file, { displayPath: file, maxStored: 1000 });
  tests = s.tests;
  failed = s.failed + s.errors;
} else if (mode === 'fxp') {
  const { XMLParser } = await import('fast-xml-parser');
  // The peer's usual way: read the whole document, parse it into objects, then walk them.
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (n) => n === 'testcase' || n === 'testsuite',
  });
  const doc = parser.parse(readFileSync(file, 'utf8'));
  const walk = (suite) => {
    for (const c of suite.testcase ?? []) {
      tests++;
      if (c.failure !== undefined || c.error !== undefined) failed++;
    }
    for (const s of suite.testsuite ?? []) walk(s);
  };
  walk(doc.testsuites);
} else {
  console.error('usage: measure.mjs <stream|fxp> <file>');
  process.exit(2);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
// resourceUsage().maxRSS is the process's peak resident set size, in KiB.
console.log(
  JSON.stringify({ mode, bytes, ms, tests, failed, maxRssBytes: process.resourceUsage().maxRSS * 1024 }),
);
