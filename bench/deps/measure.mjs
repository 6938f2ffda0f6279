// One measured phase in its own process (so peak RSS is that phase's): floor, cold or warm.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// fflate is a dependency of @devsecflow/deps; resolve it from there
const { unzipSync } = createRequire(new URL('../../packages/deps/package.json', import.meta.url))('fflate');

const [phase, lockDir, dbDir, cacheDir] = process.argv.slice(2);
const tImport = performance.now();
const deps = await import('../../packages/deps/dist/index.js');
const out = { phase, importMs: performance.now() - tImport };
// the scan is timed from here: module loading is reported apart (the CLI pays it once per process)
const t0 = performance.now();
if (phase === 'floor') {
  const text = readFileSync(join(lockDir, 'package-lock.json'), 'utf8');
  JSON.parse(text);
  out.lockMs = performance.now() - t0;
  // every record of the dump, unzipped and parsed: what any matcher without an index must do
  const files = unzipSync(readFileSync(join(dbDir, 'npm', 'all.zip')));
  const dec = new TextDecoder();
  let n = 0;
  for (const k of Object.keys(files)) {
    JSON.parse(dec.decode(files[k]));
    n++;
  }
  out.records = n;
} else {
  const text = readFileSync(join(lockDir, 'package-lock.json'), 'utf8');
  const r = await deps.npmExtractor.extract({ path: 'package-lock.json', text });
  const db = new deps.OfflineDb({ dir: dbDir, cacheDir });
  const { matches, errors } = await deps.matchPackages(r.packages, db);
  if (errors.length) throw new Error(errors[0].message);
  out.findings = deps.buildFindings(matches).length;
  out.indexBuilds = db.stats.indexBuilds;
  out.recordsParsed = db.stats.recordsParsed;
}
out.ms = performance.now() - t0;
out.rss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify(out));
