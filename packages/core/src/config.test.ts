import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enabledStages, loadConfig, stageOwnOptions } from './config.js';
import { ConfigError } from './errors.js';
import { makeTree } from './test-helpers.js';

async function configError(files: Record<string, string>, entry = 'devsecflow.yml'): Promise<string> {
  const root = makeTree(files);
  try {
    await loadConfig(join(root, entry));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.replace(`${root}/`, '');
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads a valid config with defaults', async () => {
    const root = makeTree({
      'devsecflow.yml': [
        'failOn: medium',
        'exclude: ["vendor/**"]',
        'maxFileSize: 2MB',
        'baseline: .devsecflow/baseline.json',
        'stages:',
        '  sast: {}',
        '  deps: { enabled: false }',
        '  secrets: { failOn: low, allowlist: { paths: [x] } }',
      ].join('\n'),
    });
    const p = await loadConfig(join(root, 'devsecflow.yml'));
    expect(p.gate).toEqual({ failOn: 'medium', newOnly: false, allowPartial: false });
    expect(p.exclude).toEqual(['vendor/**']);
    expect(p.maxFileSize).toBe(2 * 1024 * 1024);
    expect(p.baseline).toBe(join(root, '.devsecflow/baseline.json'));
    expect(enabledStages(p)).toEqual(['sast', 'secrets']);
    expect(stageOwnOptions(p.stages.secrets)).toEqual({ allowlist: { paths: ['x'] } });
  });

  it('names file, line, column and key of an unknown key', async () => {
    const msg = await configError({ 'devsecflow.yml': 'failOn: high\nfailon: low\n' });
    expect(msg).toMatch(/devsecflow\.yml:2:1: unknown key 'failon'/);
  });

  it('names a nested unknown key', async () => {
    const msg = await configError({ 'devsecflow.yml': 'stages:\n  sast: {}\n  sats: {}\n' });
    expect(msg).toMatch(/devsecflow\.yml:3:3: unknown key 'sats' in stages/);
  });

  it('names a bad value with what was expected', async () => {
    const msg = await configError({ 'devsecflow.yml': 'stages:\n  sast:\n    failOn: severe\n' });
    expect(msg).toMatch(/devsecflow\.yml:3:5: stages\.sast\.failOn: /);
  });

  it('says what type was expected and what was given, not that the key is missing', async () => {
    const msg = await configError({ 'devsecflow.yml': 'maxFindings: many\nexclude: vendor\n' });
    expect(msg).toMatch(/devsecflow\.yml:1:\d+: maxFindings: expected number, got string/);
    const list = await configError({ 'devsecflow.yml': 'exclude: vendor\n' });
    expect(list).toMatch(/devsecflow\.yml:1:\d+: exclude: expected array, got string/);
  });

  it('requires a reason on ignores', async () => {
    const msg = await configError({ 'devsecflow.yml': 'ignore:\n  - rule: js/eval\n' });
    expect(msg).toMatch(/devsecflow\.yml:2:5: missing required key 'reason' in ignore\.0/);
  });

  it('reports YAML syntax errors with their position', async () => {
    const msg = await configError({ 'devsecflow.yml': 'failOn: high\nstages: [\n' });
    expect(msg).toMatch(/^devsecflow\.yml:\d+:\d+: invalid YAML/);
  });

  it('rejects duplicate keys', async () => {
    const msg = await configError({ 'devsecflow.yml': 'failOn: high\nfailOn: low\n' });
    expect(msg).toMatch(/devsecflow\.yml:2:\d+: invalid YAML/);
  });

  it('says when the file is missing', async () => {
    const msg = await configError({}, 'nope.yml');
    expect(msg).toMatch(/nope\.yml: config file not found/);
  });

  it('merges extends: presets first, the file wins, lists accumulate', async () => {
    const root = makeTree({
      'presets/org.yml':
        'failOn: critical\nexclude: [a/**]\nignore:\n  - rule: r1\n    reason: org\nstages:\n  sast: { disable: [x] }\n',
      'devsecflow.yml':
        'extends: ./presets/org.yml\nfailOn: high\nexclude: [b/**]\nstages:\n  sast: { failOn: low }\n',
    });
    const p = await loadConfig(join(root, 'devsecflow.yml'));
    expect(p.gate.failOn).toBe('high');
    expect(p.exclude).toEqual(['a/**', 'b/**']);
    expect(p.ignore.map((i) => i.source)).toEqual([expect.stringMatching(/presets\/org\.yml:4$/)]);
    expect(p.stages.sast).toEqual({ disable: ['x'], failOn: 'low' });
    expect(p.files).toHaveLength(2);
  });

  it('loads an npm package preset', async () => {
    const root = makeTree({
      'node_modules/@acme/preset/package.json': '{"name":"@acme/preset","main":"preset.yml"}',
      'node_modules/@acme/preset/preset.yml': 'failOn: medium\n',
      'devsecflow.yml': 'extends: "@acme/preset"\n',
    });
    const p = await loadConfig(join(root, 'devsecflow.yml'));
    expect(p.gate.failOn).toBe('medium');
  });

  it('detects extends cycles and missing presets', async () => {
    expect(
      await configError({ 'a.yml': 'extends: ./b.yml\n', 'b.yml': 'extends: ./a.yml\n' }, 'a.yml'),
    ).toMatch(/extends cycle/);
    expect(await configError({ 'devsecflow.yml': 'extends: ./missing.yml\n' })).toMatch(
      /devsecflow\.yml:1:1: extends '\.\/missing\.yml': file not found/,
    );
    expect(await configError({ 'devsecflow.yml': 'extends: not-installed-preset\n' })).toMatch(
      /no such npm package is installed/,
    );
  });

  it('keeps teams in order and lets a later team of the same name replace an earlier one', async () => {
    const root = makeTree({
      'base.yml':
        'teams:\n  - { name: pay, paths: [pay/**], failOn: low }\n  - { name: web, paths: [web/**] }\n',
      'devsecflow.yml':
        'extends: ./base.yml\nteams:\n  - { name: pay, paths: [payments/**], failOn: medium }\n',
    });
    const p = await loadConfig(join(root, 'devsecflow.yml'));
    expect(p.teams.map((t) => [t.name, t.paths[0], t.failOn])).toEqual([
      ['pay', 'payments/**', 'medium'],
      ['web', 'web/**', undefined],
    ]);
  });

  it('locates keys for errors raised later (stage options)', async () => {
    const root = makeTree({ 'devsecflow.yml': 'stages:\n  sast:\n    rules: 3\n' });
    const p = await loadConfig(join(root, 'devsecflow.yml'));
    expect(p.locate(['stages', 'sast', 'rules'])).toMatchObject({ line: 3, column: 5 });
  });
});
