import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactDir,
  assertCliBuilt,
  CLI_COMMAND,
  gitlabCiLocal,
  makeProject,
  PKG,
  REPO,
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
beforeAll(() => assertCliBuilt());

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
