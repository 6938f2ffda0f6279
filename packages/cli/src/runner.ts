import { mkdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import {
  type Baseline,
  type PipelineResult as CorePipelineResult,
  type DiffInfo,
  defaultPolicy,
  EXIT,
  enabledStages,
  evaluateGate,
  findConfigFile,
  type GateResult,
  loadConfig,
  mergeReports,
  type PipelineOptions,
  type Policy,
  type Report,
  readBaseline,
  runStage,
  type Stage,
  UserError,
} from '@devsecflow/core';
import { sarifImportStage } from './import-stage.js';
import { writeOutputs } from './output.js';
import { RUN_ONLY_WHEN_NAMED, STAGES } from './stages.js';
import { TOOL } from './version.js';

/** The runner's result, with the policy it applied (the CLI prints from it). */
export interface PipelineResult extends CorePipelineResult {
  policy: Policy;
}

/** `import` belongs to the runner (it adds a SARIF import stage), never to the stage's own options. */
function withoutImport(options: Record<string, unknown>): Record<string, unknown> {
  const { import: _import, ...rest } = options;
  return rest;
}

/** Loads the policy: the given config, else `<root>/devsecflow.yml`, else the defaults. */
export async function loadPolicy(root: string, configPath?: string): Promise<Policy> {
  const file = configPath ? resolve(configPath) : findConfigFile(root);
  return file ? loadConfig(file) : defaultPolicy(root);
}

/**
 * A blocked deployment fails the run whatever `--fail-on` or the config say about severities: the
 * deploy-approval stage's decision (`stats.approved`) is not a threshold to tune.
 */
export function withDeployVerdict(gate: GateResult, reports: Report[]): GateResult {
  const blocked = reports.filter((r) => r.stage === 'deploy-approval' && r.stats.approved === 0);
  if (blocked.length === 0 || !gate.passed) return gate;
  return {
    passed: false,
    violations: blocked.map((r) => ({
      rule: 'stage' as const,
      stage: r.stage,
      message: `deployment blocked: ${r.findings.find((f) => !f.suppression)?.message ?? 'see the deploy-approval report'}`,
    })),
  };
}

/** Exit code for a set of reports and their overall gate. */
export function exitCodeFor(reports: Report[], gate: GateResult): 0 | 1 | 3 {
  if (reports.some((r) => r.status === 'failed')) return EXIT.stageIncomplete;
  return gate.passed ? EXIT.passed : EXIT.gateFailed;
}

async function diffFor(options: PipelineOptions, policy: Policy): Promise<DiffInfo | undefined> {
  const base = options.diffBase ?? (policy.diffAware ? policy.diffAware.base : undefined);
  if (!options.diffBase && !policy.diffAware) return undefined;
  return options.platform.changedLines(base);
}

/**
 * Runs stages the same way for the CLI, every action and every template: config, diff, each
 * stage through core's runStage, the overall gate, report files, then the platform's publishing.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const root = resolve(options.root);
  const policy = await loadPolicy(root, options.configPath);
  // Each entry is one stage's work: the native stage and/or other scanners' SARIF (`import:`).
  const plan: Stage<never>[][] = [];
  if (options.stageInstances) {
    plan.push(...options.stageInstances.map((s) => [s]));
  } else {
    const ids = options.stages?.length
      ? options.stages
      : enabledStages(policy).filter((id) => !RUN_ONLY_WHEN_NAMED.includes(id));
    if (ids.length === 0) {
      throw new UserError(
        policy.files.length
          ? `no stage is enabled in ${relative(process.cwd(), policy.files.at(-1)!) || policy.files.at(-1)}: add one under \`stages:\` (e.g. \`stages: { sast: {} }\`) or name stages on the command line`
          : 'no devsecflow.yml found and no stage named: run `devsecflow init`, or name stages (e.g. `devsecflow run sast`)',
      );
    }
    for (const id of ids) {
      const native = await STAGES[id]?.load();
      // Other scanners' SARIF: from the config (relative to it) and from flags or action inputs.
      const fromRun = options.stageOptions?.[id]?.import;
      const imports = [
        ...(policy.stages[id]?.import ?? []).map((f) => resolve(policy.baseDir, f)),
        ...(Array.isArray(fromRun) ? fromRun.map((f) => resolve(root, String(f))) : []),
      ];
      if (!native && imports.length === 0) {
        const known = Object.keys(STAGES).join(', ') || 'none yet';
        throw new UserError(
          `stage '${id}' is not available in this version of devsecflow (available: ${known}; any stage can still take other scanners' SARIF through \`stages.${id}.import\`)`,
        );
      }
      plan.push([
        ...(native ? [native] : []),
        ...(imports.length ? [sarifImportStage(id, imports) as Stage<never>] : []),
      ]);
    }
  }

  const baselinePath = policy.baseline;
  const baseline: Baseline | undefined = baselinePath ? await readBaseline(baselinePath) : undefined;
  const context = await options.platform.context();
  const diff = await diffFor(options, policy);
  const gateOverrides = {
    ...(options.failOn !== undefined ? { failOn: options.failOn } : {}),
    ...(options.newOnly !== undefined ? { newOnly: options.newOnly } : {}),
    ...(options.allowPartial !== undefined ? { allowPartial: options.allowPartial } : {}),
  };

  const runOne = (stage: Stage<never>) =>
    options.logger.group(`${stage.meta.id}: ${stage.meta.title}`, () =>
      runStage(stage, {
        root,
        policy,
        platform: options.platform,
        logger: options.logger,
        tool: TOOL,
        ...(options.shard ? { shard: options.shard } : {}),
        ...(diff ? { diff } : {}),
        ...(baseline ? { baseline } : {}),
        ...(options.stageOptions?.[stage.meta.id]
          ? { options: withoutImport(options.stageOptions[stage.meta.id]!) }
          : {}),
        target: {
          ...(context.commit ? { commit: context.commit } : {}),
          ...(context.ref ? { ref: context.ref } : {}),
        },
        gateOverrides,
      }),
    );

  const reports: Report[] = [];
  for (const parts of plan) {
    const partReports: Report[] = [];
    for (const stage of parts) partReports.push(await runOne(stage));
    if (partReports.length === 1) {
      reports.push(partReports[0]!);
    } else {
      const [merged] = mergeReports(partReports);
      reports.push({
        ...merged!,
        gate: evaluateGate([merged!], { ...policy, requiredStages: [] }, gateOverrides),
      });
    }
  }
  const gate = withDeployVerdict(evaluateGate(reports, policy, gateOverrides), reports);
  const outputDir = isAbsolute(options.outputDir) ? options.outputDir : resolve(options.outputDir);
  await mkdir(outputDir, { recursive: true });
  // Findings without a location (threshold misses, policy violations) are anchored at the config.
  const configFile = policy.files.at(-1);
  const anchorPath = configFile ? relative(root, configFile).split(sep).join('/') : 'devsecflow.yml';
  const files = await writeOutputs(reports, gate, outputDir, options.formats ?? [], {
    sarif: { anchorPath: anchorPath.startsWith('..') ? 'devsecflow.yml' : anchorPath },
  });
  await options.platform.publish(reports, { outputDir, files, ...(options.publish ?? {}) });
  return { reports, gate, exitCode: exitCodeFor(reports, gate), files, policy };
}

export type { PipelineOptions };
