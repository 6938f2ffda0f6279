import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, type ReportError } from '@devsecflow/core';
import {
  type AdvisorySource,
  extractFile,
  matchPackages,
  type PackageMatch,
  primaryId,
  smallestFix,
} from '@devsecflow/deps';
import semver from 'semver';
import {
  type ApplyPlan,
  type DirectUpgrade,
  detectManager,
  type ManagerAdapter,
  type PackageManager,
  type Requirement,
  SECTIONS,
  type Section,
  type TransitiveUpgrade,
} from './fix-managers.js';
import { type FixTestResult, runTestCommand } from './fix-test.js';

/** How far `fix` may upgrade on its own (policy `fix.automatic`); anything further is left to a person. */
export const FIX_LEVELS = ['none', 'patch', 'minor', 'major'] as const;
export type FixLevel = (typeof FIX_LEVELS)[number];

/** One vulnerable package and what `fix` does about it. */
export interface FixStep {
  name: string;
  from: string;
  /** The smallest version that clears every advisory on this package, when one exists. */
  to?: string;
  /** `patch`, `minor` or `major`: the size of the upgrade (semver difference). */
  level?: Exclude<FixLevel, 'none'>;
  advisories: string[];
  direct: boolean;
  /**
   * `install`: direct dependency, upgraded through its package.json entry; `relock`: transitive,
   * pinned within its dependents' ranges; `manual`: needs a person (see `reason`).
   */
  action: 'install' | 'relock' | 'manual';
  /** For direct dependencies: the declared range, and whether the fix stays inside it. */
  declared?: { key: string; section: Section; range: string; withinRange: boolean };
  /** For transitive fixes: how the package manager pins it (for the PR/MR). */
  how?: string;
  reason?: string;
}

export interface FixResult {
  /** The package manager used (from the lockfile). */
  manager: PackageManager;
  /** The lockfile, relative to the root. */
  lockfile: string;
  steps: FixStep[];
  /** Package-manager commands run (dry runs: would run), executable first. */
  commands: string[][];
  /** package.json fields `fix` set before running them (overrides, resolutions), as JSON paths. */
  manifestEdits: string[];
  /** Vulnerable packages left after the fix, by re-scanning the new lockfile (a dry run: before it). */
  remaining: { name: string; version: string; advisories: string[] }[];
  /** Advisory ids cleared (present before, absent after); a dry run: those the plan would clear. */
  cleared: string[];
  /** True when nothing was changed (`dryRun`). */
  dryRun: boolean;
  /** The project's test command, run after a successful apply. */
  test?: FixTestResult;
  errors: ReportError[];
}

export interface FixOptions {
  /** Directory holding package.json and the lockfile. */
  root: string;
  source: AdvisorySource;
  /** How far fixes may go on their own (default `minor`: majors are left to a person). */
  automatic?: FixLevel;
  /** Allow major upgrades whatever `automatic` says (the `--allow-major` flag). */
  allowMajor?: boolean;
  /** Plan only; run nothing. */
  dryRun?: boolean;
  /**
   * The package manager's command, per manager, as an argument array (default: its executable
   * from PATH, e.g. `['pnpm']`; a pinned one: `['npx', '--yes', 'pnpm@10']`).
   */
  managers?: Partial<Record<PackageManager, string[]>>;
  /** Extra environment for the package manager and the test command (registry, caches). */
  env?: Record<string, string>;
  /** The project's test command, run in `root` after the fix was applied. */
  test?: { argv: string[]; timeoutMs?: number };
  /** Per package-manager command (default 5 minutes). */
  timeoutMs?: number;
  log?: (message: string) => void;
}

const advisoryIds = (m: PackageMatch) =>
  [...new Set(m.vulns.map((v) => primaryId([v.id, ...(v.aliases ?? [])])))].sort();

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { file: path });
  }
}

function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file: path });
  }
}

async function scan(root: string, lockfile: string, source: AdvisorySource) {
  const r = await extractFile(root, lockfile);
  if (!('packages' in r)) throw new InputError(r.message, { file: join(root, lockfile) });
  return matchPackages(r.packages, source);
}

/**
 * The package.json entry declaring `name` at `version` (directly, or through an `npm:` alias). A
 * package can be declared twice (`lodash` and `lodash-old: npm:lodash@4.17.15`): the entry whose
 * range the locked version satisfies is the one to upgrade.
 */
