import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EXIT, type Platform, UserError, walkFiles } from '@devsecflow/core';
import { LOCKFILE_GLOBS, OfflineDb, OsvApi, readLockfiles, toCycloneDx } from '@devsecflow/deps';
import type { Command } from 'commander';
import { VERSION } from './version.js';

const execFileAsync = promisify(execFile);

/** Where the inventory lives: --store, else $DEVSECFLOW_INVENTORY, else the SQLite default. */
function storeLocation(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
  fallback: string,
): string {
  const value = flag ?? env.DEVSECFLOW_INVENTORY;
  if (!value) return resolve(cwd, fallback);
  return /^postgres(ql)?:\/\//i.test(value) ? value : resolve(cwd, value.replace(/^sqlite:(\/\/)?/i, ''));
}

/**
 * Current advisory data: an OSV dump directory (offline) or the OSV API. Indexes and caches live
 * in `.devsecflow-cache/` of the working directory, as the deps stage keeps them, never inside a
 * (possibly shared, read-only) dump directory.
 */
function advisorySource(flags: { offlineDb?: string; osvUrl?: string }, cwd: string) {
  const cache = resolve(cwd, '.devsecflow-cache');
  if (flags.offlineDb) {
    const dir = resolve(cwd, flags.offlineDb);
    const key = createHash('sha256').update(dir).digest('hex').slice(0, 12);
    return new OfflineDb({ dir, cacheDir: join(cache, 'offline-index', key) });
  }
  return new OsvApi({ cacheDir: join(cache, 'osv'), ...(flags.osvUrl ? { baseUrl: flags.osvUrl } : {}) });
}

