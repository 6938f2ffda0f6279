import { z } from '@devsecflow/core';
import { COVERAGE_FORMATS } from './coverage.js';

const percentSchema = z.number().min(0).max(100);

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'an ISO date such as 2026-12-31');

/** A coverage report: a glob (format detected from the content) or a path with its format. */
export const CoverageInputSchema = z.union([
  z.string().min(1),
  z.object({ path: z.string().min(1), format: z.enum(COVERAGE_FORMATS) }).strict(),
]);
export type CoverageInput = z.infer<typeof CoverageInputSchema>;

export const QuarantineEntrySchema = z
  .object({
    test: z.string().min(1).describe('Test name, or classname::name; * and ? are wildcards.'),
    owner: z.string().min(1).describe('Who fixes it.'),
    expires: dateString.describe('Last day the entry holds; after it the test counts again.'),
    reason: z.string().min(1, 'a reason is required'),
  })
  .strict();

const globs = z
  .union([z.string().min(1), z.array(z.string().min(1))])
  .transform((v) => (typeof v === 'string' ? [v] : v));

/** The `stages.test-gate` section of devsecflow.yml (gate fields and `enabled` are stripped first). */
export const TestGateOptionsSchema = z
  .object({
    junit: globs.default([]).describe('JUnit XML reports: globs relative to the root.'),
    coverage: z
      .union([CoverageInputSchema, z.array(CoverageInputSchema)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .default([])
      .describe(`Coverage reports (${COVERAGE_FORMATS.join(', ')}): globs, or {path, format}.`),
    maxFailures: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Failing or erroring tests allowed (default 0; no count limit when only minPassRate is set).',
      ),
    minPassRate: percentSchema.optional().describe('Percent of executed tests that must pass.'),
    minTests: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('Tests that must have run (skipped ones do not count).'),
    minLineCoverage: percentSchema.optional().describe('Percent of executable lines covered, all files.'),
    minBranchCoverage: percentSchema.optional().describe('Percent of branches covered, all files.'),
    maxCoverageDrop: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Line coverage may fall at most this many percentage points below baselineCoverage.'),
    baselineCoverage: CoverageInputSchema.optional().describe('Coverage report of the base branch.'),
    minNewCodeCoverage: percentSchema.optional().describe('Percent of changed executable lines covered.'),
    quarantine: z
      .array(QuarantineEntrySchema)
      .default([])
      .describe('Known-flaky tests, with owner and expiry.'),
  })
  .strict()
  .refine((o) => o.maxCoverageDrop === undefined || o.baselineCoverage !== undefined, {
    message: 'maxCoverageDrop needs baselineCoverage (the base branch coverage report)',
    path: ['baselineCoverage'],
  })
  .refine(
    (o) =>
      o.coverage.length > 0 ||
      (o.minLineCoverage === undefined &&
        o.minBranchCoverage === undefined &&
        o.maxCoverageDrop === undefined &&
        o.minNewCodeCoverage === undefined),
    { message: 'coverage thresholds need coverage reports (set coverage: [globs])', path: ['coverage'] },
  )
  .refine((o) => o.junit.length > 0 || o.coverage.length > 0, {
    message: 'nothing to check: set junit (JUnit XML globs) and/or coverage',
    path: ['junit'],
  });

export type TestGateOptions = z.infer<typeof TestGateOptionsSchema>;

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.anyOf))
    return (schema.anyOf as Record<string, unknown>[]).map(typeOf).join(' \\| ');
  if (schema.type === 'array') {
    const items = (schema.items ?? {}) as Record<string, unknown>;
    return Array.isArray(items.anyOf) ? `(${typeOf(items)})[]` : `${typeOf(items)}[]`;
  }
  if (schema.type === 'object') {
    const props = Object.keys((schema.properties ?? {}) as object);
    return `{${props.join(', ')}}`;
  }
  if (schema.type === 'integer') return 'integer';
  return String(schema.type ?? 'any');
}

/** The options table of docs/stages/test-gate.md, generated from the schema (a test keeps them in sync). */
export function optionsMarkdownTable(): string {
  const json = z.toJSONSchema(TestGateOptionsSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, Record<string, unknown>>;
  };
  const rows = ['| Option | Type | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const [key, prop] of Object.entries(json.properties)) {
    const def = prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``;
    const range = prop.minimum !== undefined && prop.maximum === 100 ? ` (${prop.minimum}-100)` : '';
    rows.push(`| \`${key}\` | ${typeOf(prop)}${range} | ${def} | ${String(prop.description ?? '')} |`);
  }
  return rows.join('\n');
}
