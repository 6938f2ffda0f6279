import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab } from '../src/test-gitlab-server.js';
import {
  artifactDir,
  CLI_COMMAND,
  gitlabCiLocal,
  makeProject,
  PKG,
  REPO,
  waitForCli,
} from './gitlab-ci-local.js';

const dirs: string[] = [];
const project = (...args: Parameters<typeof makeProject>) => {
  const dir = makeProject(...args);
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => waitForCli(), 16 * 60_000);

function validator(schemaFile: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const schema = JSON.parse(readFileSync(join(PKG, 'test', 'fixtures', 'schemas', schemaFile), 'utf8'));
  return ajv.compile(schema);
}

function expectValid(file: string, schemaFile: string): unknown {
  expect(existsSync(file), `${file} was not written`).toBe(true);
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const validate = validator(schemaFile);
  const ok = validate(data);
  expect(validate.errors ?? [], `${file} against ${schemaFile}`).toEqual([]);
  expect(ok).toBe(true);
  return data;
}

function cycloneDxValidator() {
  const dir = join(PKG, 'test', 'fixtures', 'schemas', 'cyclonedx');
  const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The BOM schema refers to its siblings by file name under cyclonedx.org/schema/.
  for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    ajv.addSchema({ ...load(f), $id: `http://cyclonedx.org/schema/${f}` });
  }
  return ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const SAST_APP = readFileSync(join(PKG, 'test', 'fixtures', 'sast-app', 'server.js'), 'utf8');

/** The test gate's section for examples/tests (see examples/tests/README.md). */
const TEST_GATE_CONFIG = `stages:
  test-gate:
    junit: [tests/reports/junit.xml]
    coverage: [tests/reports/coverage/lcov.info]
    minTests: 1
    minLineCoverage: 80
`;

