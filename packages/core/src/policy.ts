import { z } from 'zod';
import { STAGE_IDS } from './model.js';
import { SEVERITIES } from './severity.js';

/** `failOn: none` turns the severity check off (other gate rules still apply). */
export const FailOnSchema = z.enum([...SEVERITIES, 'none']);
export type FailOn = z.infer<typeof FailOnSchema>;

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'an ISO date such as 2026-12-31');

/**
 * One ignore entry. At least one of rule / path / advisory selects findings; all given selectors
 * must match. A reason is required so every suppression explains itself in the audit trail.
 */
export const IgnoreEntrySchema = z
  .object({
    rule: z.string().min(1).optional().describe('Rule id; `*` suffix matches a prefix.'),
    path: z.string().min(1).optional().describe('Glob over finding paths (or manifests for packages).'),
    advisory: z.string().min(1).optional().describe('CVE / GHSA / OSV id, matched against identifiers.'),
    fingerprint: z.string().min(1).optional(),
    reason: z.string().min(1, 'a reason is required'),
    expires: dateString.optional(),
  })
  .strict()
  .refine((e) => e.rule || e.path || e.advisory || e.fingerprint, {
    message: 'an ignore needs at least one of rule, path, advisory or fingerprint',
  });
export type IgnoreEntry = z.infer<typeof IgnoreEntrySchema>;

/** Gate settings that can be set globally, per stage and per team. */
const gateFields = {
  failOn: FailOnSchema.optional(),
  maxFindings: z.number().int().min(0).optional(),
  newOnly: z.boolean().optional().describe('Only findings not in the baseline count towards the gate.'),
  allowPartial: z.boolean().optional().describe('A partial report passes the gate instead of failing it.'),
};

/**
 * A stage's section. Gate fields and `enabled` are common; everything else is the stage's own
 * options, validated by the stage's schema when it runs (core knows no stage).
 */
export const StageSectionSchema = z
  .object({
    enabled: z.boolean().optional(),
    ...gateFields,
    diffAware: z.boolean().optional().describe('Per-stage opt-out of the diff filter.'),
    import: z
      .array(z.string().min(1))
      .optional()
      .describe("Other scanners' SARIF files (relative to the config) merged into this stage's report."),
  })
  .catchall(z.unknown());
export type StageSection = z.infer<typeof StageSectionSchema>;

export const TeamSchema = z
  .object({
    name: z.string().min(1),
    paths: z.array(z.string().min(1)).min(1),
    owners: z.array(z.string()).optional(),
    ...gateFields,
    ignore: z.array(IgnoreEntrySchema).optional(),
  })
  .strict();
export type Team = z.infer<typeof TeamSchema>;

const stagesShape = Object.fromEntries(STAGE_IDS.map((id) => [id, StageSectionSchema.optional()])) as Record<
  (typeof STAGE_IDS)[number],
  z.ZodOptional<typeof StageSectionSchema>
>;

/** How far `devsecflow fix` may upgrade on its own (`fix.automatic`); larger upgrades are left to a person. */
export const FIX_AUTOMATIC_LEVELS = ['none', 'patch', 'minor', 'major'] as const;
export type FixAutomatic = (typeof FIX_AUTOMATIC_LEVELS)[number];

/** `fix:`: what `devsecflow fix` may apply on its own, how it tests it, and how it proposes it. */
export const FixSectionSchema = z
  .object({
    automatic: z
      .enum(FIX_AUTOMATIC_LEVELS)
      .optional()
      .describe('Largest upgrade applied without a person: none, patch, minor (default) or major.'),
    test: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
        error: 'expected a command: a list of arguments, or a string split into arguments (no shell)',
      })
      .optional()
      .describe('The test command run in the project root after the fix (no shell).'),
    branch: z.string().min(1).optional().describe('Prefix of the PR/MR branch (default devsecflow/fix).'),
    labels: z.array(z.string().min(1)).optional().describe('Labels of the PR/MR.'),
  })
  .strict();
export type FixSection = z.infer<typeof FixSectionSchema>;

/** The effective `fix` settings. */
export interface FixPolicy {
  automatic: FixAutomatic;
  test?: string | string[];
  branch: string;
  labels: string[];
}

