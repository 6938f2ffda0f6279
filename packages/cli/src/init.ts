import { enabledStages, type Policy, type StageId } from '@devsecflow/core';

/** Action folder / template name per stage (the platform-facing names). */
export const ADAPTER_NAMES: Record<StageId, string> = {
  sast: 'sast',
  deps: 'dependency-scan',
  secrets: 'secrets',
  'test-gate': 'test-gate',
  'deploy-approval': 'deploy-approval',
};

const DEFAULT_STAGES: StageId[] = ['sast', 'deps', 'secrets'];

/** A ready-to-paste workflow or pipeline for the stages the config enables. */
export function initSnippet(platform: 'github' | 'gitlab', policy: Policy, version: string): string {
  const stages = enabledStages(policy).filter((s) => s !== 'deploy-approval');
  const list = stages.length ? stages : DEFAULT_STAGES;
  const major = version.split('.')[0] === '0' ? `v${version}` : `v${version.split('.')[0]}`;
  if (platform === 'github') {
    const steps = list
      .map((s) => `      - uses: devsecflow/devsecflow/actions/${ADAPTER_NAMES[s]}@${major}`)
      .join('\n');
    return `# .github/workflows/devsecflow.yml
name: devsecflow
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write   # SARIF upload to code scanning
  pull-requests: write     # the PR comment
jobs:
  security:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # diff-aware mode and history scanning need the base commit
${steps}
`;
  }
  const includes = list
    .map((s) => `  - component: $CI_SERVER_FQDN/devsecflow/components/${ADAPTER_NAMES[s]}@${version}`)
    .join('\n');
  return `# .gitlab-ci.yml
stages: [test]
include:
${includes}
`;
}
