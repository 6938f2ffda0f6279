import { z } from 'zod';
import { SEVERITIES } from './severity.js';

/** Report schema version. Bump on breaking changes; the JSON Schema is published per version. */
export const SCHEMA_VERSION = '1' as const;

/** The stages DevSecFlow knows. CLI subcommands, config keys and report `stage` all use these ids. */
export const STAGE_IDS = ['sast', 'deps', 'secrets', 'test-gate', 'deploy-approval'] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** Display names of the stages: headings, tables, notes and statuses on every platform. */
export const STAGE_TITLES: Record<StageId, string> = {
  sast: 'SAST',
  deps: 'Dependency scan',
  secrets: 'Secret detection',
  'test-gate': 'Test gate',
  'deploy-approval': 'Deploy approval',
};

export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export const REPORT_STATUSES = ['ok', 'partial', 'failed'] as const;
export const IDENTIFIER_TYPES = ['cve', 'ghsa', 'osv', 'cwe', 'owasp', 'rule', 'other'] as const;
export const DEPENDENCY_SCOPES = ['prod', 'dev', 'optional', 'peer', 'unknown'] as const;
export const SUPPRESSION_KINDS = ['inline', 'config', 'baseline'] as const;
export const BASELINE_STATES = ['new', 'existing'] as const;

export const SeveritySchema = z.enum(SEVERITIES).describe('critical > high > medium > low > info');
export const StageIdSchema = z.enum(STAGE_IDS);

const isoDateTime = z.iso.datetime({ offset: true });

export const LocationSchema = z
  .object({
    path: z.string().min(1).describe('Path relative to the target root, with forward slashes.'),
    startLine: z.number().int().min(1),
    startColumn: z.number().int().min(1).optional(),
    endLine: z.number().int().min(1).optional(),
    endColumn: z.number().int().min(1).optional(),
    snippet: z
      .string()
      .optional()
      .describe('The flagged code, trimmed. Redacted for secrets: never the raw value.'),
  })
  .strict();

export const PackageRefSchema = z
  .object({
    ecosystem: z.string().min(1).describe('OSV ecosystem name: npm, PyPI, Go, crates.io, Maven, ...'),
    name: z.string().min(1),
    version: z.string(),
    purl: z.string().optional(),
    direct: z.boolean().optional(),
    scope: z.enum(DEPENDENCY_SCOPES).optional(),
    dependencyPath: z
      .array(z.string())
      .optional()
      .describe('Shortest path from a direct dependency to this package, as name@version entries.'),
    manifest: z
      .string()
      .describe('The lockfile or manifest the package was read from, relative to the root.'),
  })
  .strict();

export const IdentifierSchema = z
  .object({
    type: z.enum(IDENTIFIER_TYPES),
    value: z.string().min(1),
    url: z.string().optional(),
  })
  .strict();

export const CvssSchema = z
  .object({
    version: z.string().describe('"3.1", "4.0", ...'),
    vector: z.string().optional(),
    score: z.number().min(0).max(10).optional(),
  })
  .strict();

export const FixSchema = z
  .object({
    summary: z.string(),
    versions: z.array(z.string()).optional().describe('Versions that fix the finding, smallest first.'),
  })
  .strict();

export const SuppressionSchema = z
  .object({
    kind: z.enum(SUPPRESSION_KINDS),
    reason: z.string().min(1),
    expires: z.string().optional().describe('ISO date after which the suppression no longer applies.'),
    source: z.string().optional().describe('Where the suppression was declared: file and line.'),
  })
  .strict();

export const FindingSchema = z
  .object({
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{16,64}$/)
      .describe('Stable across runs and line shifts: rule + path + normalised code, or package + advisory.'),
    stage: StageIdSchema,
    ruleId: z.string().min(1),
    title: z.string().min(1),
    message: z.string(),
    severity: SeveritySchema,
    confidence: z.enum(CONFIDENCES),
    location: LocationSchema.optional(),
    package: PackageRefSchema.optional(),
    identifiers: z.array(IdentifierSchema),
    cvss: CvssSchema.optional(),
    fix: FixSchema.optional(),
    references: z.array(z.string()),
    suppression: SuppressionSchema.optional(),
    baselineState: z.enum(BASELINE_STATES).optional(),
    tool: z
      .object({ name: z.string(), version: z.string().optional() })
      .strict()
      .optional()
      .describe('The scanner that produced the finding, when it is not the report tool (imports, merges).'),
    properties: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Stage-specific extras (never secrets in clear).'),
  })
  .strict();

export const ReportErrorSchema = z
  .object({
    message: z.string(),
    path: z.string().optional(),
    line: z.number().int().optional(),
    kind: z.enum(['error', 'skipped']).default('error'),
  })
  .strict();

export const GateViolationSchema = z
  .object({
    rule: z.enum(['fail-on', 'max-findings', 'required-stage', 'partial-report', 'stage-failed', 'stage']),
    message: z.string(),
    stage: StageIdSchema.optional(),
    fingerprint: z.string().optional(),
  })
  .strict();

export const GateResultSchema = z
  .object({
    passed: z.boolean(),
    violations: z.array(GateViolationSchema),
  })
  .strict();

export const ReportSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    stage: StageIdSchema,
    tool: z.object({ name: z.string(), version: z.string() }).strict(),
    target: z
      .object({ root: z.string(), commit: z.string().optional(), ref: z.string().optional() })
      .strict(),
    startedAt: isoDateTime,
    finishedAt: isoDateTime,
    status: z.enum(REPORT_STATUSES),
    findings: z.array(FindingSchema),
    errors: z.array(ReportErrorSchema),
    stats: z.record(z.string(), z.number()),
    diff: z
      .object({
        applied: z.boolean(),
        base: z.string().optional(),
        reason: z.string().optional().describe('Why the diff filter was not applied.'),
        removed: z.number().int().optional(),
      })
      .strict()
      .optional(),
    gate: GateResultSchema.optional(),
  })
  .strict();

export type Location = z.infer<typeof LocationSchema>;
export type PackageRef = z.infer<typeof PackageRefSchema>;
export type Identifier = z.infer<typeof IdentifierSchema>;
export type Cvss = z.infer<typeof CvssSchema>;
export type Fix = z.infer<typeof FixSchema>;
export type Suppression = z.infer<typeof SuppressionSchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type ReportError = z.input<typeof ReportErrorSchema>;
export type GateViolation = z.infer<typeof GateViolationSchema>;
export type GateResult = z.infer<typeof GateResultSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export type Confidence = (typeof CONFIDENCES)[number];

/** JSON Schema (draft 2020-12) of the report, as published in docs/schemas/report-v1.schema.json. */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ReportSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    $id: 'https://devsecflow.dev/schemas/report-v1.schema.json',
    title: 'DevSecFlow stage report, v1',
    ...schema,
  };
}
