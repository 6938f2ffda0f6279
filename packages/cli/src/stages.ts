import type { Stage, StageId } from '@devsecflow/core';

/** A stage the CLI ships: its title for help text, and its package, loaded only when it runs. */
export interface StageEntry {
  title: string;
  load(): Promise<Stage<never>>;
}

/**
 * The stages this CLI ships, by id. A new stage package adds one entry here (and an action folder
 * and a GitLab template). Loading on demand keeps `--help` and one-stage runs from loading every
 * scanner (the SAST stage's native parser, the secrets rule set...).
 */
export const STAGES: Partial<Record<StageId, StageEntry>> = {
  sast: {
    title: 'Static analysis',
    load: async () => (await import('@devsecflow/sast')).sastStage as Stage<never>,
  },
  deps: {
    title: 'Dependency scan',
    load: async () => (await import('@devsecflow/deps')).depsStage as Stage<never>,
  },
  secrets: {
    title: 'Secret detection',
    load: async () => (await import('@devsecflow/secrets')).secretsStage as Stage<never>,
  },
  'test-gate': {
    title: 'Test gate',
    load: async () => (await import('@devsecflow/test-gate')).testGateStage as Stage<never>,
  },
  'deploy-approval': {
    title: 'Deploy approval',
    load: async () => (await import('@devsecflow/deploy-approval')).deployApprovalStage as Stage<never>,
  },
};

/**
 * Stages `run` leaves out unless they are named: deploy approval is its own job after the scans,
 * reading their reports.
 */
export const RUN_ONLY_WHEN_NAMED: StageId[] = ['deploy-approval'];

/** CLI subcommand names for stages whose id is not the friendliest word to type. */
export const STAGE_ALIASES: Record<string, StageId> = {
  tests: 'test-gate',
  'dependency-scan': 'deps',
  'secret-detection': 'secrets',
  deploy: 'deploy-approval',
};

/** A stage subcommand's own flags, each setting one option of the stage (over the config). */
export interface StageFlag {
  flags: string;
  description: string;
  option: string;
}

export const STAGE_FLAGS: Partial<Record<StageId, StageFlag[]>> = {
  sast: [
    { flags: '--rules <files...>', description: 'custom rule YAML files or globs', option: 'rules' },
    { flags: '--disable <ids...>', description: 'rule ids to turn off', option: 'disable' },
  ],
  deps: [
    {
      flags: '--offline-db <dir>',
      description: 'match against OSV dumps in <dir> (no network)',
      option: 'offlineDb',
    },
    { flags: '--sbom <file>', description: 'also write a CycloneDX 1.6 SBOM', option: 'sbom' },
  ],
  secrets: [
    {
      flags: '--since <rev>',
      description: 'scan the lines added by the commits in <rev>..HEAD',
      option: 'since',
    },
    { flags: '--staged', description: 'scan the staged changes (pre-commit hook)', option: 'staged' },
    { flags: '--history', description: 'scan every commit reachable from HEAD', option: 'history' },
    {
      flags: '--change-commits',
      description: "scan the commits of the current PR/MR (from the platform's base)",
      option: 'changeCommits',
    },
  ],
  'deploy-approval': [
    {
      flags: '--environment <name>',
      description: 'the environment being deployed to',
      option: 'environment',
    },
    { flags: '--reports <globs...>', description: 'stage reports to decide on (JSON)', option: 'reports' },
    {
      flags: '--evidence-log <file>',
      description: 'the hash-chained evidence log to append to',
      option: 'evidenceLog',
    },
    {
      flags: '--evidence-out <file>',
      description: "write this run's evidence record here",
      option: 'evidenceOut',
    },
  ],
  'test-gate': [
    { flags: '--junit <globs...>', description: 'JUnit XML reports', option: 'junit' },
    {
      flags: '--coverage <globs...>',
      description: 'coverage reports (lcov, Cobertura, JaCoCo, Istanbul, Go)',
      option: 'coverage',
    },
  ],
};
