import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { defineStage, type ReportError, type StageOutput, z } from '@devsecflow/core';
import { EXTRACTORS, extractorFor } from './extractors/index.js';
import { buildFindings } from './findings.js';
import { OfflineDb } from './osv/offline.js';
import { OsvApi } from './osv/online.js';
import type { AdvisorySource } from './osv/types.js';
import { toCycloneDx } from './sbom.js';
import { extractFile, matchPackages } from './scan.js';
import { ECOSYSTEMS, type ExtractResult } from './types.js';

/** `stages.deps` in devsecflow.yml (gate fields and `enabled` are stripped before this runs). */
export const DepsOptionsSchema = z
  .object({
    offlineDb: z
      .string()
      .min(1)
      .optional()
      .describe('Directory of OSV dumps (<Ecosystem>/all.zip); no network when set.'),
    osvUrl: z.url().default('https://api.osv.dev').describe('OSV API base URL.'),
    cacheDir: z.string().min(1).optional().describe('Cache for OSV records and the offline index.'),
    timeoutMs: z.number().int().positive().default(30_000).describe('Per-request timeout.'),
    deadlineMs: z
      .number()
      .int()
      .positive()
      .default(300_000)
      .describe('Deadline for the whole advisory lookup.'),
    ecosystems: z.array(z.enum(ECOSYSTEMS)).optional().describe('Only scan these ecosystems.'),
    includeDev: z.boolean().default(true).describe('Match dev dependencies too.'),
    sbom: z.string().min(1).optional().describe('Also write a CycloneDX 1.6 JSON SBOM to this path.'),
    maxLockfileSize: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024)
      .describe('Larger lockfiles are reported, not read.'),
  })
  .strict();
export type DepsOptions = z.output<typeof DepsOptionsSchema>;

/** Globs of every file an extractor reads, for the walker's `include` (cheaper than walking everything). */
export const LOCKFILE_GLOBS: readonly string[] = [
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/pnpm-lock.yaml',
  '**/yarn.lock',
  '**/bun.lock',
  '**/requirements*.txt',
  '**/requirements/*.txt',
  '**/Pipfile.lock',
  '**/poetry.lock',
  '**/uv.lock',
  '**/pdm.lock',
  '**/go.mod',
  '**/Cargo.lock',
  '**/Gemfile.lock',
  '**/gems.locked',
  '**/composer.lock',
  '**/gradle.lockfile',
  '**/gradle/dependency-locks/*.lockfile',
  '**/pom.xml',
  '**/packages.lock.json',
  '**/pubspec.lock',
  '**/mix.lock',
];

/**
 * Reads every lockfile among `files` (e.g. core's walkFiles with `include: LOCKFILE_GLOBS`):
 * what `devsecflow sbom` needs without matching. Unreadable or malformed files become errors.
 */
export async function readLockfiles(
  root: string,
  files: AsyncIterable<{ path: string }> | Iterable<{ path: string }>,
): Promise<{ results: ExtractResult[]; errors: ReportError[]; paths: string[] }> {
  const paths: string[] = [];
  for await (const f of files) if (extractorFor(f.path, EXTRACTORS)) paths.push(f.path);
  paths.sort();
  const results: ExtractResult[] = [];
  const errors: ReportError[] = [];
  for (const p of paths) {
    const r = await extractFile(root, p);
    if ('packages' in r) results.push(r);
    else errors.push(r);
  }
  return { results, errors, paths };
}

