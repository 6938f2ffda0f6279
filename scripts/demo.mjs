#!/usr/bin/env node
// The quick start's main job: a full `devsecflow run` over examples/ (no network, no token).
// The example app is vulnerable on purpose, so the gate must FAIL (exit 1): this script says so
// and exits 0 then, and exits non-zero when the demo did not find what it should.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(repo, 'examples', '.devsecflow-out');
const args = [
  join(repo, 'packages/cli/dist/devsecflow.js'),
  'run',
  '--root',
  join(repo, 'examples'),
  '--output-dir',
  out,
  '--format',
  'sarif,gitlab-sast,gitlab-dependency-scanning,gitlab-secret-detection,gitlab-code-quality,junit,markdown,html',
];
console.log(
  `$ devsecflow ${args
    .slice(1)
    .map((a) => a.replace(`${repo}/`, ''))
    .join(' ')}\n`,
);
const r = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  cwd: repo,
  env: { ...process.env, DEVSECFLOW_OFFLINE: '1' },
});
if (r.status === 1) {
  console.log(
    `\nThe gate failed, as it should on this deliberately vulnerable example. Reports: ${out.replace(`${repo}/`, '')}/`,
  );
  process.exit(0);
}
console.error(`\nUnexpected exit code ${r.status} (expected 1: the gate failing on the planted issues).`);
process.exit(r.status === 0 ? 1 : (r.status ?? 1));
