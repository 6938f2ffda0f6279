import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderTemplates, TEMPLATE_STAGES } from './templates.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cliVersion = JSON.parse(readFileSync(join(repo, 'packages', 'cli', 'package.json'), 'utf8'))
  .version as string;
const rendered = renderTemplates(cliVersion);

type Job = {
  script: string[];
  variables: Record<string, string>;
  artifacts: { paths: string[]; reports: Record<string, string>; when: string };
  rules: Array<{ if: string; when?: string }>;
  cache: { key: string; paths: string[] };
  allow_failure: unknown;
};

function parse(text: string): {
  spec: { inputs: Record<string, { default: unknown }> };
  jobs: Record<string, Job>;
} {
  const docs = parseAllDocuments(text);
  expect(docs).toHaveLength(2);
  for (const d of docs) expect(d.errors).toEqual([]);
  return { spec: docs[0]?.toJS().spec, jobs: docs[1]?.toJS() };
}

describe('gitlab-templates/', () => {
  it.each(Object.keys(rendered))('%s is what src/templates.ts renders (run `pnpm run templates`)', (name) => {
    const committed = readFileSync(join(repo, 'gitlab-templates', name), 'utf8');
    expect(committed).toBe(rendered[name]);
  });

  it.each(Object.entries(rendered))(
    '%s declares every input it uses and uses every input it declares',
    (_, text) => {
      const { spec } = parse(text);
      const declared = Object.keys(spec.inputs).sort();
      const body = text.split('\n---\n')[1] ?? '';
      const used = [...new Set([...body.matchAll(/\$\[\[ inputs\.([a-z-]+) \]\]/g)].map((m) => m[1]))].sort();
      expect(used).toEqual(declared);
      for (const required of [
        'stage',
        'image',
        'root',
        'fail-on',
        'config',
        'allow-failure',
        'version',
        'cli',
      ]) {
        expect(declared).toContain(required);
      }
      expect(spec.inputs.version?.default).toBe(cliVersion);
    },
  );

  it.each(TEMPLATE_STAGES.map((t) => [t.name, t] as const))('%s: reports, cache and rules', (name, t) => {
    const { jobs } = parse(rendered[`${name}.yml`] as string);
    const job = jobs['$[[ inputs.job-name ]]'] as Job;
    expect(Object.keys(job.artifacts.reports)).toEqual(t.reports.map((r) => r.key));
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.paths).toEqual([
      '.devsecflow/reports/$[[ inputs.job-name ]]/',
      ...(t.kind === 'deploy' ? ['.devsecflow/evidence.jsonl'] : []),
    ]);
    for (const file of Object.values(job.artifacts.reports)) {
      expect(file.startsWith('.devsecflow/reports/$[[ inputs.job-name ]]/')).toBe(true);
    }
    expect(job.cache.paths).toEqual(['.devsecflow/cache/']);
    expect(job.variables.npm_config_cache).toBe('$CI_PROJECT_DIR/.devsecflow/cache/npm');
    expect(job.rules.map((r) => r.if)).toEqual(
      t.kind === 'deploy'
        ? ['$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', '$CI_COMMIT_TAG']
        : ['$CI_PIPELINE_SOURCE == "merge_request_event"', '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'],
    );
    const script = job.script.join('\n');
    expect(script).toContain(`set -- run ${t.stage} `);
    for (const r of t.reports) {
      if (r.format) expect(script).toContain(`--format ${r.format}`);
      else expect(script).toContain(`--set "${r.stageOption}=$PWD/$DSF_OUTPUT_DIR/${r.file}"`);
    }
  });

  it.each(Object.entries(rendered))(
    '%s never puts an input or a CI variable into shell code unquoted',
    (_, text) => {
      const { jobs } = parse(text);
      for (const job of Object.values(jobs)) {
        const script = job.script.join('\n');
        // Inputs are interpolated before the shell sees the script: they must only reach it as variables.
        expect(script).not.toContain('$[[');
        // Branch names, MR titles, commit messages: never in the script at all.
        expect(script).not.toMatch(/\$\{?CI_(COMMIT|MERGE_REQUEST|EXTERNAL_PULL_REQUEST)_/);
        // Every variable use is inside double quotes, except the two documented word-split ones.
        const unquoted = script
          .split('\n')
          .filter((l) => !l.trimStart().startsWith('#'))
          .map((l) => l.replace(/"[^"]*"/g, '""').replace(/'[^']*'/g, "''"))
          .flatMap((l) => [...l.matchAll(/\$\{?[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m[0]));
        expect(unquoted.sort()).toEqual(['$DSF_ARGS', '$DSF_CLI']);
      }
    },
  );

  it('all.yml has one job per stage, each switchable, the test gate and deploy approval off by default', () => {
    const { spec, jobs } = parse(rendered['all.yml'] as string);
    expect(Object.keys(jobs)).toEqual(TEMPLATE_STAGES.map((t) => `$[[ inputs.job-prefix ]]-${t.name}`));
    const approval = jobs['$[[ inputs.job-prefix ]]-deploy-approval'] as Job & { needs: unknown };
    expect(approval.needs).toEqual(
      ['sast', 'dependency-scan', 'secrets'].map((n) => ({
        job: `$[[ inputs.job-prefix ]]-${n}`,
        optional: true,
      })),
    );
    for (const t of TEMPLATE_STAGES) {
      expect(spec.inputs[t.name]?.default).toBe(t.stage !== 'test-gate' && t.stage !== 'deploy-approval');
      const job = jobs[`$[[ inputs.job-prefix ]]-${t.name}`] as Job;
      expect(job.rules[0]).toEqual({ if: '$DSF_ENABLED != "true"', when: 'never' });
      expect(job.variables.DSF_ENABLED).toBe(`$[[ inputs.${t.name} ]]`);
    }
  });
});
