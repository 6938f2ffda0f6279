import { CONFIDENCES, SeveritySchema, z } from '@devsecflow/core';
import { LANGUAGES } from './languages.js';

const toList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** An ast-grep rule object (pattern/kind/regex/inside/has/...); ast-grep itself validates its keys. */
const AstGrepRule = z.record(z.string(), z.unknown());

/** A taint source or sanitiser: an ast-grep rule, or the name of a shared set in `_taint.yml`. */
const TaintRef = z.union([z.string().min(1), AstGrepRule]);

export const TaintSpecSchema = z
  .object({
    sources: z.array(TaintRef).min(1).describe('Where untrusted data enters: rules or shared set names.'),
    sanitizers: z.array(TaintRef).optional().describe('Calls whose result is no longer dangerous.'),
    sinks: z
      .array(AstGrepRule)
      .min(1)
      .describe('Dangerous calls; the metavariable $ARG names the argument that must not be tainted.'),
    reportUnknown: z
      .union([z.boolean(), z.literal('concatenation')])
      .default(true)
      .describe(
        'Report a non-literal $ARG whose source is not visible, with low confidence; `concatenation`: only when it is built into a string.',
      ),
  })
  .strict();

/** Our metadata around an ast-grep rule, as written in rules/<language>/<id>.yml. */
export const RuleFileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'),
    language: z.enum(LANGUAGES),
    title: z.string().min(1),
    message: z.string().min(1),
    severity: SeveritySchema,
    confidence: z.enum(CONFIDENCES).default('high'),
    cwe: z
      .union([z.string(), z.array(z.string())])
      .transform(toList)
      .pipe(z.array(z.string().regex(/^CWE-\d+$/, 'CWE-<number>')).min(1)),
    owasp: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform(toList),
    fix: z.string().min(1),
    references: z.array(z.url()).default([]),
    rule: AstGrepRule.optional(),
    constraints: z.record(z.string(), AstGrepRule).optional(),
    utils: z.record(z.string(), AstGrepRule).optional(),
    taint: TaintSpecSchema.optional(),
    prefilter: z
      .union([
        z.string().min(1),
        z.object({ regex: z.string().min(1), ignoreCase: z.boolean().default(false) }).strict(),
      ])
      .optional()
      .describe(
        'A JavaScript regular expression (case-sensitive, or `{ regex, ignoreCase: true }`) that the text of every file the rule can match contains, e.g. the receiver and method of a sink; files without it are not parsed for this rule. It must hold for every match: the rule tests check it against the vulnerable cases.',
      ),
  })
  .strict()
  .refine((r) => (r.rule === undefined) !== (r.taint === undefined), {
    message: 'exactly one of `rule` (a structural rule) or `taint` (a source-to-sink rule) is required',
    path: ['rule'],
  });

export type RuleFile = z.infer<typeof RuleFileSchema>;

/** Shared taint sets of a language, rules/<language>/_taint.yml. */
export const TaintLibrarySchema = z
  .object({
    sources: z.record(z.string(), z.array(AstGrepRule).min(1)).default({}),
    sanitizers: z.record(z.string(), z.array(AstGrepRule).min(1)).default({}),
    utils: z.record(z.string(), AstGrepRule).optional(),
  })
  .strict();
export type TaintLibrary = z.infer<typeof TaintLibrarySchema>;
