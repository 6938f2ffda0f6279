import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { DEFAULT_FIX_POLICY, resolveFixPolicy } from './policy.js';
import { makeTree } from './test-helpers.js';

async function configError(yml: string): Promise<string> {
  const root = makeTree({ 'devsecflow.yml': yml });
  try {
    await loadConfig(join(root, 'devsecflow.yml'));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.replace(`${root}/`, '');
  }
  throw new Error('expected a ConfigError');
}

describe('fix section', () => {
  it('accepts the documented keys', async () => {
    const root = makeTree({
      'devsecflow.yml': [
        'fix:',
        '  automatic: patch',
        '  test: [npm, test]',
        '  branch: security/fix',
        '  labels: [security]',
      ].join('\n'),
    });
    await expect(loadConfig(join(root, 'devsecflow.yml'))).resolves.toBeDefined();
  });

  it('names file, line and column of a bad level, an unknown key and a bad test command', async () => {
    expect(await configError('fix:\n  automatic: always\n')).toMatch(
      /^devsecflow\.yml:2:3: fix\.automatic: expected one of "none", "patch", "minor", "major"/,
    );
    expect(await configError('fix:\n  automatic: minor\n  tests: npm test\n')).toMatch(
      /^devsecflow\.yml:3:3: unknown key 'tests' in fix/,
    );
    expect(await configError('fix:\n  test: 42\n')).toMatch(
      /^devsecflow\.yml:2:3: fix\.test: expected a command: a list of arguments, or a string split into arguments \(no shell\)/,
    );
  });

  it('defaults to minor upgrades on devsecflow/fix branches, and merges sections key by key', () => {
    expect(resolveFixPolicy([])).toEqual({
      automatic: 'minor',
      branch: 'devsecflow/fix',
      labels: ['dependencies', 'security'],
    });
    expect(
      resolveFixPolicy([
        { automatic: 'patch', labels: ['org'] },
        undefined,
        { test: 'npm test', automatic: 'major' },
      ]),
    ).toEqual({ automatic: 'major', test: 'npm test', branch: 'devsecflow/fix', labels: ['org'] });
    // The default is not shared state.
    resolveFixPolicy([]).labels.push('x');
    expect(DEFAULT_FIX_POLICY.labels).toEqual(['dependencies', 'security']);
  });
});
