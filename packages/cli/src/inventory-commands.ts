import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import {
  type ChangeRequests,
  ConfigError,
  EXIT,
  type FixPolicy,
  findConfigFile,
  loadConfig,
  type Platform,
  resolveFixPolicy,
  UserError,
  walkFiles,
} from '@devsecflow/core';
import type { AdvisorySource } from '@devsecflow/deps';
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
async function advisorySource(
  flags: { offlineDb?: string; osvUrl?: string },
  cwd: string,
): Promise<AdvisorySource> {
  // Loaded here, not at start-up: only these commands need the dependency-scan package.
  const { OfflineDb, OsvApi } = await import('@devsecflow/deps');
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

/**
 * The effective `fix:` settings of devsecflow.yml (`--config`, else found in the project root or
 * the working directory), merged over the `extends` chain by loadConfig, which names file:line:col
 * of any mistake.
 */
async function loadFixPolicy(configFlag: string | undefined, root: string, cwd: string): Promise<FixPolicy> {
  const file = configFlag ? resolve(cwd, configFlag) : (findConfigFile(root) ?? findConfigFile(cwd));
  if (!file) return resolveFixPolicy([]);
  const policy = await loadConfig(file);
  const fix = policy.fix;
  if (typeof fix.test === 'string') {
    // Checked here, where the error can point at the key, rather than after the fix was applied.
    const { splitCommand } = await import('@devsecflow/inventory');
    try {
      splitCommand(fix.test);
    } catch (e) {
      throw new ConfigError(`fix.test: ${(e as Error).message}`, policy.locate(['fix', 'test']));
    }
  }
  return fix;
}

interface FixFlags {
  dryRun?: boolean;
  allowMajor?: boolean;
  /** False with --no-test. */
  test?: boolean;
  testTimeout?: string;
  pr?: boolean;
  base?: string;
}

async function repoTop(dir: string): Promise<string> {
  try {
    return (await execFileAsync('git', ['rev-parse', '--show-toplevel'], { cwd: dir })).stdout.trim() || dir;
  } catch {
    return dir;
  }
}

/** The platform's PRs/MRs for `--pr`; a usage error (exit 2) when there is none, before anything changes. */
async function changeRequestsFor(io: InventoryIo, command: string): Promise<ChangeRequests> {
  const platform = await io.platform();
  const cr = platform.changeRequests?.();
  if (!cr) {
    throw new UserError(
      `${command} --pr: no platform to open a PR/MR on (${platform.name}): run it in GitHub Actions with GITHUB_TOKEN allowed to write contents and pull requests, or in GitLab CI with DEVSECFLOW_GITLAB_TOKEN (api scope)`,
    );
  }
  return cr;
}

/**
 * One `fix` run in `root`: plan, apply, re-scan, test, and with `--pr` propose the change. Writes
 * the markdown to stdout (or `markdownFile`) and progress to stderr; returns the exit code.
 */
async function runFix(
  io: InventoryIo,
  root: string,
  flags: FixFlags & { offlineDb?: string; osvUrl?: string; markdown?: string; summaryToStderr?: boolean },
  policy: FixPolicy,
  changeRequests: ChangeRequests | undefined,
): Promise<number> {
  const inv = await import('@devsecflow/inventory');
  const timeout = flags.testTimeout === undefined ? 600 : Number(flags.testTimeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new UserError(`--test-timeout expects a number of seconds, got '${flags.testTimeout}'`);
  }
  const argv =
    flags.test === false || policy.test === undefined
      ? undefined
      : Array.isArray(policy.test)
        ? policy.test
        : inv.splitCommand(policy.test);
  const result = await inv.fixDependencies({
    root,
    source: await advisorySource(flags, io.cwd),
    automatic: policy.automatic,
    ...(flags.dryRun ? { dryRun: true } : {}),
    ...(flags.allowMajor ? { allowMajor: true } : {}),
    ...(argv?.length ? { test: { argv, timeoutMs: timeout * 1000 } } : {}),
    env: Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined)),
    log: (m) => io.stderr.write(`fix: ${m}\n`),
  });
  const text = inv.formatFixMarkdown(result);
  if (flags.markdown) await writeFile(resolve(io.cwd, flags.markdown), text);
  // Under `monitor --json`, stdout holds the monitor's JSON: the summary goes to stderr.
  else (flags.summaryToStderr ? io.stderr : io.stdout).write(text);
  for (const e of result.errors) io.stderr.write(`fix: ${e.path ? `${e.path}: ` : ''}${e.message}\n`);
  if (result.test) {
    io.stderr.write(
      `fix: tests ${result.test.passed ? 'passed' : 'failed'}: ${result.test.command.join(' ')}\n`,
    );
  }
  if (changeRequests) {
    if (inv.proposable(result)) {
      const top = await repoTop(root);
      const dir = relative(top, root).split(sep).join('/') || '.';
      const proposal = inv.fixProposal(result, {
        dir,
        body: text,
        files: await inv.changedFiles(root, result),
        branch: policy.branch,
        labels: policy.labels,
        ...(flags.base ? { base: flags.base } : {}),
      });
      const pr = await changeRequests.propose(proposal);
      io.stderr.write(
        `fix: ${pr.created ? 'opened' : pr.unchanged ? 'unchanged' : 'updated'} ${proposal.branch} as #${pr.id}${pr.url ? ` ${pr.url}` : ''}\n`,
      );
    } else if (!flags.dryRun) {
      io.stderr.write('fix: nothing to propose (no advisory was cleared)\n');
    }
  }
  return inv.fixExitCode(result);
}

