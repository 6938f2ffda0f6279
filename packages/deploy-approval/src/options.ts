import { SEVERITIES, STAGE_IDS, z } from '@devsecflow/core';

/** Stages whose reports a deploy can require (a deploy approval never requires itself). */
export const REQUIRABLE_STAGES = STAGE_IDS.filter((s) => s !== 'deploy-approval') as Exclude<
  (typeof STAGE_IDS)[number],
  'deploy-approval'
>[];

/** Weekday names accepted in weekly freeze windows, Monday first (ISO 8601 order). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const FULL_DAY: Record<string, Weekday> = {
  monday: 'mon',
  tuesday: 'tue',
  wednesday: 'wed',
  thursday: 'thu',
  friday: 'fri',
  saturday: 'sat',
  sunday: 'sun',
};

const weekday = z
  .string()
  .transform((v, ctx) => {
    const k = v.trim().toLowerCase();
    const day = (WEEKDAYS as readonly string[]).includes(k) ? (k as Weekday) : FULL_DAY[k];
    if (!day) {
      ctx.addIssue({ code: 'custom', message: `expected a weekday (${WEEKDAYS.join(', ')}), got "${v}"` });
      return z.NEVER;
    }
    return day;
  })
  .describe('mon ... sun (full names accepted)');

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM (00:00 to 24:00)')
  .describe('HH:MM, 24-hour clock, in the environment time zone');

/** A date (whole days in the environment time zone) or a date-time (local unless it has an offset). */
const dateOrDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/,
    'an ISO date (2026-12-24) or date-time (2026-12-24T18:00, optionally with Z or an offset)',
  )
  .refine((v) => !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00Z` : v)), 'not a real date');

export const DateFreezeSchema = z
  .object({
    from: dateOrDateTime.describe('First day (inclusive) or start time of the freeze.'),
    to: dateOrDateTime.describe('Last day (inclusive) or end time (exclusive) of the freeze.'),
    reason: z.string().min(1).optional(),
  })
  .strict();

export const WeeklyFreezeSchema = z
  .object({
    weekly: z
      .object({
        days: z.array(weekday).min(1).describe('Days the window starts on.'),
        from: clock.default('00:00'),
        to: clock.default('24:00').describe('End (exclusive); earlier than `from` runs past midnight.'),
      })
      .strict(),
    reason: z.string().min(1).optional(),
  })
  .strict();

/** A change freeze: a date range, or a window repeating every week. */
export const FreezeWindowSchema = z.union([DateFreezeSchema, WeeklyFreezeSchema], {
  error: 'a freeze window is either { from, to } dates or { weekly: { days, from, to } }',
});
export type FreezeWindow = z.infer<typeof FreezeWindowSchema>;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const stageList = z.array(z.enum(REQUIRABLE_STAGES));

/** The policy of one environment, `stages.deploy-approval.environments.<name>` in devsecflow.yml. */
export const EnvironmentPolicySchema = z
  .object({
    requiredStages: stageList
      .default([])
      .describe(
        'Stages whose reports must exist, be for the deployed commit, be complete and have passed their gates.',
      ),
    allowPartial: z
      .union([z.boolean(), stageList])
      .default(false)
      .describe('Accept partial reports (all stages, or the listed ones) for required stages.'),
    maxSeverity: z
      .enum(SEVERITIES)
      .optional()
      .describe('Severity ceiling: any unsuppressed finding above it, in any report, blocks the deploy.'),
    noExpiredSuppressions: z
      .boolean()
      .default(true)
      .describe('Block when an ignore or suppression has expired.'),
    minApprovals: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Human approvals required on the deployed commit, never counting the change author.'),
    approvers: z
      .object({
        users: z.array(z.string().min(1)).default([]),
        teams: z
          .array(z.string().min(1))
          .default([])
          .describe('GitHub `org/team-slug` (or `team-slug` in the repo owner), GitLab group full paths.'),
      })
      .strict()
      .optional()
      .describe('Who may approve. Absent: anyone but the author.'),
    allowedRefs: z
      .array(z.string().min(1))
      .optional()
      .describe('Branch or tag globs (`main`, `release/*`, `v*`, or full `refs/tags/v*`). Absent: any ref.'),
    freeze: z.array(FreezeWindowSchema).default([]).describe('Change-freeze windows.'),
    timeZone: z
      .string()
      .default('UTC')
      .refine(validTimeZone, { message: 'an IANA time zone such as Europe/Berlin or America/New_York' })
      .describe('IANA time zone of freeze windows.'),
  })
  .strict();
export type EnvironmentPolicy = z.infer<typeof EnvironmentPolicySchema>;

const globs = z
  .union([z.string().min(1), z.array(z.string().min(1))])
  .transform((v) => (typeof v === 'string' ? [v] : v));

/** The `stages.deploy-approval` section of devsecflow.yml (gate fields and `enabled` are stripped first). */
export const DeployApprovalOptionsSchema = z
  .object({
    environment: z
      .string()
      .min(1)
      .optional()
      .describe('The environment being deployed; the CLI passes it (`--environment`).'),
    environments: z
      .record(z.string().min(1), EnvironmentPolicySchema)
      .default({})
      .describe('Policy per environment name.'),
    reports: globs
      .default(['.devsecflow/reports/**/devsecflow-*.json'])
      .describe(
        'Stage JSON reports: files or globs relative to the root (artifacts, `needs:`). Default `.devsecflow/reports/**/devsecflow-*.json`: where `devsecflow run` and the GitLab templates write them.',
      ),
    evidenceLog: z
      .union([z.string().min(1), z.literal(false)])
      .default('.devsecflow/evidence.jsonl')
      .describe('Hash-chained JSONL log every decision is appended to (false: none).'),
    evidenceOut: z
      .string()
      .min(1)
      .optional()
      .describe("Where this run's evidence record is written as JSON."),
    reviewPlatformDeployment: z
      .boolean()
      .default(false)
      .describe(
        "Also approve (or reject, with the reasons) the deployment waiting on the platform's own gate: a GitHub environment with required reviewers, a GitLab protected environment. Needs a token that may review it.",
      ),
  })
  .strict();
export type DeployApprovalOptions = z.infer<typeof DeployApprovalOptionsSchema>;

type JsonProp = Record<string, unknown>;

function typeOf(p: JsonProp): string {
  if (Array.isArray(p.enum)) return (p.enum as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
  const alts = (p.anyOf ?? p.oneOf) as JsonProp[] | undefined;
  if (alts) return alts.map(typeOf).join(' \\| ');
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``;
  if (p.type === 'array') {
    const item = typeOf((p.items as JsonProp) ?? {});
    return item.includes('|') ? `(${item})[]` : `${item}[]`;
  }
  if (p.type === 'object' && p.additionalProperties && typeof p.additionalProperties === 'object') {
    return '{&lt;name&gt;: policy}';
  }
  if (p.type === 'object') {
    const keys = Object.keys((p.properties as JsonProp) ?? {});
    return keys.length ? `{${keys.join(', ')}}` : 'object';
  }
  return String(p.type ?? 'any');
}

function table(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonProp>;
  };
  const rows = ['| Option | Type | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const [key, prop] of Object.entries(json.properties)) {
    const def = prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``;
    rows.push(`| \`${key}\` | ${typeOf(prop)} | ${def} | ${String(prop.description ?? '')} |`);
  }
  return rows.join('\n');
}

/** The options tables of docs/stages/deploy-approval.md, generated from the schemas. */
export function optionsMarkdownTables(): { stage: string; environment: string } {
  return { stage: table(DeployApprovalOptionsSchema), environment: table(EnvironmentPolicySchema) };
}
