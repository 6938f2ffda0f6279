import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMON_INPUTS, STAGE_INPUTS } from '@devsecflow/github';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/*
 * Checks over every action folder: the action.yml files declare exactly the inputs the shared
 * action code reads (one source: @devsecflow/github's COMMON_INPUTS / STAGE_INPUTS), and the
 * dist check catches a stale bundle.
 */

// The workflow expression itself, not a JS template.
const GITHUB_TOKEN_EXPRESSION = ['$', '{{ github.token }}'].join('');
const ACTIONS = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAGE_OF: Record<string, keyof typeof STAGE_INPUTS | undefined> = {
  sast: 'sast',
  'dependency-scan': 'deps',
  secrets: 'secrets',
  'test-gate': 'test-gate',
  run: undefined,
};
const folders = readdirSync(ACTIONS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name in STAGE_OF)
  .map((d) => d.name);

describe.each(folders)('actions/%s/action.yml', (folder) => {
  const yml = parse(readFileSync(join(ACTIONS, folder, 'action.yml'), 'utf8'));

  it('runs dist/index.js on node24 with branding', () => {
    expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(yml.branding).toMatchObject({ icon: expect.any(String), color: expect.any(String) });
  });

  it('declares the inputs the action reads, none with a default that would override the config', () => {
    const stage = STAGE_OF[folder];
    const expected = [
      ...COMMON_INPUTS,
      ...(stage ? STAGE_INPUTS[stage].map((s) => s.input) : ['stages']),
    ].sort();
    expect(Object.keys(yml.inputs).sort()).toEqual(expected);
    const defaults = Object.entries(yml.inputs as Record<string, { default?: string }>).filter(
      ([, v]) => 'default' in v,
    );
    expect(defaults).toEqual([
      [
        'github-token',
        { description: expect.any(String), required: false, default: GITHUB_TOKEN_EXPRESSION },
      ],
    ]);
  });

  it('carries the CLI version (the bundled CLI reads it from this package.json)', async () => {
    const { versionDrift } = (await import(join(ACTIONS, 'build.mjs'))) as {
      versionDrift: (n: string) => unknown;
    };
    expect(versionDrift(folder)).toBeUndefined();
  });

  it('declares the outputs', () => {
    expect(Object.keys(yml.outputs).sort()).toEqual([
      'findings',
      'gate',
      'new-findings',
      'report',
      'reports',
      'sarif',
    ]);
  });
});

describe('the dist check (CI runs `node actions/build.mjs --check`)', () => {
  it('passes an up-to-date bundle and names every stale or missing file', async () => {
    const { buildAction, checkAction } = (await import(join(ACTIONS, 'build.mjs'))) as {
      buildAction: (name: string, outdir: string) => Promise<{ files: string[] }>;
      checkAction: (name: string, committed: string) => Promise<string[]>;
    };
    const dir = join(mkdtempSync(join(tmpdir(), 'dsf-check-')), 'dist');
    const { files } = await buildAction('run', dir);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'native.json', 'worker.js']));
    expect(await checkAction('run', dir)).toEqual([]);
    appendFileSync(join(dir, 'index.js'), '// edited by hand\n');
    rmSync(join(dir, 'worker.js'));
    writeFileSync(join(dir, 'stray.js'), '');
    expect((await checkAction('run', dir)).sort()).toEqual([
      'run/dist/index.js: differs',
      'run/dist/stray.js: not produced by a fresh build',
      'run/dist/worker.js: missing from the committed bundle',
    ]);
  });
});

describe('.github/workflows', () => {
  const dir = join(ACTIONS, '..', '.github', 'workflows');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  type Step = { uses?: string; run?: string };
  type Workflow = { permissions?: unknown; jobs: Record<string, { permissions?: unknown; steps: Step[] }> };

  it.each(files)(
    '%s: third-party actions pinned by commit SHA, least privilege, no expressions in run:',
    (file) => {
      const wf = parse(readFileSync(join(dir, file), 'utf8')) as Workflow;
      expect(wf.permissions).toEqual({});
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.permissions, `${file} job ${name} declares its permissions`).toBeDefined();
        for (const step of job.steps) {
          if (step.uses && !step.uses.startsWith('./'))
            expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
          if (step.run) expect(step.run).not.toContain('${{');
        }
      }
    },
  );

  it('dogfoods the local actions', () => {
    const wf = parse(readFileSync(join(dir, 'devsecflow.yml'), 'utf8')) as Workflow;
    const used = Object.values(wf.jobs).flatMap((j) =>
      j.steps.map((s) => s.uses).filter((u) => u?.startsWith('./')),
    );
    expect(used.sort()).toEqual([
      './actions/dependency-scan',
      './actions/sast',
      './actions/secrets',
      './actions/test-gate',
    ]);
  });
});
