import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  createBaseline,
  DEFAULT_BASELINE_PATH,
  describeError,
  EXIT,
  evaluateGate,
  type FailOn,
  FailOnSchema,
  type GateResult,
  InputError,
  isUserError,
  type Logger,
  mergeReports,
  parseShard,
  type Report,
  STAGE_IDS,
  type StageId,
  UserError,
  writeBaseline,
} from '@devsecflow/core';
import { readReports, render } from '@devsecflow/formats';
import { Command, CommanderError, Option } from 'commander';
import { sarifImportStage } from './import-stage.js';
import { initSnippet } from './init.js';
import { addInventoryCommands } from './inventory-commands.js';
import { assertFormats, formatIds, writeOutputs } from './output.js';
import { createPlatform, PLATFORM_NAMES, type PlatformName } from './platforms.js';
import { exitCodeFor, loadPolicy, type PipelineResult, runPipeline, withDeployVerdict } from './runner.js';
import { STAGE_ALIASES, STAGE_FLAGS, STAGES } from './stages.js';
import { createTerminalLogger, stylist, useColor } from './terminal.js';
import { VERSION } from './version.js';

interface CommonFlags {
  root: string;
  config?: string;
  format: string[];
  outputDir: string;
  failOn?: string;
  newOnly?: boolean;
  allowPartial?: boolean;
  shard?: string;
  diffBase?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  debug?: boolean;
  color?: boolean;
  set: string[];
  platform: PlatformName;
  comment: boolean;
  uploadSarif?: boolean;
  status?: boolean;
}

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'the tree to scan', '.')
    .option('-c, --config <file>', 'devsecflow.yml to use (default: <root>/devsecflow.yml)')
    .option('-f, --format <id>', `output format, repeatable: ${formatIds().join(', ')}`, collect, [])
    .option('-o, --output-dir <dir>', 'where report files are written', '.devsecflow/reports')
    .option(
      '--fail-on <severity>',
      'fail the gate on findings at or above: critical, high, medium, low, info, none',
    )
    .option('--new-only', 'only findings not in the baseline count towards the gate')
    .option('--allow-partial', 'a stage that could not scan everything does not fail the gate')
    .option('--shard <i/n>', 'scan shard i of n (files split by a stable hash of the path)')
    .option('--diff-base <rev>', 'report only findings on lines changed since this git revision')
    .option(
      '--set <stage.key=value>',
      'set a stage option, repeatable (e.g. --set secrets.since=origin/main)',
      collect,
      [],
    )
    .option('--json', 'print the reports and the gate verdict as JSON on stdout')
    .option('-q, --quiet', 'print only warnings, errors and the verdict')
    .option('--verbose', 'list skipped files and other detail')
    .option('--debug', 'print stack traces of internal errors')
    .option('--no-color', 'no colour, even on a terminal')
    .addOption(
      new Option(
        '--platform <name>',
        'where results are published (auto detects GitHub Actions and GitLab CI)',
      )
        .choices([...PLATFORM_NAMES])
        .default('auto'),
    )
    .option('--no-comment', 'do not write the PR/MR comment (on GitHub / GitLab)')
    .option('--upload-sarif', 'upload SARIF to GitHub code scanning')
    .option('--status', 'set a commit status with the gate verdict');
}

function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  const r = FailOnSchema.safeParse(value.toLowerCase());
  if (!r.success) {
    throw new UserError(`--fail-on expects one of critical, high, medium, low, info, none; got '${value}'`);
  }
  return r.data;
}

function resolveStageId(name: string): StageId {
  const id = (STAGE_ALIASES[name] ?? name) as StageId;
  if (!(STAGE_IDS as readonly string[]).includes(id)) {
    throw new UserError(`unknown stage '${name}' (expected one of: ${STAGE_IDS.join(', ')})`);
  }
  return id;
}

/** `--set secrets.since=origin/main` and friends: values parse as JSON when they can (numbers, lists). */
function parseSets(sets: string[]): Partial<Record<StageId, Record<string, unknown>>> {
  const out: Partial<Record<StageId, Record<string, unknown>>> = {};
  for (const s of sets) {
    const m = /^([a-z-]+)\.([A-Za-z0-9_]+)=(.*)$/s.exec(s);
    if (!m) throw new UserError(`--set expects <stage>.<option>=<value>, got '${s}'`);
    const id = resolveStageId(m[1]!);
    let value: unknown = m[3]!;
    try {
      value = JSON.parse(m[3]!);
    } catch {
      // A plain string.
    }
    out[id] = { ...(out[id] ?? {}), [m[2]!]: value };
  }
  return out;
}

