#!/usr/bin/env node
// One DevSecFlow secrets run, as a child process of run.mjs: the full stage pipeline (shared walker,
// scanner pool, fingerprints, gate) over <root>, report JSON written to <out>.
//   node dsf-child.mjs <root> <out.json> [threads]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const core = await import(pathToFileURL(join(repo, 'packages/core/dist/index.js')).href);
const { secretsStage } = await import(pathToFileURL(join(repo, 'packages/secrets/dist/index.js')).href);

const [root, out, threads] = process.argv.slice(2);
const logger = core.createConsoleLogger({ quiet: true });
const report = await core.runStage(secretsStage, {
  root,
  policy: core.defaultPolicy(root),
  platform: core.createLocalPlatform(root, logger),
  logger,
  options: threads ? { threads: Number(threads) } : {},
  tool: { name: 'devsecflow', version: 'bench' },
});
writeFileSync(out, JSON.stringify(report));
