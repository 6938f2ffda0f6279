import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

interface DocsScript {
  DOC_FILE: string;
  renderRulesTable(): string;
  updatedDoc(doc: string): string;
}

it('docs/stages/sast.md has the rules table generated from the current YAML', async () => {
  const script = join(import.meta.dirname, '..', 'scripts', 'gen-docs.mjs');
  const mod = (await import(pathToFileURL(script).href)) as DocsScript;
  const doc = readFileSync(mod.DOC_FILE, 'utf8');
  expect(mod.renderRulesTable()).toContain('`js-child-process-exec-injection`');
  // Stale? Run `pnpm --filter @devsecflow/sast docs`.
  expect(mod.updatedDoc(doc)).toBe(doc);
});