/** Saved reports (DevSecFlow JSON, or any SARIF) for merge, gate and convert. */
async function readReportFiles(files: string[], root: string): Promise<Report[]> {
  const reports: Report[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new InputError(
        `cannot read report: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { file },
      );
    }
    reports.push(...readReports(text, { file, root }));
  }
  return reports;
}

class Cli {
  constructor(private readonly io: CliIo) {}
  exitCode: number = EXIT.passed;

  logger(flags: CommonFlags): Logger {
    return createTerminalLogger(
      {
        quiet: flags.quiet,
        debug: flags.debug,
        verbose: flags.verbose,
        color: useColor(this.io.stderr, flags.color, this.io.env),
      },
      this.io.stderr,
    );
  }

  printVerdict(flags: CommonFlags, gate: GateResult, reports: Report[], files: Record<string, string>): void {
    if (flags.json) {
      this.io.stdout.write(`${JSON.stringify({ gate, reports, files }, null, 2)}\n`);
      return;
    }
    const color = stylist(useColor(this.io.stderr, flags.color, this.io.env));
    const out = (line: string) => this.io.stderr.write(`${line}\n`);
    if (gate.passed) {
      out(color('green', `gate passed (${reports.map((r) => r.stage).join(', ') || 'no stages'})`));
      return;
    }
    out(color('red', color('bold', `gate failed: ${gate.violations.length} violation(s)`)));
    const shown = flags.verbose ? gate.violations : gate.violations.slice(0, 10);
    for (const v of shown) out(`  - ${v.message}`);
    if (shown.length < gate.violations.length) {
      out(`  … and ${gate.violations.length - shown.length} more (see the reports, or --verbose)`);
    }
  }

  async pipeline(
    flags: CommonFlags,
    stages: StageId[] | undefined,
    extra: Partial<Parameters<typeof runPipeline>[0]> = {},
  ) {
    const logger = this.logger(flags);
    const root = resolve(this.io.cwd, flags.root);
    const failOn = parseFailOn(flags.failOn);
    const platform = await createPlatform(flags.platform, root, logger, this.io.env);
    const result: PipelineResult = await runPipeline({
      root,
      ...(flags.config ? { configPath: resolve(this.io.cwd, flags.config) } : {}),
      ...(stages ? { stages } : {}),
      platform,
      // The platform's logger adds what the CI shows (collapsible sections, masking).
      logger: platform.logger,
      publish: {
        comment: flags.comment,
        annotations: true,
        uploadSarif: Boolean(flags.uploadSarif),
        status: Boolean(flags.status),
      },
      outputDir: resolve(this.io.cwd, flags.outputDir),
      formats: flags.format,
      ...(failOn ? { failOn } : {}),
      ...(flags.newOnly ? { newOnly: true } : {}),
      ...(flags.allowPartial ? { allowPartial: true } : {}),
      ...(flags.diffBase ? { diffBase: flags.diffBase } : {}),
      ...(flags.shard ? { shard: parseShard(flags.shard) } : {}),
      stageOptions: parseSets(flags.set),
      ...extra,
    });
    this.printVerdict(flags, result.gate, result.reports, result.files);
    this.exitCode = result.exitCode;
    return result;
  }

  build(): Command {
    const program = new Command('devsecflow')
      .description(
        'Security stages for any pipeline: SAST, dependency scan, secrets, test gate — one finding format, one gate.',
      )
      .version(VERSION, '-v, --version')
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({
        writeOut: (s) => this.io.stdout.write(s),
        writeErr: (s) => this.io.stderr.write(s),
      })
      .exitOverride();

    addCommonOptions(
      program
        .command('run')
        .argument('[stages...]', 'stages to run (default: those enabled in devsecflow.yml)')
        .description('run the configured stages, write reports and apply the gate'),
    ).action(async (names: string[], flags: CommonFlags) => {
      await this.pipeline(flags, names.length ? names.map(resolveStageId) : undefined);
    });

    for (const [id, stage] of Object.entries(STAGES)) {
      const aliases = Object.entries(STAGE_ALIASES)
        .filter(([, target]) => target === id)
        .map(([alias]) => alias);
      const cmd = program.command(id).description(stage!.title);
      for (const a of aliases) cmd.alias(a);
      const own = STAGE_FLAGS[id as StageId] ?? [];
      for (const f of own) cmd.option(f.flags, f.description);
      addCommonOptions(cmd).action(async (flags: CommonFlags & Record<string, unknown>) => {
        const fromFlags: Record<string, unknown> = {};
        for (const f of own) {
          const key = new Option(f.flags).attributeName();
          if (flags[key] !== undefined) fromFlags[f.option] = flags[key];
        }
        const sets = parseSets(flags.set);
        await this.pipeline(flags, [id as StageId], {
          stageOptions: { ...sets, [id]: { ...(sets[id as StageId] ?? {}), ...fromFlags } },
        });
      });
    }

    addCommonOptions(
      program
        .command('import')
        .argument('<sarif...>', 'SARIF 2.1.0 files from any scanner')
        .addOption(
          new Option('--stage <id>', 'the stage the results belong to')
            .choices([...STAGE_IDS])
            .default('sast'),
        )
        .description(
          "turn other scanners' SARIF into a DevSecFlow report, with the same suppressions, baseline and gate",
        ),
    ).action(async (files: string[], flags: CommonFlags & { stage: StageId }) => {
      const abs = files.map((f) => resolve(this.io.cwd, f));
      await this.pipeline(flags, undefined, {
        stageInstances: [sarifImportStage(flags.stage, abs) as never],
      });
    });

    addCommonOptions(
      program
        .command('merge')
        .argument('<reports...>', 'DevSecFlow JSON reports (shards, or several tools)')
        .description('join reports into one per stage (deduplicated by fingerprint), then apply the gate'),
    ).action(async (files: string[], flags: CommonFlags) => {
      const reports = mergeReports(
        await readReportFiles(
          files.map((f) => resolve(this.io.cwd, f)),
          resolve(this.io.cwd, flags.root),
        ),
      );
      await this.finishSaved(flags, reports);
    });

    addCommonOptions(
      program
        .command('gate')
        .argument('<reports...>', 'saved DevSecFlow JSON reports')
        .description('re-evaluate saved reports against the current policy; exit 0 passed, 1 failed'),
    ).action(async (files: string[], flags: CommonFlags) => {
      const reports = await readReportFiles(
        files.map((f) => resolve(this.io.cwd, f)),
        resolve(this.io.cwd, flags.root),
      );
      await this.finishSaved(flags, reports, false);
    });

    program
      .command('convert')
      .argument('<reports...>', 'DevSecFlow JSON reports')
      .requiredOption('--to <format>', `one of: ${formatIds().join(', ')}`)
      .option('--output <file>', 'write here instead of stdout')
      .description('render saved reports in another format (SARIF, GitLab, JUnit, Markdown, HTML)')
      .action(async (files: string[], flags: { to: string; output?: string }) => {
        const [format] = assertFormats([flags.to]);
        const reports = await readReportFiles(
          files.map((f) => resolve(this.io.cwd, f)),
          this.io.cwd,
        );
        const text = render(format!, reports);
        if (flags.output) await writeFile(resolve(this.io.cwd, flags.output), text);
        else this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      });

    addCommonOptions(
      program
        .command('baseline')
        .argument('[stages...]', 'stages to run (default: those enabled in devsecflow.yml)')
        .option('--from <reports...>', 'build the baseline from saved reports instead of running stages')
        .option(
          '--baseline-file <file>',
          `where to write it (default: the config's baseline, else ${DEFAULT_BASELINE_PATH})`,
        )
        .description(
          'record current findings as accepted: later runs mark them existing, and --new-only ignores them',
        ),
    ).action(async (names: string[], flags: CommonFlags & { from?: string[]; baselineFile?: string }) => {
      const root = resolve(this.io.cwd, flags.root);
      const policy = await loadPolicy(root, flags.config ? resolve(this.io.cwd, flags.config) : undefined);
      let reports: Report[];
      if (flags.from) {
        reports = await readReportFiles(
          flags.from.map((f) => resolve(this.io.cwd, f)),
          resolve(this.io.cwd, flags.root),
        );
      } else {
        // The baseline records everything found, whatever the gate says.
        const result = await this.pipeline(
          { ...flags, quiet: true, json: false },
          names.length ? names.map(resolveStageId) : undefined,
        );
        reports = result.reports;
      }
      const target = flags.baselineFile
        ? resolve(this.io.cwd, flags.baselineFile)
        : (policy.baseline ?? resolve(root, DEFAULT_BASELINE_PATH));
      const baseline = createBaseline(reports);
      await writeBaseline(target, baseline);
      this.io.stderr.write(`baseline: ${baseline.fingerprints.length} finding(s) recorded in ${target}\n`);
      this.exitCode = EXIT.passed;
    });

    program
      .command('sbom')
      .option('--root <dir>', 'the tree to read lockfiles from', '.')
      .option('-c, --config <file>', 'devsecflow.yml (for excludes)')
      .option('--output <file>', 'write the SBOM here instead of stdout')
      .description('write a CycloneDX 1.6 JSON SBOM of every lockfile in the tree')
      .action(async (flags: { root: string; config?: string; output?: string }) => {
        const root = resolve(this.io.cwd, flags.root);
        const policy = await loadPolicy(root, flags.config ? resolve(this.io.cwd, flags.config) : undefined);
        const output = flags.output ? resolve(this.io.cwd, flags.output) : undefined;
        const { writeSbom } = await import('./deps-commands.js');
        this.exitCode = await writeSbom(root, policy, output, this.io.stdout, this.io.stderr);
      });

    program
      .command('db')
      .description('the offline OSV database')
      .command('update')
      .requiredOption('--dir <dir>', 'where the OSV dumps go (then: devsecflow deps --offline-db <dir>)')
      .option('--ecosystem <name...>', 'only these OSV ecosystems (default: every supported one)')
      .option('--url <base>', 'a mirror of the OSV dumps bucket')
      .description('download the OSV per-ecosystem dumps for offline matching')
      .action(async (flags: { dir: string; ecosystem?: string[]; url?: string }) => {
        const { updateDb } = await import('./deps-commands.js');
        this.exitCode = await updateDb(
          resolve(this.io.cwd, flags.dir),
          flags.ecosystem,
          this.io.stderr,
          flags.url,
        );
      });

    program
      .command('evidence')
      .description('the deploy evidence log')
      .command('verify')
      .argument('<log>', 'the hash-chained evidence log (JSONL)')
      .option('--expected-head <digest>', 'the last record digest kept elsewhere (detects cut-off records)')
      .description('check the evidence log for edited, deleted, inserted or reordered records')
      .action(async (log: string, flags: { expectedHead?: string }) => {
        const file = resolve(this.io.cwd, log);
        const { describeVerifyResult, verifyEvidenceLog } = await import('@devsecflow/deploy-approval');
        const result = await verifyEvidenceLog(
          file,
          flags.expectedHead ? { expectedHead: flags.expectedHead } : {},
        );
        const { lines, exitCode } = describeVerifyResult(result, log);
        for (const line of lines) (exitCode === 0 ? this.io.stdout : this.io.stderr).write(`${line}\n`);
        this.exitCode = exitCode;
      });

    addInventoryCommands(program, {
      ...this.io,
      platform: () =>
        createPlatform(
          'auto',
          this.io.cwd,
          createTerminalLogger({ color: false }, this.io.stderr),
          this.io.env,
        ),
      setExitCode: (code) => {
        this.exitCode = code;
      },
    });

    program
      .command('init')
      .option('--github', 'print a GitHub Actions workflow')
      .option('--gitlab', 'print a .gitlab-ci.yml include')
      .option('--root <dir>', 'the repository', '.')
      .option('-c, --config <file>', 'devsecflow.yml to read the stages from')
      .description('print a ready workflow (GitHub) or pipeline include (GitLab) for the configured stages')
      .action(async (flags: { github?: boolean; gitlab?: boolean; root: string; config?: string }) => {
        if (Boolean(flags.github) === Boolean(flags.gitlab))
          throw new UserError('init: choose one of --github or --gitlab');
        const root = resolve(this.io.cwd, flags.root);
        const policy = await loadPolicy(root, flags.config ? resolve(this.io.cwd, flags.config) : undefined);
        this.io.stdout.write(initSnippet(flags.github ? 'github' : 'gitlab', policy, VERSION));
      });

    return program;
  }

  async finishSaved(flags: CommonFlags, reports: Report[], write = true): Promise<void> {
    const root = resolve(this.io.cwd, flags.root);
    const policy = await loadPolicy(root, flags.config ? resolve(this.io.cwd, flags.config) : undefined);
    const failOn = parseFailOn(flags.failOn);
    const overrides = {
      ...(failOn ? { failOn } : {}),
      ...(flags.newOnly ? { newOnly: true } : {}),
      ...(flags.allowPartial ? { allowPartial: true } : {}),
    };
    const gated = reports.map((r) => ({
      ...r,
      gate: evaluateGate([r], { ...policy, requiredStages: [] }, overrides),
    }));
    const gate = withDeployVerdict(evaluateGate(gated, policy, overrides), gated);
    let files: Record<string, string> = {};
    if (write) {
      // A merge of shard reports is the run's result: it publishes like a run (MR note, PR comment).
      const outputDir = resolve(this.io.cwd, flags.outputDir);
      files = await writeOutputs(gated, gate, outputDir, flags.format);
      const platform = await createPlatform(flags.platform, root, this.logger(flags), this.io.env);
      await platform.publish(gated, {
        outputDir,
        files,
        comment: flags.comment,
        annotations: true,
        uploadSarif: Boolean(flags.uploadSarif),
        status: Boolean(flags.status),
      });
    }
    this.printVerdict(flags, gate, gated, files);
    this.exitCode = exitCodeFor(gated, gate);
  }
}

/** Runs the CLI in-process and returns the exit code (the bin calls process.exit with it). */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  const cli = new Cli(full);
  const debug = argv.includes('--debug');
  try {
    await cli.build().parseAsync(argv, { from: 'user' });
    return cli.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      return EXIT.usage;
    }
    full.stderr.write(`devsecflow: ${describeError(e, debug)}\n`);
    return isUserError(e) ? e.exitCode : EXIT.stageIncomplete;
  }
}