function declaredEntry(pkgJson: Record<string, unknown>, name: string, version: string): FixStep['declared'] {
  const candidates: NonNullable<FixStep['declared']>[] = [];
  for (const section of SECTIONS) {
    const deps = (pkgJson[section] ?? {}) as Record<string, string>;
    for (const [key, spec] of Object.entries(deps)) {
      if (key === name && !spec.startsWith('npm:'))
        candidates.push({ key, section, range: spec, withinRange: false });
      const alias = /^npm:(@?[^@]+)@(.+)$/.exec(spec);
      if (alias && alias[1] === name) candidates.push({ key, section, range: alias[2]!, withinRange: false });
    }
  }
  const satisfied = candidates.find((c) => semver.validRange(c.range) && semver.satisfies(version, c.range));
  return satisfied ?? candidates[0];
}

/** The requirements that resolved to `version` of `name` (the dependents of this copy). */
function requirementsOn(reqs: Requirement[], name: string, version: string): Requirement[] {
  return reqs.filter(
    (r) =>
      r.name === name &&
      (r.resolved !== undefined
        ? r.resolved === version
        : r.range !== undefined && semver.validRange(r.range) !== null && semver.satisfies(version, r.range)),
  );
}

function upgradeLevel(from: string, to: string): FixStep['level'] {
  if (!semver.valid(from) || !semver.valid(to)) return undefined;
  if (semver.major(to) !== semver.major(from)) return 'major';
  return semver.minor(to) !== semver.minor(from) ? 'minor' : 'patch';
}

function saveStyle(range: string): DirectUpgrade['saveAs'] {
  if (semver.valid(range)) return 'exact';
  return range.trim().startsWith('~') ? 'tilde' : 'caret';
}

/** Plans the smallest upgrades that clear the advisories, without running anything. */
export function planFixes(
  matches: PackageMatch[],
  pkgJson: Record<string, unknown>,
  requirements: Requirement[],
  automatic: FixLevel,
): FixStep[] {
  const steps = new Map<string, FixStep>();
  const allowed = FIX_LEVELS.indexOf(automatic);
  for (const m of matches) {
    const p = m.pkg;
    const id = `${p.name}@${p.version}`;
    if (steps.has(id)) continue;
    const to = smallestFix(m.vulns, { ecosystem: 'npm', name: p.name, version: p.version });
    const base = { name: p.name, from: p.version, advisories: advisoryIds(m), direct: p.direct };
    if (!to) {
      steps.set(id, { ...base, action: 'manual', reason: 'no fixed version is published' });
      continue;
    }
    const level = upgradeLevel(p.version, to);
    const withTo = { ...base, to, ...(level ? { level } : {}) };
    if (level && FIX_LEVELS.indexOf(level) > allowed) {
      steps.set(id, {
        ...withTo,
        action: 'manual',
        reason: `${level} upgrade: needs a person (policy fix.automatic=${automatic})`,
      });
      continue;
    }
    if (p.direct) {
      const declared = declaredEntry(pkgJson, p.name, p.version);
      if (!declared) {
        steps.set(id, {
          ...withTo,
          action: 'manual',
          reason: 'direct dependency not found in the root package.json (workspace package?)',
        });
        continue;
      }
      declared.withinRange =
        semver.validRange(declared.range) !== null && semver.satisfies(to, declared.range);
      steps.set(id, { ...withTo, action: 'install', declared });
      continue;
    }
    const held = requirementsOn(requirements, p.name, p.version).filter(
      (r) => r.range !== undefined && !semver.satisfies(to, r.range),
    );
    steps.set(
      id,
      held.length
        ? {
            ...withTo,
            action: 'manual',
            reason: `held back by ${held.map((r) => `${r.dependent} requires ${p.name}@${r.range}`).join(', ')}: upgrade the dependent`,
          }
        : { ...withTo, action: 'relock' },
    );
  }
  return [...steps.values()].sort((a, b) => a.name.localeCompare(b.name) || a.from.localeCompare(b.from));
}

function applyPlan(
  adapter: ManagerAdapter,
  steps: FixStep[],
  pkgJson: Record<string, unknown>,
  reqs: Requirement[],
) {
  const direct: DirectUpgrade[] = steps
    .filter((s) => s.action === 'install')
    .map((s) => ({
      key: s.declared!.key,
      name: s.name,
      to: s.to!,
      section: s.declared!.section,
      saveAs: saveStyle(s.declared!.range),
    }));
  const transitive: TransitiveUpgrade[] = steps
    .filter((s) => s.action === 'relock')
    .map((s) => ({
      name: s.name,
      from: s.from,
      to: s.to!,
      requirements: requirementsOn(reqs, s.name, s.from),
    }));
  const plan: ApplyPlan = adapter.plan(direct, transitive, pkgJson);
  for (const s of steps) if (s.action === 'relock') s.how = plan.transitiveHow.get(s.name);
  return plan;
}

