import { describe, expect, it } from 'vitest';
import type { FixResult } from './fix.js';
import { fixProposal, proposable } from './fix-proposal.js';

const result: FixResult = {
  manager: 'yarn',
  lockfile: 'yarn.lock',
  steps: [
    {
      name: 'lodash',
      from: '4.17.20',
      to: '4.17.21',
      advisories: ['GHSA-35jh-r3h4-6jhm'],
      direct: true,
      action: 'install',
    },
    {
      name: 'qs',
      from: '6.7.0',
      to: '6.7.3',
      advisories: ['GHSA-hrpp-h998-j3pp'],
      direct: false,
      action: 'manual',
    },
  ],
  commands: [['yarn', 'add', 'lodash@4.17.21']],
  manifestEdits: [],
  remaining: [],
  cleared: ['GHSA-35jh-r3h4-6jhm'],
  dryRun: false,
  test: { command: ['yarn', 'test'], passed: false, exitCode: 1, timedOut: false, output: '1 failing' },
  errors: [],
};

describe('fixProposal', () => {
  it('puts a sub-directory project on its own branch and key, with repository paths', () => {
    const p = fixProposal(result, {
      dir: 'apps/web shop',
      body: 'body',
      files: [
        { path: 'package.json', content: '{}' },
        { path: 'yarn.lock', content: '# lock' },
      ],
      branch: 'devsecflow/fix/',
      labels: ['security'],
      base: 'develop',
    });
    expect(p).toEqual({
      key: 'devsecflow-fix:apps/web shop',
      branch: 'devsecflow/fix/apps-web-shop',
      base: 'develop',
      title: 'Security: upgrade lodash in apps/web shop (tests failing)',
      body: 'body',
      labels: ['security'],
      commitMessage: 'fix(deps): upgrade lodash 4.17.20 -> 4.17.21\n\nClears GHSA-35jh-r3h4-6jhm.',
      files: [
        { path: 'apps/web shop/package.json', content: '{}' },
        { path: 'apps/web shop/yarn.lock', content: '# lock' },
      ],
    });
  });

  it('proposes only an applied fix that cleared something', () => {
    expect(proposable(result)).toBe(true);
    expect(proposable({ ...result, dryRun: true })).toBe(false);
    expect(proposable({ ...result, cleared: [] })).toBe(false);
    expect(proposable({ ...result, errors: [{ message: 'npm install: E404' }] })).toBe(false);
  });
});
