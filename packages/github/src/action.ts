import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  describeError,
  EXIT,
  type FailOn,
  FailOnSchema,
  isUserError,
  type PipelineOptions,
  type PipelineResult,
  parseShard,
  type Report,
  type RunPipeline,
  type StageId,
  UserError,
} from '@devsecflow/core';
import type { Env } from './context.js';
import { ensureNativeModules } from './native.js';
import { createGitHubPlatform, type GitHubPlatformOptions } from './platform.js';

/** The native modules could not be installed (network, integrity): exit 3 with the reason. */
class NativeError extends Error {}

/*
 * What every action's main.ts shares: read the inputs, run the shared runner (handed in, so this
 * package never imports the CLI), set the outputs and the exit code. Inputs are kebab-case and map
 * onto devsecflow.yml keys; an input left empty leaves the config alone.
 */

type InputType = 'string' | 'list' | 'boolean' | 'number';

/** One stage-specific input: its kebab-case name, the devsecflow.yml option key, its type. */
export interface StageInput {
  input: string;
  key: string;
  type: InputType;
  description: string;
}

/** Inputs every action has (the run action adds `stages`). */
export const COMMON_INPUTS = [
  'github-token',
  'working-directory',
  'config',
  'fail-on',
  'new-only',
  'allow-partial',
  'diff-base',
  'shard',
  'output-dir',
  'formats',
  'annotations',
  'comment',
  'upload-sarif',
  'category',
  'status',
  'status-kind',
] as const;

/** Stage-specific inputs per stage, mapping onto `stages.<id>.<key>` in devsecflow.yml. */
export const STAGE_INPUTS: Record<StageId, StageInput[]> = {
  sast: [
    { input: 'rules', key: 'rules', type: 'list', description: 'Extra rule files or directories (YAML).' },
    { input: 'disable', key: 'disable', type: 'list', description: 'Rule ids to turn off.' },
    { input: 'languages', key: 'languages', type: 'list', description: 'Scan only these languages.' },
    {
      input: 'import',
      key: 'import',
      type: 'list',
      description: "Other scanners' SARIF files (CodeQL, Semgrep...) to merge into the report and the gate.",
    },
  ],
  deps: [
    { input: 'ecosystems', key: 'ecosystems', type: 'list', description: 'Only scan these ecosystems.' },
    { input: 'include-dev', key: 'includeDev', type: 'boolean', description: 'Match dev dependencies too.' },
    { input: 'offline-db', key: 'offlineDb', type: 'string', description: 'Directory of OSV zip dumps.' },
    { input: 'osv-url', key: 'osvUrl', type: 'string', description: 'OSV API base URL.' },
    { input: 'sbom', key: 'sbom', type: 'string', description: 'Also write a CycloneDX SBOM here.' },
  ],
  secrets: [
    {
      input: 'history',
      key: 'history',
      type: 'boolean',
      description: 'Scan every commit reachable from HEAD.',
    },
    {
      input: 'include-lockfiles',
      key: 'includeLockfiles',
      type: 'boolean',
      description: 'Scan lockfiles too.',
    },
  ],
  'test-gate': [
    { input: 'junit', key: 'junit', type: 'list', description: 'JUnit XML files or globs.' },
    {
      input: 'coverage',
      key: 'coverage',
      type: 'list',
      description: 'Coverage files (lcov, Cobertura, Istanbul).',
    },
    {
      input: 'min-pass-rate',
      key: 'minPassRate',
      type: 'number',
      description: 'Lowest percentage of executed tests that must pass (0 to 100).',
    },
    { input: 'min-tests', key: 'minTests', type: 'number', description: 'Fewest tests that must run.' },
    { input: 'max-failures', key: 'maxFailures', type: 'number', description: 'Most failed tests allowed.' },
    {
      input: 'min-line-coverage',
      key: 'minLineCoverage',
      type: 'number',
      description: 'Lowest line coverage in percent (0 to 100).',
    },
  ],
  'deploy-approval': [
    {
      input: 'environment',
      key: 'environment',
      type: 'string',
      description: 'The environment being deployed to (a key of environments in the config).',
    },
    { input: 'reports', key: 'reports', type: 'list', description: 'Stage reports (JSON files or globs).' },
    {
      input: 'evidence-log',
      key: 'evidenceLog',
      type: 'string',
      description: 'The hash-chained evidence log to append to.',
    },
    {
      input: 'evidence-out',
      key: 'evidenceOut',
      type: 'string',
      description: "Where to write this run's evidence record.",
    },
    {
      input: 'review-platform-deployment',
      key: 'reviewPlatformDeployment',
      type: 'boolean',
      description:
        "Approve or reject the deployment waiting on this run's environment (needs a token of a required reviewer).",
    },
  ],
};

