import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Finding } from './model.js';

/** Writes a small file tree into a fresh temp dir and returns its path (test helper). */
export function makeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dsf-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A complete finding with overridable fields (test helper). */
export function finding(over: Partial<Finding> = {}): Finding {
  return {
    fingerprint: 'f'.repeat(32),
    stage: 'sast',
    ruleId: 'js/eval',
    title: 'eval of untrusted data',
    message: 'm',
    severity: 'high',
    confidence: 'high',
    location: { path: 'src/a.js', startLine: 3 },
    identifiers: [],
    references: [],
    ...over,
  };
}