/** The options `fix` and `monitor --fix` share (`prefix` says they apply with --fix). */
function withFixOptions(command: Command, prefix: string): Command {
  return command
    .option(
      '--config <file>',
      `${prefix}devsecflow.yml (default: found in --root, else the working directory)`,
    )
    .option('--allow-major', `${prefix}allow major upgrades whatever fix.automatic says`)
    .option('--no-test', `${prefix}do not run the fix.test command`)
    .option('--test-timeout <seconds>', `${prefix}stop the test command after this long`, '600')
    .option('--pr', `${prefix}propose the change as a PR/MR on the platform (GitHub or GitLab)`)
    .option('--base <branch>', 'with --pr: the branch the PR/MR targets (default: the repository default)');
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
          const { LOCKFILE_GLOBS, readLockfiles, toCycloneDx } = await import('@devsecflow/deps');
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
            flags.advisory ? { source: await advisorySource(flags, io.cwd) } : {},
          );
          io.stdout.write(flags.json ? inv.formatQueryJson(result) : inv.formatQueryTable(result));
          io.setExitCode(EXIT.passed);
        } finally {
          await store.close();
        }
      },
    );

  const monitorCommand = program
    .command('monitor')
    .option('--store <location>', 'SQLite file or postgres:// URL')
    .option('--offline-db <dir>', 'OSV dumps (default: the OSV API)')
    .option('--osv-url <url>', 'OSV API base URL')
    .option('--webhook <url>', 'POST each change as JSON (default: $DEVSECFLOW_WEBHOOK_URL)')
    .option('--no-issues', 'do not open, update or close issues on the platform')
    .option('--dry-run', 'say what would change; tell nobody, record nothing')
    .option('--json', 'JSON instead of text')
    .option('--fix', 'then run `fix` on the lockfiles of this checkout the new advisories concern')
    .option('--root <dir>', 'with --fix: the checkout the deployed applications are built from', '.')
    .option('--application <name...>', 'with --fix: only these applications');
  withFixOptions(monitorCommand, 'with --fix: ')
    .description(
      're-match every deployed SBOM against current advisories and tell owners once about what is new',
    )
    .action(
      async (
        flags: FixFlags & {
          store?: string;
          offlineDb?: string;
          osvUrl?: string;
          webhook?: string;
          issues?: boolean;
          json?: boolean;
          fix?: boolean;
          root: string;
          application?: string[];
          config?: string;
        },
      ) => {
        const inv = await import('@devsecflow/inventory');
        const root = resolve(io.cwd, flags.root);
        const fixPolicy = flags.fix ? await loadFixPolicy(flags.config, root, io.cwd) : undefined;
        const changeRequests =
          flags.fix && flags.pr && !flags.dryRun ? await changeRequestsFor(io, 'monitor --fix') : undefined;
        const tracker =
          flags.issues === false || flags.dryRun ? undefined : (await io.platform()).issueTracker?.();
        const store = await inv.openInventoryStore(
          storeLocation(flags.store, io.env, io.cwd, inv.DEFAULT_INVENTORY),
        );
        const webhookUrl = flags.webhook ?? io.env.DEVSECFLOW_WEBHOOK_URL;
        try {
          const result = await inv.monitor({
            store,
            source: await advisorySource(flags, io.cwd),
            ...(tracker ? { tracker } : {}),
            ...(webhookUrl ? { webhook: { url: webhookUrl } } : {}),
            ...(flags.dryRun ? { dryRun: true } : {}),
            log: (m) => io.stderr.write(`monitor: ${m}\n`),
          });
          io.stdout.write(flags.json ? inv.formatMonitorJson(result) : inv.formatMonitorText(result));
          let code: number = inv.monitorExitCode(result);
          if (fixPolicy) {
            const targets = await inv.fixTargets(store, result.events, root, flags.application);
            if (!targets.length)
              io.stderr.write('monitor: --fix: no lockfile of this checkout is concerned\n');
            for (const t of targets) {
              io.stderr.write(
                `monitor: --fix: ${t.manifest} (${t.applications.join(', ')}: ${t.advisories.join(', ')})\n`,
              );
              const fixCode = await runFix(
                io,
                join(root, t.dir),
                { ...flags, summaryToStderr: flags.json === true },
                fixPolicy,
                changeRequests,
              );
              code = Math.max(code, fixCode);
            }
          }
          io.setExitCode(code);
        } finally {
          await store.close();
        }
      },
    );

  const fixCommand = program
    .command('fix')
    .option('--root <dir>', 'the project: package.json and its npm, pnpm or yarn lockfile', '.')
    .option('--dry-run', 'plan the upgrades, run nothing')
    .option('--offline-db <dir>', 'OSV dumps (default: the OSV API)')
    .option('--osv-url <url>', 'OSV API base URL')
    .option('--markdown <file>', 'write the PR/MR description here');
  withFixOptions(fixCommand, '')
    .description(
      "upgrade vulnerable npm, pnpm and yarn dependencies to the smallest fixed versions with the project's own package manager, prove it by re-scanning, and test it",
    )
    .action(
      async (
        flags: FixFlags & {
          root: string;
          config?: string;
          offlineDb?: string;
          osvUrl?: string;
          markdown?: string;
        },
      ) => {
        const root = resolve(io.cwd, flags.root);
        const policy = await loadFixPolicy(flags.config, root, io.cwd);
        const changeRequests = flags.pr && !flags.dryRun ? await changeRequestsFor(io, 'fix') : undefined;
        io.setExitCode(await runFix(io, root, flags, policy, changeRequests));
      },
    );
}
