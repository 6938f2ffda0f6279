import { ConfigError, defineStage, type StageContext, type StageOutput, z } from '@devsecflow/core';
import { glob } from 'tinyglobby';
import { LANGUAGES } from './languages.js';
import { loadRules } from './rules.js';
import { scanFiles } from './scan.js';

/** `stages.sast` in devsecflow.yml. */
export const SastOptionsSchema = z
  .object({
    rules: z
      .array(z.string().min(1))
      .optional()
      .describe('Custom rule files: YAML paths or globs relative to the scanned root.'),
    disable: z.array(z.string().min(1)).optional().describe('Rule ids to turn off.'),
    languages: z.array(z.enum(LANGUAGES)).optional().describe('Scan only these languages.'),
  })
  .strict();
export type SastOptions = z.infer<typeof SastOptionsSchema>;

async function customRuleFiles(ctx: StageContext, patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const [i, p] of patterns.entries()) {
    const found = await glob(p, { cwd: ctx.root, absolute: true, onlyFiles: true, expandDirectories: false });
    if (found.length === 0) {
      const where = ctx.policy.locate(['stages', 'sast', 'rules', i]);
      throw new ConfigError(`stages.sast.rules: \`${p}\` matches no file under ${ctx.root}`, where);
    }
    out.push(...found.sort());
  }
  return out;
}

/**
 * The SAST stage: ast-grep structural and source-to-sink rules over the walked tree. Findings carry
 * the matched code as fingerprint context; inline suppressions are applied by core's runStage.
 */
export const sastStage = defineStage<SastOptions>({
  meta: {
    id: 'sast',
    title: 'Static analysis',
    description:
      'Structural and source-to-sink rules on syntax trees (ast-grep) for JavaScript, TypeScript, Python, Go and Java.',
    diffScope: 'lines',
  },
  options: SastOptionsSchema,
  async run(ctx, options): Promise<StageOutput> {
    const files = await customRuleFiles(ctx, options.rules ?? []);
    let rules: ReturnType<typeof loadRules>;
    try {
      rules = loadRules({
        files,
        displayRoot: ctx.root,
        disable: options.disable,
        languages: options.languages,
      });
    } catch (e) {
      const m = e instanceof ConfigError ? /unknown rule id `([^`]+)`/.exec(e.message) : null;
      if (m) {
        const i = options.disable?.indexOf(m[1]!) ?? -1;
        throw new ConfigError(
          e instanceof Error ? e.message : String(e),
          ctx.policy.locate(['stages', 'sast', 'disable', i]),
        );
      }
      throw e;
    }
    ctx.logger.debug(`sast: ${rules.length} rules`);
    const languages = options.languages ? new Set<string>(options.languages) : undefined;
    const result = await scanFiles(ctx.files(), rules, { signal: ctx.signal, languages });
    const failed = result.errors.some((e) => e.kind !== 'skipped');
    return {
      findings: result.findings,
      errors: result.errors,
      stats: { rules: rules.length, ...result.stats },
      status: failed ? 'partial' : 'ok',
    };
  },
});