/** The top-level package.json fields an apply plan changes (for the result and the PR/MR). */
function editedFields(before: Record<string, unknown>, after: Record<string, unknown> | undefined): string[] {
  if (!after) return [];
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (b && typeof b === 'object' && !Array.isArray(b)) {
      for (const [k, v] of Object.entries(b)) {
        walk(a && typeof a === 'object' ? (a as Record<string, unknown>)[k] : undefined, v, [...path, k]);
      }
    } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path.join('.'));
  };
  walk(before, after, []);
  return out;
}

function runTool(argv: string[], cwd: string, env: Record<string, string>, timeout: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { cwd, timeout, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const detail = (stderr || err.message).trim().split('\n').slice(-3).join(' ');
        reject(new Error(`${argv.slice(0, 3).join(' ')}: ${detail}`));
      },
    );
  });
}

/**
 * `devsecflow fix` for npm, pnpm and yarn projects: finds the vulnerable packages of the root
 * lockfile, picks for each the smallest version clearing all its advisories, applies it with the
 * project's own package manager in lockfile-only mode (never running install scripts; see the
 * adapters for each manager's commands), re-scans the new lockfile to prove which advisories are
 * gone, and runs the project's test command. Upgrades above `automatic` and fixes outside a
 * dependent's declared range are planned but left to a person.
 */
