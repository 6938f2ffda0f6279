import type { z } from 'zod';
import type { Logger } from './logger.js';
import type { Finding, ReportError, ReportStatus, StageId } from './model.js';
import type { DiffInfo, Platform } from './platform.js';
import type { Policy } from './policy.js';
import type { Shard, WalkedFile, WalkOptions, WalkStats } from './walker-types.js';

/**
 * A finding as a stage produces it. runStage fills in `stage`, the fingerprint (unless the stage
 * computed its own, e.g. secrets from a salted hash), empty lists and the suppression/baseline state.
 */
export type FindingDraft = Omit<
  Finding,
  'fingerprint' | 'stage' | 'identifiers' | 'references' | 'suppression' | 'baselineState'
> & {
  fingerprint?: string;
  identifiers?: Finding['identifiers'];
  references?: Finding['references'];
  /**
   * The code the fingerprint is computed from when it differs from `location.snippet` (e.g. a
   * redacted snippet shown to users while the fingerprint uses a salted hash of the value).
   */
  fingerprintContext?: string;
};

export interface StageMeta {
  id: StageId;
  title: string;
  description: string;
  /**
   * How the diff-aware filter applies: `lines` keeps findings on changed lines (code stages),
   * `files` keeps findings whose file or manifest changed (dependency scan), `none` keeps all.
   */
  diffScope: 'lines' | 'files' | 'none';
}

export interface StageContext {
  /** Absolute path of the tree being scanned. */
  root: string;
  policy: Policy;
  logger: Logger;
  platform: Platform;
  shard?: Shard;
  /**
   * Changed lines when diff-aware mode is on. A stage that needs them for its own checks when the
   * mode is off (coverage of new code) may call `platform.changedLines()` itself.
   */
  diff?: DiffInfo;
  signal: AbortSignal;
  /**
   * The shared file walker with the policy's excludes, size limit and shard applied. Skips are
   * counted into `walkStats`, which runStage copies into the report stats.
   */
  files(options?: Partial<Omit<WalkOptions, 'root' | 'shard'>>): AsyncIterable<WalkedFile>;
  walkStats: WalkStats;
}

export interface StageOutput {
  findings: FindingDraft[];
  /** What could not be scanned, and why. Non-empty errors make the report `partial` unless status says otherwise. */
  errors?: ReportError[];
  stats?: Record<string, number>;
  status?: ReportStatus;
  /** Overrides the report tool (imports keep the original scanner's name). */
  tool?: { name: string; version: string };
  /**
   * Overrides `meta.diffScope` for this run: a history scan reports secrets added and removed
   * inside the change, which sit on no changed line of the final diff (`none` keeps them).
   */
  diffScope?: StageMeta['diffScope'];
}

/** Every stage has this shape: metadata, an options schema, and `run`. */
export interface Stage<O = Record<string, unknown>> {
  meta: StageMeta;
  /** Validates the stage's section of devsecflow.yml (gate fields and `enabled` are stripped first). */
  options: z.ZodType<O>;
  run(context: StageContext, options: O): Promise<StageOutput>;
}

/** Helper that keeps a stage's option type when declaring it. */
export function defineStage<O>(stage: Stage<O>): Stage<O> {
  return stage;
}
