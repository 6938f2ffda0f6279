import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY_APPROVAL_RULES } from './evaluate.js';
import { optionsMarkdownTables } from './options.js';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/stages/deploy-approval.md'), 'utf8');

describe('docs/stages/deploy-approval.md', () => {
  it('has the options tables generated from the schemas', () => {
    const { stage, environment } = optionsMarkdownTables();
    expect(doc).toContain(stage);
    expect(doc).toContain(environment);
  });

  it('documents every rule', () => {
    for (const rule of Object.values(DEPLOY_APPROVAL_RULES)) expect(doc).toContain(`| \`${rule}\` |`);
  });
});

describe('the example policy in the docs', () => {
  it('is valid', async () => {
    const { parse } = await import('yaml');
    const { DeployApprovalOptionsSchema } = await import('./options.js');
    const block = /```yaml\n# devsecflow\.yml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const { enabled: _e, ...section } = parse(block!).stages['deploy-approval'];
    const parsed = DeployApprovalOptionsSchema.parse(section);
    expect(Object.keys(parsed.environments)).toEqual(['staging', 'production']);
    expect(parsed.environments.production?.freeze).toHaveLength(3);
  });
});

describe('examples/deploy/devsecflow.yml', () => {
  it('is a valid policy', async () => {
    const { parse } = await import('yaml');
    const { DeployApprovalOptionsSchema } = await import('./options.js');
    const text = readFileSync(join(import.meta.dirname, '../../../examples/deploy/devsecflow.yml'), 'utf8');
    const { enabled: _e, ...section } = parse(text).stages['deploy-approval'];
    expect(Object.keys(DeployApprovalOptionsSchema.parse(section).environments)).toEqual([
      'staging',
      'production',
    ]);
  });
});
