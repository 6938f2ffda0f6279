import type { Stage, StageId } from '@devsecflow/core';
import { testGateStage } from '@devsecflow/test-gate';

/**
 * The stages this CLI ships, by id. A new stage package adds one line here (and an action folder
 * and a GitLab template).
 */
export const STAGES: Partial<Record<StageId, Stage<never>>> = {
  'test-gate': testGateStage as Stage<never>,
};

/** CLI subcommand names for stages whose id is not the friendliest word to type. */
export const STAGE_ALIASES: Record<string, StageId> = {
  tests: 'test-gate',
  'dependency-scan': 'deps',
  'secret-detection': 'secrets',
};