export async function fixDependencies(options: FixOptions): Promise<FixResult> {
  const { root, source } = options;
  const log = options.log ?? (() => undefined);
  const { adapter, lockfile } = await detectManager(root);
  const manifestPath = join(root, 'package.json');
  const pkgText = await readText(manifestPath);
  const pkgJson = parseJson<Record<string, unknown>>(pkgText, manifestPath);
  const lockPath = join(root, lockfile);
  const lockText = await readText(lockPath);
  let requirements: Requirement[];
  try {
    requirements = adapter.requirements(lockText);
  } catch (e) {
    throw new InputError(`cannot read the lockfile (${(e as Error).message.split('\n')[0]})`, {
      file: lockPath,
    });
  }
  const result: FixResult = {
    manager: adapter.id,
    lockfile,
    steps: [],
    commands: [],
    manifestEdits: [],
    remaining: [],
    cleared: [],
    dryRun: options.dryRun ?? false,
    errors: [],
  };
  const before = await scan(root, lockfile, source);
  if (before.errors.length) return { ...result, errors: before.errors };
  const automatic: FixLevel = options.allowMajor ? 'major' : (options.automatic ?? 'minor');
  const steps = planFixes(before.matches, pkgJson, requirements, automatic);
  const plan = applyPlan(adapter, steps, pkgJson, requirements);
  const exe = options.managers?.[adapter.id] ?? [adapter.executable];
  // The adapter's settings win: CI variables (e.g. immutable installs) must not undo lockfile-only mode.
  const env = { ...options.env, ...adapter.env };
  result.steps = steps;
  result.commands = plan.commands.map((args) => [...exe, ...args]);
  result.manifestEdits = editedFields(pkgJson, plan.manifest);
  const errors: ReportError[] = [];
  if (!options.dryRun && plan.commands.length) {
    try {
      if (plan.manifest) {
        const indent = /^\{\n(\s+)"/.exec(pkgText)?.[1] ?? '  ';
        await writeFile(manifestPath, `${JSON.stringify(plan.manifest, null, indent)}\n`);
      }
      for (const argv of result.commands) {
        log(argv.join(' '));
        await runTool(argv, root, env, options.timeoutMs ?? 300_000);
      }
    } catch (e) {
      errors.push({ message: (e as Error).message });
    }
  }
  const beforeIds = new Set(before.matches.flatMap(advisoryIds));
  let remainingMatches = before.matches;
  if (options.dryRun) {
    // What the plan would clear: the advisories of every package it upgrades, unless a package it
    // leaves alone carries the same advisory.
    const planned = new Set(steps.filter((s) => s.action !== 'manual').map((s) => `${s.name}@${s.from}`));
    remainingMatches = before.matches.filter((m) => !planned.has(`${m.pkg.name}@${m.pkg.version}`));
  } else if (plan.commands.length) {
    const after = await scan(root, lockfile, source);
    errors.push(...after.errors);
    remainingMatches = after.matches;
  }
  const remaining = remainingMatches.map((m) => ({
    name: m.pkg.name,
    version: m.pkg.version,
    advisories: advisoryIds(m),
  }));
  const afterIds = new Set(remaining.flatMap((r) => r.advisories));
  result.remaining = [...new Map(remaining.map((r) => [`${r.name}@${r.version}`, r])).values()];
  result.cleared = [...beforeIds].filter((id) => !afterIds.has(id)).sort();
  result.errors = errors;
  if (options.test && !options.dryRun && plan.commands.length && !errors.length) {
    log(`testing: ${options.test.argv.join(' ')}`);
    result.test = await runTestCommand(options.test.argv, {
      cwd: root,
      env,
      timeoutMs: options.test.timeoutMs ?? 600_000,
    });
  }
  return result;
}

/** The files a successful fix changed (package.json and the lockfile), with their new content. */
export async function changedFiles(
  root: string,
  result: FixResult,
): Promise<{ path: string; content: string }[]> {
  return Promise.all(
    ['package.json', result.lockfile].map(async (path) => ({
      path,
      content: await readText(join(root, path)),
    })),
  );
}

const MANAGER_NAMES: Record<PackageManager, string> = {
  npm: 'npm',
  pnpm: 'pnpm',
  yarn: 'Yarn 1',
  'yarn-berry': 'Yarn',
};

/** Markdown for the PR/MR body (and `fix`'s summary): what changed, which advisories it clears, the tests, what is left. */
export function formatFixMarkdown(result: FixResult): string {
  const applied = result.steps.filter((s) => s.action !== 'manual');
  const manual = result.steps.filter((s) => s.action === 'manual');
  const lines = [`## Dependency security fixes (${MANAGER_NAMES[result.manager]})`, ''];
  if (result.dryRun) lines.push('Dry run: planned, nothing changed.', '');
  if (applied.length) {
    lines.push('| Package | From | To | Advisories | How |', '| --- | --- | --- | --- | --- |');
    for (const s of applied) {
      const how =
        s.action === 'install'
          ? `direct: \`${s.declared!.range}\`${s.declared!.withinRange ? ' (fix within the declared range)' : ' (declared range changed)'}`
          : (s.how ?? 'transitive');
      lines.push(`| ${s.name} | ${s.from} | ${s.to} | ${s.advisories.join(', ')} | ${how} |`);
    }
    lines.push('');
  }
  if (result.dryRun) {
    lines.push(
      result.cleared.length
        ? `Would clear ${result.cleared.join(', ')} (to be proven by re-scanning after the apply).`
        : 'Would clear no advisory.',
    );
  } else {
    lines.push(
      result.cleared.length
        ? `Re-scan of the new lockfile: cleared ${result.cleared.join(', ')}.`
        : 'Re-scan of the new lockfile: no advisory was cleared.',
    );
  }
  if (result.test) {
    const t = result.test;
    const verdict = t.passed
      ? 'passed'
      : t.timedOut
        ? 'timed out'
        : `failed (exit code ${t.exitCode ?? 'none'})`;
    lines.push('', `Tests ${verdict}: \`${t.command.join(' ')}\``);
    if (!t.passed && t.output) {
      // A fence longer than any backtick run in the output, so the output cannot end it.
      const fence = '`'.repeat(Math.max(3, ...(t.output.match(/`+/g) ?? []).map((r) => r.length + 1)));
      lines.push('', `${fence}text`, ...t.output.split('\n'), fence);
    }
  }
  if (result.remaining.length) {
    lines.push(
      '',
      result.dryRun ? 'Would stay vulnerable:' : 'Still vulnerable:',
      ...result.remaining.map((r) => `- ${r.name}@${r.version}: ${r.advisories.join(', ')}`),
    );
  }
  if (manual.length) {
    lines.push(
      '',
      'Needs a person:',
      ...manual.map((s) => `- ${s.name}@${s.from} (${s.advisories.join(', ')}): ${s.reason}`),
    );
  }
  for (const e of result.errors) lines.push('', `Error: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

/** 0: nothing vulnerable left and tests passed; 1: something still is, or tests failed; 3: could not complete. */
export function fixExitCode(result: FixResult): 0 | 1 | 3 {
  if (result.errors.some((e) => (e.kind ?? 'error') === 'error')) return 3;
  if (result.test && !result.test.passed) return 1;
  return result.remaining.length ? 1 : 0;
}