export const DEFAULT_FIX_POLICY: FixPolicy = {
  automatic: 'minor',
  branch: 'devsecflow/fix',
  labels: ['dependencies', 'security'],
};

/** Merges `fix` sections from the least to the most specific config file: each key from the last file setting it. */
export function resolveFixPolicy(sections: (FixSection | undefined)[]): FixPolicy {
  const out: FixPolicy = { ...DEFAULT_FIX_POLICY, labels: [...DEFAULT_FIX_POLICY.labels] };
  for (const s of sections) {
    if (!s) continue;
    if (s.automatic !== undefined) out.automatic = s.automatic;
    if (s.test !== undefined) out.test = s.test;
    if (s.branch !== undefined) out.branch = s.branch;
    if (s.labels !== undefined) out.labels = s.labels;
  }
  return out;
}

export const ConfigFileSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).optional(),
    extends: z.union([z.string(), z.array(z.string())]).optional(),
    ...gateFields,
    requiredStages: z.array(z.enum(STAGE_IDS)).optional(),
    baseline: z.string().optional().describe('Baseline file, relative to the config file.'),
    diffAware: z
      .union([z.boolean(), z.object({ base: z.string().optional() }).strict()])
      .optional()
      .describe('Report only findings on lines the change touched.'),
    exclude: z
      .array(z.string())
      .optional()
      .describe('Globs excluded from every stage, on top of .gitignore.'),
    maxFileSize: z
      .union(
        [
          z.number().int().positive(),
          z
            .string()
            .regex(
              /^\d+(\.\d+)?\s*(B|KB|MB|GB)$/i,
              'expected a number of bytes or a size such as 512KB or 2MB',
            ),
        ],
        { error: 'expected a number of bytes or a size such as 512KB or 2MB' },
      )
      .optional(),
    ignore: z.array(IgnoreEntrySchema).optional(),
    stages: z.object(stagesShape).strict().optional(),
    teams: z.array(TeamSchema).optional(),
    fix: FixSectionSchema.optional().describe('What `devsecflow fix` may do on its own.'),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** An ignore entry with where it was declared, for audit and for expired-ignore findings. */
export interface ResolvedIgnore extends IgnoreEntry {
  source: string;
  team?: string;
}

export interface GateSettings {
  failOn: FailOn;
  maxFindings?: number;
  newOnly: boolean;
  allowPartial: boolean;
}

/** The effective policy after `extends` and defaults: what runStage and the gate read. */
export interface Policy {
  /** Config files that contributed, most specific last. Empty when running without a config. */
  files: string[];
  /** Directory config-relative paths resolve against. */
  baseDir: string;
  gate: GateSettings;
  requiredStages: (typeof STAGE_IDS)[number][];
  baseline?: string;
  diffAware: false | { base?: string };
  exclude: string[];
  maxFileSize: number;
  ignore: ResolvedIgnore[];
  stages: Partial<Record<(typeof STAGE_IDS)[number], StageSection>>;
  teams: (Team & { ignore: ResolvedIgnore[] })[];
  /** `fix:` merged over the `extends` chain, with defaults. */
  fix: FixPolicy;
  /** Finds the file:line:col of a config key path, for errors raised after loading (stage options). */
  locate(keyPath: (string | number)[]): { file: string; line?: number; column?: number } | undefined;
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export function parseSize(value: number | string | undefined, fallback = DEFAULT_MAX_FILE_SIZE): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(value.trim());
  if (!m) return fallback;
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[
    m[2]!.toUpperCase() as 'B' | 'KB' | 'MB' | 'GB'
  ];
  return Math.round(Number(m[1]) * unit);
}

/** The policy used when there is no devsecflow.yml: fail on high and above. */
export function defaultPolicy(baseDir: string): Policy {
  return {
    files: [],
    baseDir,
    gate: { failOn: 'high', newOnly: false, allowPartial: false },
    fix: resolveFixPolicy([]),
    requiredStages: [],
    diffAware: false,
    exclude: [],
    maxFileSize: DEFAULT_MAX_FILE_SIZE,
    ignore: [],
    stages: {},
    teams: [],
    locate: () => undefined,
  };
}
