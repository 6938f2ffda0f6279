import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  defineStage,
  type FindingDraft,
  InputError,
  type ReportError,
  type StageId,
  z,
} from '@devsecflow/core';
import { fromSarif } from '@devsecflow/formats';

/**
 * A stage that reads other scanners' SARIF (CodeQL, Semgrep, ESLint, Trivy, gitleaks, Bandit...) so
 * their results get the same suppressions, baseline, diff filter, gate and outputs as our own.
 */
export function sarifImportStage(stage: StageId, files: string[]) {
  return defineStage({
    meta: {
      id: stage,
      title: `SARIF import (${stage})`,
      description: 'Results of another scanner, read from SARIF 2.1.0',
      diffScope: stage === 'deps' ? 'files' : 'lines',
    },
    // Import runs take no options from config: the stage section configures the native stage.
    options: z.object({}).passthrough(),
    async run(ctx) {
      const findings: FindingDraft[] = [];
      const errors: ReportError[] = [];
      const tools = new Map<string, { name: string; version: string }>();
      let results = 0;
      for (const file of files) {
        const abs = resolve(file);
        let text: string;
        try {
          text = await readFile(abs, 'utf8');
        } catch (e) {
          throw new InputError(
            `cannot read SARIF file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
            {
              file,
            },
          );
        }
        for (const report of fromSarif(text, { file, stage, root: ctx.root })) {
          tools.set(`${report.tool.name}@${report.tool.version}`, report.tool);
          for (const f of report.findings) {
            const { stage: _s, suppression: _sup, baselineState: _b, ...draft } = f;
            findings.push({ ...draft, tool: f.tool ?? report.tool });
            results++;
          }
          errors.push(...report.errors.map((e) => ({ ...e, message: `${file}: ${e.message}` })));
        }
      }
      const tool = tools.size === 1 ? [...tools.values()][0] : undefined;
      return {
        findings,
        errors,
        stats: { importedFiles: files.length, importedResults: results },
        ...(tool ? { tool } : {}),
      };
    },
  });
}