/** What an action hands the shared runner: core's runner contract (the CLI implements it). */
export type ActionPipelineOptions = PipelineOptions;
export type ActionPipelineResult = PipelineResult;

export interface RunActionOptions {
  /** The stage this action runs; undefined runs the `stages` input, else every stage in the config. */
  stage?: StageId;
  /** The shared runner, or a loader for it (loaded after the native modules are in place). */
  runPipeline?: RunPipeline;
  runner?: () => Promise<{ runPipeline: RunPipeline }>;
  /** dist/native.json of the action: pinned native packages to install before loading the runner. */
  native?: string | URL;
  env?: Env;
  /** Extra platform options (tests point the SARIF poll at a fast interval). */
  platform?: Partial<GitHubPlatformOptions>;
}

/** Reads `INPUT_<NAME>` as the runner sets it: upper-cased, hyphens kept. Empty means not set. */
export function input(env: Env, name: string): string | undefined {
  const v = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
  return v ? v : undefined;
}

function bool(env: Env, name: string): boolean | undefined {
  const v = input(env, name);
  if (v === undefined) return undefined;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new UserError(`input '${name}': expected true or false, got '${v.slice(0, 40)}'`);
}

function list(env: Env, name: string): string[] | undefined {
  const v = input(env, name);
  if (v === undefined) return undefined;
  return v
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function number(env: Env, name: string): number | undefined {
  const v = input(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError(`input '${name}': expected a number, got '${v.slice(0, 40)}'`);
  return n;
}

const STAGE_ALIASES: Record<string, StageId> = {
  'dependency-scan': 'deps',
  tests: 'test-gate',
  deploy: 'deploy-approval',
};

/** Turns the action's inputs into runner options. Throws UserError naming the bad input. */
export function readActionInputs(
  env: Env,
  stage: StageId | undefined,
): Omit<ActionPipelineOptions, 'platform' | 'logger'> & {
  token?: string;
  statusKind?: 'status' | 'check-run';
  category?: string;
} {
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const root = resolve(workspace, input(env, 'working-directory') ?? '.');
  const failOnText = input(env, 'fail-on');
  let failOn: FailOn | undefined;
  if (failOnText !== undefined) {
    const parsed = FailOnSchema.safeParse(failOnText.toLowerCase());
    if (!parsed.success) {
      throw new UserError(
        `input 'fail-on': expected one of critical, high, medium, low, info, none; got '${failOnText.slice(0, 40)}'`,
      );
    }
    failOn = parsed.data;
  }
  const statusKind = input(env, 'status-kind');
  if (statusKind !== undefined && statusKind !== 'status' && statusKind !== 'check-run') {
    throw new UserError(
      `input 'status-kind': expected status or check-run, got '${statusKind.slice(0, 40)}'`,
    );
  }
  let stages: StageId[] | undefined = stage ? [stage] : undefined;
  if (!stage) {
    const named = list(env, 'stages');
    if (named) {
      stages = named.map((s) => {
        const id = (STAGE_ALIASES[s] ?? s) as StageId;
        if (!(id in STAGE_INPUTS)) {
          throw new UserError(
            `input 'stages': unknown stage '${s.slice(0, 40)}' (expected ${Object.keys(STAGE_INPUTS).join(', ')})`,
          );
        }
        return id;
      });
    }
  }
  const stageOptions: Partial<Record<StageId, Record<string, unknown>>> = {};
  if (stage) {
    const opts: Record<string, unknown> = {};
    for (const spec of STAGE_INPUTS[stage]) {
      const value =
        spec.type === 'list'
          ? list(env, spec.input)
          : spec.type === 'boolean'
            ? bool(env, spec.input)
            : spec.type === 'number'
              ? number(env, spec.input)
              : input(env, spec.input);
      if (value !== undefined) opts[spec.key] = value;
    }
    if (Object.keys(opts).length > 0) stageOptions[stage] = opts;
  }
  const formats = list(env, 'formats') ?? [];
  const uploadSarif = bool(env, 'upload-sarif');
  // SARIF is always written: it is the `sarif` output and what code scanning takes.
  if (!formats.includes('sarif')) formats.push('sarif');
  const config = input(env, 'config');
  const diffBase = input(env, 'diff-base');
  const shard = input(env, 'shard');
  const outDir = input(env, 'output-dir');
  const publish: ActionPipelineOptions['publish'] = {};
  const annotations = bool(env, 'annotations');
  const comment = bool(env, 'comment');
  const status = bool(env, 'status');
  if (annotations !== undefined) publish.annotations = annotations;
  if (comment !== undefined) publish.comment = comment;
  if (uploadSarif !== undefined) publish.uploadSarif = uploadSarif;
  if (status !== undefined) publish.status = status;
  const newOnly = bool(env, 'new-only');
  const allowPartial = bool(env, 'allow-partial');
  return {
    root,
    ...(config ? { configPath: resolve(workspace, config) } : {}),
    ...(stages ? { stages } : {}),
    outputDir: outDir
      ? resolve(workspace, outDir)
      : join(
          env.RUNNER_TEMP ?? join(workspace, '.devsecflow-out'),
          stage ? `devsecflow-${stage}` : 'devsecflow',
        ),
    formats,
    ...(failOn ? { failOn } : {}),
    ...(newOnly !== undefined ? { newOnly } : {}),
    ...(allowPartial !== undefined ? { allowPartial } : {}),
    ...(diffBase ? { diffBase } : {}),
    ...(shard ? { shard: parseShard(shard) } : {}),
    stageOptions,
    publish,
    ...(input(env, 'github-token') ? { token: input(env, 'github-token') } : {}),
    ...(statusKind ? { statusKind } : {}),
    ...(input(env, 'category') ? { category: input(env, 'category') } : {}),
  };
}

/** Counts for the outputs: active (not suppressed) findings, and those new against the baseline. */
export function findingCounts(reports: readonly Report[]): { findings: number; newFindings: number } {
  let findings = 0;
  let newFindings = 0;
  for (const r of reports) {
    for (const f of r.findings) {
      if (f.suppression) continue;
      findings++;
      if (f.baselineState !== 'existing') newFindings++;
    }
  }
  return { findings, newFindings };
}

/**
 * Runs one action end to end and sets `process.exitCode`: 0 passed, 1 gate failed, 2 bad input or
 * config, 3 a stage could not complete. Outputs: gate, findings, new-findings, report, sarif.
 */
export async function runAction(options: RunActionOptions): Promise<number> {
  const env = options.env ?? process.env;
  let code: number;
  try {
    const inputs = readActionInputs(env, options.stage);
    const { token, statusKind, category, ...pipeline } = inputs;
    const platform = createGitHubPlatform({
      env,
      ...(token ? { token } : {}),
      ...(statusKind ? { statusKind } : {}),
      ...(category ? { sarifCategory: category } : {}),
      ...options.platform,
    });
    if (options.native) {
      try {
        await ensureNativeModules(options.native, { env, log: (l) => platform.logger.info(l) });
      } catch (e) {
        throw new NativeError((e as Error).message);
      }
    }
    const run = options.runPipeline ?? (await options.runner?.())?.runPipeline;
    if (!run) throw new Error('runAction needs runPipeline or runner');
    const result = await run({ ...pipeline, platform, logger: platform.logger });
    const { findings, newFindings } = findingCounts(result.reports);
    core.setOutput('gate', result.gate.passed ? 'passed' : 'failed');
    core.setOutput('findings', String(findings));
    core.setOutput('new-findings', String(newFindings));
    const report = options.stage ? result.files[`json:${options.stage}`] : undefined;
    core.setOutput('report', report ?? result.files[`json:${result.reports[0]?.stage}`] ?? '');
    core.setOutput(
      'reports',
      JSON.stringify(Object.fromEntries(Object.entries(result.files).filter(([k]) => k.startsWith('json:')))),
    );
    core.setOutput('sarif', result.files.sarif ?? '');
    code = result.exitCode;
    if (code === EXIT.gateFailed) {
      const first = result.gate.violations[0]?.message;
      core.error(`DevSecFlow gate failed${first ? `: ${first}` : ''}`);
    } else if (code === EXIT.stageIncomplete) {
      core.error('DevSecFlow: a stage could not complete; see the errors above');
    }
  } catch (e) {
    core.error(e instanceof NativeError ? e.message : describeError(e, core.isDebug()));
    code = isUserError(e) ? EXIT.usage : EXIT.stageIncomplete;
  }
  process.exitCode = code;
  return code;
}