/** The dependency scan stage: lockfiles anywhere in the tree, matched against OSV. */
export const depsStage = defineStage<DepsOptions>({
  meta: {
    id: 'deps',
    title: 'Dependency scan',
    description:
      'Reads lockfiles (npm, pnpm, yarn, bun, PyPI tools, Go, Cargo, RubyGems, Composer, Maven/Gradle, NuGet, Pub, Hex) and matches every package against OSV advisories, online or from an offline dump.',
    diffScope: 'files',
  },
  options: DepsOptionsSchema as unknown as z.ZodType<DepsOptions>,
  async run(ctx, options): Promise<StageOutput> {
    const errors: ReportError[] = [];
    const {
      results,
      errors: readErrors,
      paths,
    } = await readLockfiles(
      ctx.root,
      ctx.files({ include: [...LOCKFILE_GLOBS], maxFileSize: options.maxLockfileSize }),
    );
    for (const r of results)
      ctx.logger.debug(`deps: ${r.manifest}: ${r.format}, ${r.packages.length} packages`);
    for (const s of ctx.walkStats.skippedFiles) {
      // unreadable files are reported by the stage runner itself
      if (s.reason === 'too-large') {
        errors.push({
          message: `${s.path}: lockfile not read (${s.reason}${s.detail ? `: ${s.detail}` : ''})`,
          path: s.path,
        });
      }
    }
    errors.push(...readErrors);
    const wanted = options.ecosystems ? new Set<string>(options.ecosystems) : undefined;
    // one package per manifest (a requirements file included by two others is read twice)
    const seen = new Set<string>();
    const packages = results
      .filter((r) => !wanted || wanted.has(r.ecosystem))
      .flatMap((r) => r.packages)
      .filter((p) => options.includeDev || p.scope !== 'dev')
      .filter((p) => {
        const k = `${p.manifest}\0${p.ecosystem}\0${p.name}\0${p.version}\0${p.dependencyPath?.join('>') ?? ''}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    const unresolved = results.flatMap((r) => r.unresolved ?? []);
    for (const u of unresolved) {
      errors.push({
        kind: 'skipped',
        message: `${u.manifest}${u.line ? `:${u.line}` : ''}: ${u.name} ${u.spec || '(no version)'} is not pinned to one version (${u.reason}); its advisories were not checked`,
        path: u.manifest,
        ...(u.line ? { line: u.line } : {}),
      });
    }
    for (const r of results)
      for (const n of r.notes ?? [])
        errors.push({ kind: 'skipped', message: `${r.manifest}: ${n}`, path: r.manifest });

    const cacheRoot = resolve(ctx.root, options.cacheDir ?? '.devsecflow-cache');
    const dbDir = options.offlineDb
      ? isAbsolute(options.offlineDb)
        ? options.offlineDb
        : resolve(ctx.root, options.offlineDb)
      : '';
    const source: AdvisorySource = options.offlineDb
      ? new OfflineDb({
          dir: dbDir,
          // the index lives with the scan's cache, not inside the (possibly read-only, shared) db
          cacheDir: join(
            cacheRoot,
            'offline-index',
            createHash('sha256').update(dbDir).digest('hex').slice(0, 12),
          ),
          log: (m) => ctx.logger.debug(m),
        })
      : new OsvApi({
          baseUrl: options.osvUrl,
          cacheDir: join(cacheRoot, 'osv'),
          timeoutMs: options.timeoutMs,
          deadlineMs: options.deadlineMs,
          log: (m) => ctx.logger.debug(m),
        });
    const { matches, errors: sourceErrors, queried } = await matchPackages(packages, source, ctx.signal);
    errors.push(...sourceErrors);
    const findings = buildFindings(matches);

    if (options.sbom) {
      const out = resolve(ctx.root, options.sbom);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(
        out,
        `${JSON.stringify(toCycloneDx(results, { name: basename(ctx.root) }), null, 2)}\n`,
      );
    }
    const hardErrors = errors.filter((e) => e.kind !== 'skipped');
    return {
      findings,
      errors,
      status: hardErrors.length ? 'partial' : 'ok',
      stats: {
        lockfiles: results.length,
        packages: packages.length,
        packagesQueried: queried,
        vulnerablePackages: matches.length,
        unresolved: unresolved.length,
        lockfileErrors: errors.filter((e) => e.kind !== 'skipped' && e.path && paths.includes(e.path)).length,
      },
    };
  },
});
