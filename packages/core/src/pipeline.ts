import type { Logger } from './logger.js';
import type { GateResult, Report, StageId } from './model.js';
import type { Platform } from './platform.js';
import type { FailOn } from './policy.js';
import type { Stage } from './stage.js';
import type { Shard } from './walker-types.js';

/**
 * The contract of the shared runner (`devsecflow/runner`'s `runPipeline`): the CLI implements it,
 * each GitHub action calls it, each GitLab template runs it through the CLI. Defined here so the
 * platforms can type what they hand the runner without importing the CLI.
 */
export interface PipelineOptions {
  /** Absolute path of the tree to scan. */
  root: string;
  /** devsecflow.yml; default: the one in `root` when it exists. */
  configPath?: string;
  /** Default: the stages enabled in the config. */
  stages?: StageId[];
  /** Stages built at run time (SARIF imports) instead of looked up by id. */
  stageInstances?: Stage<never>[];
  platform: Platform;
  logger: Logger;
  outputDir: string;
  /** Format ids from @devsecflow/formats; the JSON report is always written. */
  formats?: string[];
  failOn?: FailOn;
  newOnly?: boolean;
  allowPartial?: boolean;
  /** Diff-aware mode against this revision (overrides the config). */
  diffBase?: string;
  shard?: Shard;
  /** Per-stage option overrides (CLI flags, action inputs), merged over the config. */
  stageOptions?: Partial<Record<StageId, Record<string, unknown>>>;
  publish?: { comment?: boolean; annotations?: boolean; uploadSarif?: boolean; status?: boolean };
}

export interface PipelineResult {
  /** One per stage run, each with its own `gate`. */
  reports: Report[];
  /** The overall verdict. */
  gate: GateResult;
  /** 0 passed, 1 gate failed, 2 usage or configuration error, 3 a stage could not complete. */
  exitCode: 0 | 1 | 2 | 3;
  /** Written files by format id (per stage for per-stage formats: `json:sast`). */
  files: Record<string, string>;
}

export type RunPipeline = (options: PipelineOptions) => Promise<PipelineResult>;
