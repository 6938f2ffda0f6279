import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@devsecflow/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionPipelineOptions, readActionInputs, runAction } from './action.js';
import { captureStdout, report, tmp } from './test-helpers.js';

let out: ReturnType<typeof captureStdout> | undefined;
afterEach(() => {
  out?.restore();
  process.exitCode = 0;
});

describe('readActionInputs', () => {
  it('maps kebab-case inputs onto runner and stage options, leaving unset ones out', () => {
    const o = readActionInputs(
      {
        GITHUB_WORKSPACE: '/ws',
        RUNNER_TEMP: '/tmp/runner',
        'INPUT_FAIL-ON': 'HIGH',
        'INPUT_NEW-ONLY': 'true',
        INPUT_SHARD: '2/3',
        'INPUT_MIN-PASS-RATE': '0.95',
        INPUT_JUNIT: 'a.xml\nb/*.xml',
        'INPUT_UPLOAD-SARIF': 'false',
        'INPUT_WORKING-DIRECTORY': 'services/api',
      },
      'test-gate',
    );
    expect(o).toEqual({
      root: '/ws/services/api',
      stages: ['test-gate'],
      outputDir: '/tmp/runner/devsecflow-test-gate',
      formats: ['sarif'],
      failOn: 'high',
      newOnly: true,
      shard: { index: 2, total: 3 },
      stageOptions: { 'test-gate': { junit: ['a.xml', 'b/*.xml'], minPassRate: 0.95 } },
      publish: { uploadSarif: false },
    });
  });

  it('leaves the config alone when no input is set', () => {
    const o = readActionInputs({ GITHUB_WORKSPACE: '/ws' }, 'sast');
    expect(o).toEqual({
      root: '/ws',
      stages: ['sast'],
      outputDir: '/ws/.devsecflow-out/devsecflow-sast',
      formats: ['sarif'],
      stageOptions: {},
      publish: {},
    });
  });

  it('reads the stages of the run action, with aliases', () => {
    expect(readActionInputs({ INPUT_STAGES: 'sast, dependency-scan' }, undefined).stages).toEqual([
      'sast',
      'deps',
    ]);
    expect(readActionInputs({}, undefined).stages).toBeUndefined();
  });

  it.each([
    [
      { 'INPUT_FAIL-ON': 'severe' },
      "input 'fail-on': expected one of critical, high, medium, low, info, none; got 'severe'",
    ],
    [{ 'INPUT_NEW-ONLY': 'yes' }, "input 'new-only': expected true or false, got 'yes'"],
    [{ INPUT_STAGES: 'lint' }, "input 'stages': unknown stage 'lint'"],
    [{ INPUT_SHARD: '4/3' }, '--shard expects i/n'],
  ])('names the bad input %o', (env, message) => {
    expect(() => readActionInputs(env, undefined)).toThrow(message);
  });
});

describe('runAction', () => {
  it('sets outputs and the exit code from the runner result', async () => {
    const dir = tmp();
    const outputFile = join(dir, 'output');
    writeFileSync(outputFile, ''); // the runner creates it before the step
    const prev = process.env.GITHUB_OUTPUT;
    process.env.GITHUB_OUTPUT = outputFile;
    out = captureStdout();
    let seen: ActionPipelineOptions | undefined;
    const code = await runAction({
      stage: 'sast',
      env: { GITHUB_WORKSPACE: dir, 'INPUT_GITHUB-TOKEN': 'tok_secret_value' },
      platform: { logger: createMemoryLogger() },
      runPipeline: async (o) => {
        seen = o;
        return {
          reports: [report()],
          gate: { passed: false, violations: [{ rule: 'fail-on', message: '2 findings at or above high' }] },
          exitCode: 1,
          files: { 'json:sast': '/out/devsecflow-sast.json', sarif: '/out/devsecflow.sarif' },
        };
      },
    });
    process.env.GITHUB_OUTPUT = prev;
    expect(out.text()).not.toContain('internal error');
    expect(code).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(seen?.stages).toEqual(['sast']);
    const outputs = readFileSync(outputFile, 'utf8');
    for (const [k, v] of [
      ['gate', 'failed'],
      ['findings', '2'],
      ['new-findings', '2'],
      ['report', '/out/devsecflow-sast.json'],
      ['sarif', '/out/devsecflow.sarif'],
    ] as const) {
      expect(outputs).toMatch(
        new RegExp(`^${k}<<(ghadelimiter_[\\w-]+)\\n${v.replace(/\//g, '\\/')}\\n\\1$`, 'm'),
      );
    }
    expect(out.text()).toContain('::add-mask::tok_secret_value');
    expect(out.text()).toContain('::error::DevSecFlow gate failed: 2 findings at or above high');
  });

  it('exits 2 with one line for a bad input', async () => {
    out = captureStdout();
    const code = await runAction({
      stage: 'sast',
      env: { 'INPUT_FAIL-ON': 'bad' },
      runPipeline: async () => {
        throw new Error('not reached');
      },
    });
    expect(code).toBe(2);
    expect(out.text()).toContain("::error::input 'fail-on': expected one of");
  });
});