async function headCommit(root: string): Promise<string | undefined> {
  try {
    return (await execFileAsync('git', ['rev-parse', 'HEAD'], { cwd: root })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface InventoryIo {
  /** The platform of this run (GitHub/GitLab in CI), for its issue tracker. */
  platform(): Promise<Platform>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  setExitCode(code: number): void;
}

/** `devsecflow inventory push|query` and `devsecflow monitor` (issue 10: what runs where, who must know). */
export function addInventoryCommands(program: Command, io: InventoryIo): void {
  const inventory = program
    .command('inventory')
    .description('what is deployed where: SBOMs of deployments (SQLite file, or PostgreSQL when shared)');

  inventory
    .command('push')
    .requiredOption('--application <name>', 'the application deployed')
    .requiredOption('--environment <name>', 'where it was deployed')
    .option('--commit <sha>', 'the deployed commit (default: git HEAD of --root)')
    .option('--time <iso>', 'when it was deployed (default: now)')
    .option('--owner <who...>', 'who is told about new advisories (default: CODEOWNERS)')
    .option('--sbom <file>', 'a CycloneDX JSON SBOM (default: built from the lockfiles under --root)')
    .option('--root <dir>', 'the deployed tree', '.')
    .option(
      '--store <location>',
      'SQLite file or postgres:// URL (default: $DEVSECFLOW_INVENTORY or .devsecflow/inventory.sqlite)',
    )
    .description('record a deployment and its SBOM')
    .action(
      async (flags: {
        application: string;
        environment: string;
        commit?: string;
        time?: string;
        owner?: string[];
        sbom?: string;
        root: string;
        store?: string;
      }) => {
        const { openInventoryStore, ownersFromCodeowners, readSbomFile, DEFAULT_INVENTORY } = await import(
          '@devsecflow/inventory'
        );
        const root = resolve(io.cwd, flags.root);
        let sbom: Record<string, unknown>;
        if (flags.sbom) {
          sbom = await readSbomFile(resolve(io.cwd, flags.sbom));
        } else {
          const { results, errors } = await readLockfiles(
            root,
            walkFiles({ root, include: [...LOCKFILE_GLOBS], maxFileSize: 256 * 1024 * 1024 }),
          );
          const hard = errors.filter((e) => (e.kind ?? 'error') === 'error');
          if (hard.length) {
            throw new UserError(`cannot build the SBOM: ${hard[0]!.path ?? ''} ${hard[0]!.message}`.trim());
          }
          sbom = toCycloneDx(results, { name: flags.application || basename(root), toolVersion: VERSION });
        }
        const commit = flags.commit ?? (await headCommit(root));
        if (!commit)
          throw new UserError('inventory push: no --commit given and --root is not a git checkout');
        const time = flags.time ?? new Date().toISOString();
        if (Number.isNaN(Date.parse(time)))
          throw new UserError(`--time expects an ISO 8601 time, got '${time}'`);
        const owners = flags.owner ?? (await ownersFromCodeowners(root)).owners;
        const store = await openInventoryStore(storeLocation(flags.store, io.env, io.cwd, DEFAULT_INVENTORY));
        try {
          const d = await store.recordDeployment({
            application: flags.application,
            environment: flags.environment,
            commit,
            time,
            owners,
            sbom,
          });
          const components = Array.isArray(sbom.components) ? sbom.components.length : 0;
          io.stderr.write(
            `inventory: recorded ${flags.application} in ${flags.environment} at ${commit.slice(0, 12)} (${components} components, deployment ${d.id}) in ${store.location}\n`,
          );
        } finally {
          await store.close();
        }
      },
    );

  inventory
    .command('query')
    .option('--purl <purl>', 'a package URL (with a version: that version only)')
    .option('--name <name>', 'a package name')
    .option('--ecosystem <name>', 'an OSV ecosystem (npm, PyPI, Go, ...)')
    .option('--version-range <range>', 'e.g. ">=4.0.0 <4.17.21", compared in the ecosystem\'s order')
    .option('--advisory <id>', 'deployments an advisory (GHSA, CVE, OSV id) affects')
    .option('--history', 'search every recorded deployment, not only the latest per environment')
    .option('--offline-db <dir>', 'OSV dumps for --advisory (default: the OSV API)')
    .option('--osv-url <url>', 'OSV API base URL')
    .option('--json', 'JSON instead of a table')
    .option('--store <location>', 'SQLite file or postgres:// URL')
    .description('which applications and environments run a package, or are affected by an advisory')
    .action(
      async (flags: {
        purl?: string;
        name?: string;
        ecosystem?: string;
        versionRange?: string;
        advisory?: string;
        history?: boolean;
        offlineDb?: string;
        osvUrl?: string;
        json?: boolean;
        store?: string;
      }) => {
        if (!flags.purl && !flags.name && !flags.advisory) {
          throw new UserError('inventory query: give --purl, --name or --advisory');
        }
        const inv = await import('@devsecflow/inventory');
        const store = await inv.openInventoryStore(
          storeLocation(flags.store, io.env, io.cwd, inv.DEFAULT_INVENTORY),
        );
        try {
          const result = await inv.queryInventory(
            store,
            {
              ...(flags.purl ? { purl: flags.purl } : {}),
              ...(flags.name ? { name: flags.name } : {}),
              ...(flags.ecosystem ? { ecosystem: flags.ecosystem } : {}),
              ...(flags.versionRange ? { versionRange: flags.versionRange } : {}),
              ...(flags.advisory ? { advisoryId: flags.advisory } : {}),
              ...(flags.history ? { history: true } : {}),
            },
            flags.advisory ? { source: advisorySource(flags, io.cwd) } : {},
          );
          io.stdout.write(flags.json ? inv.formatQueryJson(result) : inv.formatQueryTable(result));
          io.setExitCode(EXIT.passed);
        } finally {
          await store.close();
        }
      },
    );

  program
    .command('monitor')
    .option('--store <location>', 'SQLite file or postgres:// URL')
    .option('--offline-db <dir>', 'OSV dumps (default: the OSV API)')
    .option('--osv-url <url>', 'OSV API base URL')
    .option('--webhook <url>', 'POST each change as JSON (default: $DEVSECFLOW_WEBHOOK_URL)')
    .option('--no-issues', 'do not open, update or close issues on the platform')
    .option('--dry-run', 'say what would change; tell nobody, record nothing')
    .option('--json', 'JSON instead of text')
    .description(
      're-match every deployed SBOM against current advisories and tell owners once about what is new',
    )
    .action(
      async (flags: {
        store?: string;
        offlineDb?: string;
        osvUrl?: string;
        webhook?: string;
        dryRun?: boolean;
        json?: boolean;
      }) => {
        const inv = await import('@devsecflow/inventory');
        const store = await inv.openInventoryStore(
          storeLocation(flags.store, io.env, io.cwd, inv.DEFAULT_INVENTORY),
        );
        const webhookUrl = flags.webhook ?? io.env.DEVSECFLOW_WEBHOOK_URL;
        try {
          const result = await inv.monitor({
            store,
            source: advisorySource(flags, io.cwd),
            ...(webhookUrl ? { webhook: { url: webhookUrl } } : {}),
            ...(flags.dryRun ? { dryRun: true } : {}),
            log: (m) => io.stderr.write(`monitor: ${m}\n`),
          });
          io.stdout.write(flags.json ? inv.formatMonitorJson(result) : inv.formatMonitorText(result));
          io.setExitCode(inv.monitorExitCode(result));
        } finally {
          await store.close();
        }
      },
    );

  program
    .command('fix')
    .option('--root <dir>', 'the npm project (package.json + package-lock.json)', '.')
    .option('--dry-run', 'plan the upgrades, run nothing')
    .option('--allow-major', 'allow major upgrades (default: left for a person)')
    .option('--offline-db <dir>', 'OSV dumps (default: the OSV API)')
    .option('--osv-url <url>', 'OSV API base URL')
    .option('--markdown <file>', 'write the PR/MR description here')
    .description(
      'upgrade vulnerable npm dependencies to the smallest fixed versions, with npm itself, and prove it by re-scanning',
    )
    .action(
      async (flags: {
        root: string;
        dryRun?: boolean;
        allowMajor?: boolean;
        offlineDb?: string;
        osvUrl?: string;
        markdown?: string;
      }) => {
        const inv = await import('@devsecflow/inventory');
        const result = await inv.fixNpm({
          root: resolve(io.cwd, flags.root),
          source: advisorySource(flags, io.cwd),
          ...(flags.dryRun ? { dryRun: true } : {}),
          ...(flags.allowMajor ? { allowMajor: true } : {}),
          log: (m) => io.stderr.write(`fix: ${m}\n`),
        });
        const text = inv.formatFixMarkdown(result);
        if (flags.markdown) await writeFile(resolve(io.cwd, flags.markdown), text);
        else io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        for (const e of result.errors) io.stderr.write(`fix: ${e.path ? `${e.path}: ` : ''}${e.message}\n`);
        // 0: nothing vulnerable left; 1: something still is (a person must look); 3: could not complete.
        io.setExitCode(
          result.errors.some((e) => (e.kind ?? 'error') === 'error')
            ? EXIT.stageIncomplete
            : result.remaining.length
              ? EXIT.gateFailed
              : EXIT.passed,
        );
      },
    );
}