describe('test-gate.yml under gitlab-ci-local', () => {
  it('fails the job with the gate (exit 1) and writes report artifacts GitLab accepts', async () => {
    const dir = project(
      `include:
  - local: templates/test-gate.yml
    inputs:
      cli: ${CLI_COMMAND}
      config: devsecflow.yml
`,
      { 'devsecflow.yml': TEST_GATE_CONFIG },
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({ 'devsecflow-test-gate': 1 });
    expect(r.code).not.toBe(0);

    const out = artifactDir(dir, 'devsecflow-test-gate', '.devsecflow/reports/devsecflow-test-gate');
    const cq = expectValid(
      join(out, 'gl-code-quality-report.json'),
      'code-quality-report-format.json',
    ) as Array<{
      location: { path: string };
    }>;
    expect(cq.map((i) => i.location.path)).toContain('tests/app/cart.test.js');
    const junit = readFileSync(join(out, 'devsecflow-junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml[^>]*>\s*<testsuites[\s>]/);
    expect(junit).toMatch(/<failure[\s>]/);
    expect(existsSync(join(out, 'devsecflow-report.html'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'devsecflow-test-gate.json'), 'utf8'));
    expect(report.gate.passed).toBe(false);
  });

  it('passes the job (exit 0) when the gate passes, and a config error is exit 2', async () => {
    const dir = project(
      `include:
  - local: templates/test-gate.yml
    inputs:
      cli: ${CLI_COMMAND}
      config: devsecflow.yml
      fail-on: none
  - local: templates/test-gate.yml
    inputs:
      job-name: broken-config
      cli: ${CLI_COMMAND}
      config: broken.yml
      allow-failure: true
`,
      {
        'devsecflow.yml': TEST_GATE_CONFIG,
        'broken.yml': 'stages:\n  test-gate:\n    minTests: many\n',
      },
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({ 'devsecflow-test-gate': 0, 'broken-config': 2 });
    // The broken job is allowed to fail: the pipeline passes.
    expect(r.code).toBe(0);
    const out = artifactDir(dir, 'devsecflow-test-gate', '.devsecflow/reports/devsecflow-test-gate');
    expectValid(join(out, 'gl-code-quality-report.json'), 'code-quality-report-format.json');
  });
});

describe('all.yml under gitlab-ci-local', () => {
  it('runs the switched-on jobs under the prefix, and a second include composes another team', async () => {
    const dir = project(
      `include:
  - local: templates/all.yml
    inputs:
      job-prefix: team-a
      cli: ${CLI_COMMAND}
      config: devsecflow.yml
      sast: false
      dependency-scan: false
      secrets: false
      test-gate: true
  - local: templates/all.yml
    inputs:
      job-prefix: team-b
      cli: ${CLI_COMMAND}
      config: devsecflow.yml
      fail-on: none
      sast: false
      dependency-scan: false
      secrets: false
      test-gate: true
`,
      { 'devsecflow.yml': TEST_GATE_CONFIG },
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({ 'team-a-test-gate': 1, 'team-b-test-gate': 0 });
  });
});

describe('rules', () => {
  async function listed(vars: string[]): Promise<Record<string, string>> {
    const dir = project(
      `include:
  - local: templates/sast.yml
  - local: templates/test-gate.yml
`,
      {},
      false,
    );
    const r = await gitlabCiLocal(dir, ['--list-json', ...vars.flatMap((v) => ['--variable', v])]);
    expect(r.code, r.output).toBe(0);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n[') + 1)) as Array<{
      name: string;
      when: string;
    }>;
    return Object.fromEntries(json.map((j) => [j.name, j.when]));
  }

  it('run in MR pipelines and on the default branch, not in feature-branch pipelines', async () => {
    expect(await listed(['CI_PIPELINE_SOURCE=merge_request_event', 'CI_COMMIT_BRANCH='])).toEqual({
      'devsecflow-sast': 'on_success',
      'devsecflow-test-gate': 'always',
    });
    expect(await listed(['CI_PIPELINE_SOURCE=push'])).toEqual({
      'devsecflow-sast': 'on_success',
      'devsecflow-test-gate': 'always',
    });
    expect(await listed(['CI_PIPELINE_SOURCE=push', 'CI_COMMIT_BRANCH=feature/x'])).toEqual({
      'devsecflow-sast': 'never',
      'devsecflow-test-gate': 'never',
    });
  });
});

describe('.gitlab-ci.yml (dogfooding)', () => {
  it('includes this repository’s own templates and is a valid pipeline', async () => {
    const ci = readFileSync(join(REPO, '.gitlab-ci.yml'), 'utf8');
    expect(ci).toMatch(/- local: gitlab-templates\/all\.yml/);
    const dir = project(ci.replace(/gitlab-templates\//g, 'templates/'), {}, false);
    const r = await gitlabCiLocal(dir, ['--list-json']);
    expect(r.code, r.output).toBe(0);
    const names = (JSON.parse(r.stdout.slice(r.stdout.indexOf('\n[') + 1)) as Array<{ name: string }>).map(
      (j) => j.name,
    );
    expect(names).toEqual(
      expect.arrayContaining(['devsecflow-sast', 'devsecflow-dependency-scan', 'devsecflow-secrets']),
    );
  });
});

describe('stage templates on examples/ under gitlab-ci-local', () => {
  it('sast.yml: fails on the planted injections (exit 1), passes with fail-on none, reports validate', async () => {
    const dir = project(
      `include:
  - local: templates/sast.yml
    inputs:
      cli: ${CLI_COMMAND}
  - local: templates/sast.yml
    inputs:
      job-name: sast-report-only
      cli: ${CLI_COMMAND}
      fail-on: none
`,
      { 'gl-fixture/server.js': SAST_APP },
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({ 'devsecflow-sast': 1, 'sast-report-only': 0 });
    for (const job of ['devsecflow-sast', 'sast-report-only']) {
      const out = artifactDir(dir, job, `.devsecflow/reports/${job}`);
      const sast = expectValid(join(out, 'gl-sast-report.json'), 'sast-report-format.json') as {
        vulnerabilities: Array<{ location: { file: string; start_line: number } }>;
      };
      expect(sast.vulnerabilities.map((v) => `${v.location.file}:${v.location.start_line}`)).toEqual(
        expect.arrayContaining(['gl-fixture/server.js:6', 'gl-fixture/server.js:10']),
      );
      expectValid(join(out, 'gl-code-quality-report.json'), 'code-quality-report-format.json');
      expect(readFileSync(join(out, 'devsecflow-junit.xml'), 'utf8')).toMatch(/<failure[\s>]/);
      expect(JSON.parse(readFileSync(join(out, 'devsecflow-sast.sarif'), 'utf8')).version).toBe('2.1.0');
    }
  });

  it('dependency-scan.yml: offline OSV db, exit 1, scanning report and CycloneDX SBOM validate', async () => {
    const dir = project(
      `include:
  - local: templates/dependency-scan.yml
    inputs:
      cli: ${CLI_COMMAND}
`,
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({ 'devsecflow-dependency-scan': 1 });
    const out = artifactDir(
      dir,
      'devsecflow-dependency-scan',
      '.devsecflow/reports/devsecflow-dependency-scan',
    );
    const ds = expectValid(
      join(out, 'gl-dependency-scanning-report.json'),
      'dependency-scanning-report-format.json',
    ) as {
      vulnerabilities: Array<{ location: { dependency: { package: { name: string } } } }>;
    };
    expect(ds.vulnerabilities.map((v) => v.location.dependency.package.name)).toEqual(
      expect.arrayContaining(['lodash', 'qs']),
    );
    expectValid(join(out, 'gl-code-quality-report.json'), 'code-quality-report-format.json');
    const bom = JSON.parse(readFileSync(join(out, 'gl-sbom-devsecflow.cdx.json'), 'utf8'));
    const validate = cycloneDxValidator();
    validate(bom);
    expect(validate.errors ?? []).toEqual([]);
    expect(bom.components.map((c: { name: string }) => c.name)).toContain('lodash');
  });

  it('secrets.yml: exit 1, secret detection report validates, no planted secret in clear in any artifact', async () => {
    const dir = project(
      `include:
  - local: templates/secrets.yml
    inputs:
      cli: ${CLI_COMMAND}
`,
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({ 'devsecflow-secrets': 1 });
    const out = artifactDir(dir, 'devsecflow-secrets', '.devsecflow/reports/devsecflow-secrets');
    const sd = expectValid(
      join(out, 'gl-secret-detection-report.json'),
      'secret-detection-report-format.json',
    ) as {
      vulnerabilities: Array<{ location: { file: string } }>;
    };
    expect(sd.vulnerabilities.map((v) => v.location.file)).toEqual(
      expect.arrayContaining(['secrets/src/github-client.ts', 'secrets/deploy/service-account.json']),
    );
    expectValid(join(out, 'gl-code-quality-report.json'), 'code-quality-report-format.json');
    const pat = /ghp_[A-Za-z0-9]{36}/.exec(
      readFileSync(join(dir, 'secrets', 'src', 'github-client.ts'), 'utf8'),
    )?.[0];
    expect(pat).toBeDefined();
    for (const file of filesUnder(out)) expect(readFileSync(file, 'utf8')).not.toContain(pat);
    expect(r.output).not.toContain(pat);
  });

  it('all.yml: every stage job runs and fails on the examples, each with its own artifacts', async () => {
    const dir = project(
      `include:
  - local: templates/all.yml
    inputs:
      cli: ${CLI_COMMAND}
      test-gate: true
`,
      { 'gl-fixture/server.js': SAST_APP },
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({
      'devsecflow-sast': 1,
      'devsecflow-dependency-scan': 1,
      'devsecflow-secrets': 1,
      'devsecflow-test-gate': 1,
    });
    for (const job of Object.keys(r.jobs)) {
      expect(
        existsSync(artifactDir(dir, job, `.devsecflow/reports/${job}/gl-code-quality-report.json`)),
      ).toBe(true);
    }
  });
});

describe('deploy approval under gitlab-ci-local', () => {
  it('reads the scan jobs’ reports through needs: and allows or blocks per environment', async () => {
    const dir = project(
      `include:
  - local: templates/all.yml
    inputs:
      cli: ${CLI_COMMAND}
      config: gl-devsecflow.yml
      fail-on: none
      deploy-approval: true
      environment: staging
  - local: templates/deploy-approval.yml
    inputs:
      job-name: approve-production
      cli: ${CLI_COMMAND}
      config: gl-devsecflow.yml
      environment: production
`,
      {
        'gl-devsecflow.yml': `extends: ./devsecflow.yml
stages:
  deploy-approval:
    environments:
      staging:
        requiredStages: [sast, deps, secrets]
      production:
        requiredStages: [sast, deps, secrets]
        maxSeverity: medium
`,
      },
    );
    const r = await gitlabCiLocal(dir);
    expect(r.jobs, r.output).toEqual({
      'devsecflow-sast': 0,
      'devsecflow-dependency-scan': 0,
      'devsecflow-secrets': 0,
      'devsecflow-deploy-approval': 0,
      'approve-production': 1,
    });
    const staging = JSON.parse(
      readFileSync(
        artifactDir(
          dir,
          'devsecflow-deploy-approval',
          '.devsecflow/reports/devsecflow-deploy-approval/devsecflow-deploy-approval.json',
        ),
        'utf8',
      ),
    );
    expect(staging.gate.passed).toBe(true);
    const production = JSON.parse(
      readFileSync(
        artifactDir(
          dir,
          'approve-production',
          '.devsecflow/reports/approve-production/devsecflow-deploy-approval.json',
        ),
        'utf8',
      ),
    );
    // Blocked for the findings above the ceiling: the reports did arrive through needs:.
    expect(new Set(production.findings.map((f: { ruleId: string }) => f.ruleId))).toEqual(
      new Set(['deploy-approval/severity-ceiling']),
    );
    expect(existsSync(artifactDir(dir, 'approve-production', '.devsecflow/evidence.jsonl'))).toBe(true);
  });
});

describe('an MR pipeline against a GitLab API on 127.0.0.1', () => {
  it('the job upserts its MR note and sets the commit status through the real platform', async () => {
    const token = 'glpat-e2e-0123456789abcdef';
    const server = await startFakeGitLab({ token });
    try {
      const dir = project(
        `include:
  - local: templates/sast.yml
    inputs:
      cli: ${CLI_COMMAND}
      commit-status: true
`,
        { 'gl-fixture/server.js': SAST_APP },
      );
      const vars = [
        // gitlab-ci-local says GITLAB_CI=false; a GitLab runner says true, which picks the GitLab platform.
        'GITLAB_CI=true',
        'CI_PIPELINE_SOURCE=merge_request_event',
        'CI_MERGE_REQUEST_IID=7',
        'CI_MERGE_REQUEST_PROJECT_ID=42',
        'CI_PROJECT_ID=42',
        `CI_API_V4_URL=${server.apiUrl}`,
        `DEVSECFLOW_GITLAB_TOKEN=${token}`,
      ].flatMap((v) => ['--variable', v]);
      const first = await gitlabCiLocal(dir, vars);
      expect(first.jobs, first.output).toEqual({ 'devsecflow-sast': 1 });
      expect(server.notes, first.output).toHaveLength(1);
      expect(server.notes[0]?.body).toMatch(
        /^<!-- devsecflow:sast -->\n### :x: DevSecFlow SAST: gate failed/,
      );
      expect(server.statuses.map((s) => [s.name, s.state])).toEqual([['devsecflow/sast', 'failed']]);
      expect(first.output).not.toContain(token);

      const second = await gitlabCiLocal(dir, vars);
      expect(second.jobs).toEqual({ 'devsecflow-sast': 1 });
      expect(server.notes).toHaveLength(1);
      // Same findings, same note: nothing to edit; a changed body would be a PUT to the same id.
      expect(server.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/notes'))).toHaveLength(1);
      for (const put of server.requests.filter((q) => q.method === 'PUT')) {
        expect(put.path).toBe(`/api/v4/projects/42/merge_requests/7/notes/${server.notes[0]?.id}`);
      }
    } finally {
      await server.close();
    }
  });
});

/** The YAML blocks of docs/gitlab.md that include a template, made to run here (local includes, workspace CLI). */
function docPipelines(): Array<{ heading: string; yaml: string }> {
  const doc = readFileSync(join(REPO, 'docs', 'gitlab.md'), 'utf8');
  const out: Array<{ heading: string; yaml: string }> = [];
  let heading = '';
  const re = /^(#{2,3} .*)$|^```yaml\n([\s\S]*?)^```$/gm;
  for (const m of doc.matchAll(re)) {
    if (m[1]) heading = m[1];
    else if (m[2]?.includes('include:')) {
      const yaml = m[2]
        .replace(
          /- component: \$CI_SERVER_FQDN\/devsecflow\/components\/([\w-]+)@[\d.]+/g,
          '- local: templates/$1.yml',
        )
        .replace(
          /- project: devsecflow\/devsecflow\n\s+ref: \S+\n(\s+)file: gitlab-templates\/([\w-]+\.yml)/g,
          '- local: templates/$2',
        )
        .replace(/- remote: https:\/\/\S+\/gitlab-templates\/([\w-]+\.yml)/g, '- local: templates/$1')
        .replace(/npx --yes devsecflow@[\d.]+/g, CLI_COMMAND);
      out.push({ heading, yaml });
    }
  }
  return out;
}

describe('docs/gitlab.md pipelines', () => {
  const pipelines = docPipelines();

  it('has the copy-paste pipelines the docs promise', () => {
    expect(pipelines.map((p) => p.heading)).toEqual(
      expect.arrayContaining([
        '### One stage',
        '### All stages',
        '## Composing per team',
        '## Sharding a large repository with `parallel:`',
      ]),
    );
  });

  it.each(pipelines.map((p, i) => [`${i + 1}: ${p.heading}`, p.yaml] as const))(
    'pipeline %s is valid for gitlab-ci-local',
    async (_, yaml) => {
      const dir = project(yaml, {}, false);
      const r = await gitlabCiLocal(dir, ['--list-json']);
      expect(r.code, r.output).toBe(0);
      const jobs = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n[') + 1)) as unknown[];
      expect(jobs.length).toBeGreaterThan(0);
    },
  );

  it('the sharding recipe shards with parallel:, and its merge job joins the shards and gates once', async () => {
    const sharding = pipelines.find((p) => p.heading.startsWith('## Sharding'));
    expect(sharding).toBeDefined();
    const yaml = (sharding?.yaml ?? '').replace(/(\n\s+inputs:\n)(\s+)/, `$1$2cli: ${CLI_COMMAND}\n$2`);
    const dir = project(yaml, { 'gl-fixture/server.js': SAST_APP, 'gl-fixture/server2.js': SAST_APP });
    const r = await gitlabCiLocal(dir);
    // Shards report without gating (fail-on: none); the merge gates the joined report (failOn high).
    expect(r.jobs, r.output).toEqual({ 'sast-shard: [1/2]': 0, 'sast-shard: [2/2]': 0, 'sast-merge': 1 });
    const merged = expectValid(
      artifactDir(dir, 'sast-merge', '.devsecflow/reports/sast-merged/gl-sast-report.json'),
      'sast-report-format.json',
    ) as { vulnerabilities: Array<{ location: { file: string } }> };
    // Both copies of the fixture, from whichever shards they hashed to (plus the examples' own findings).
    expect(merged.vulnerabilities.map((v) => v.location.file)).toEqual(
      expect.arrayContaining(['gl-fixture/server.js', 'gl-fixture/server2.js']),
    );
  });
});
