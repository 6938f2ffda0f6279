import { execFile } from 'node:child_process';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import { gitDiff } from './diff.js';
import { createConsoleLogger, type Logger } from './logger.js';
import type { Report } from './model.js';
import type { DiffInfo, Platform, PlatformContext, PublishOptions } from './platform.js';
import { SEVERITIES } from './severity.js';

const execFileAsync = promisify(execFile);

async function git(root: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd: root });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The platform for a laptop, pre-commit or any CI we have no adapter for: context from git,
 * changed lines from `git diff`, and publishing as a short summary on the terminal (report
 * files are written by the runner).
 */
export function createLocalPlatform(root: string, logger: Logger = createConsoleLogger()): Platform {
  return {
    name: 'local',
    logger,
    async context(): Promise<PlatformContext> {
      const commit = await git(root, ['rev-parse', 'HEAD']);
      const ref = await git(root, ['symbolic-ref', '--quiet', 'HEAD']);
      return { platform: 'local', ...(commit ? { commit } : {}), ...(ref ? { ref } : {}) };
    },
    async changedLines(base?: string): Promise<DiffInfo> {
      if (!base) return { available: false, reason: 'no --diff-base given; the diff filter is off' };
      return gitDiff(root, base);
    },
    async publish(reports: Report[], options: PublishOptions): Promise<void> {
      for (const r of reports) {
        const open = r.findings.filter((f) => !f.suppression);
        const counts = SEVERITIES.map((s) => [s, open.filter((f) => f.severity === s).length] as const)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ');
        const verdict = r.gate ? (r.gate.passed ? 'passed' : 'FAILED') : 'not evaluated';
        logger.info(
          `${r.stage}: ${open.length} finding(s)${counts ? ` (${counts})` : ''}, ${r.stats.suppressed ?? 0} suppressed, status ${r.status}, gate ${verdict}`,
        );
      }
      const files = Object.values(options.files).map((f) => {
        const rel = relative(process.cwd(), f);
        return rel && !rel.startsWith('..') ? rel : f;
      });
      if (files.length) logger.info(`reports: ${files.join(', ')}`);
    },
  };
}
