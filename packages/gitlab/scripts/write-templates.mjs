#!/usr/bin/env node
// Writes gitlab-templates/*.yml from src/templates.ts (built to dist/), pinned to the CLI's version.
// Run `pnpm --filter @devsecflow/gitlab run templates` after editing src/templates.ts and after
// `changeset version` bumps the CLI (the release pins every template to the version it ships).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTemplates } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const { version } = JSON.parse(readFileSync(join(repo, 'packages', 'cli', 'package.json'), 'utf8'));
const dir = join(repo, 'gitlab-templates');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(renderTemplates(version))) {
  writeFileSync(join(dir, name), text);
  console.log(`wrote gitlab-templates/${name}`);
}
