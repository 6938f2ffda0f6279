import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError, type ReportError } from '@devsecflow/core';
import {
  type AdvisorySource,
  type ExtractedPackage,
  extractFile,
  matchPackages,
  type PackageMatch,
  primaryId,
  smallestFix,
} from '@devsecflow/deps';
import semver from 'semver';

const run = promisify(execFile);

const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;
type Section = (typeof SECTIONS)[number];
const SAVE_FLAG: Record<Section, string> = {
  dependencies: '--save-prod',
  devDependencies: '--save-dev',
  optionalDependencies: '--save-optional',
};

/** One vulnerable package and what `fix` does about it. */
export interface NpmFixStep {
  name: string;
  from: string;
  /** The smallest version that clears every advisory on this package, when one exists. */
  to?: string;
  advisories: string[];
  direct: boolean;
  /**
   * `install`: direct dependency, `npm install <key>@<version>`; `relock`: transitive, pinned in the
   * lockfile within its dependents' ranges; `manual`: needs a person (see `reason`).
   */
  action: 'install' | 'relock' | 'manual';
  /** For direct dependencies: the declared range, and whether the fix stays inside it. */
  declared?: { key: string; section: Section; range: string; withinRange: boolean };
  reason?: string;
}

export interface NpmFixResult {
  steps: NpmFixStep[];
  /** npm commands run, as argument arrays (dry runs list what would run). */
  commands: string[][];
  /** Vulnerable packages left after the fix, by re-scanning the new lockfile. */
  remaining: { name: string; version: string; advisories: string[] }[];
  /** Advisory ids cleared (present before, absent after). */
  cleared: string[];
  errors: ReportError[];
}

export interface NpmFixOptions {
  /** Directory holding package.json and package-lock.json (or npm-shrinkwrap.json). */
  root: string;
  source: AdvisorySource;
  /** Allow major upgrades (default false: a major upgrade needs a person). */
  allowMajor?: boolean;
  /** Plan only; run nothing. */
  dryRun?: boolean;
  /** The npm executable (default `npm` from PATH). */
  npm?: string;
  log?: (message: string) => void;
}

interface LockDoc {
  lockfileVersion?: number;
  packages?: Record<
    string,
    {
      version?: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    }
  >;
}

const advisoryIds = (m: PackageMatch) =>
  [...new Set(m.vulns.map((v) => primaryId([v.id, ...(v.aliases ?? [])])))].sort();

async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { file: path });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file: path });
  }
}

async function lockfileName(root: string): Promise<string> {
  for (const f of ['npm-shrinkwrap.json', 'package-lock.json']) {
    if (
      await readFile(join(root, f)).then(
        () => true,
        () => false,
      )
    )
      return f;
  }
  throw new InputError('no package-lock.json or npm-shrinkwrap.json (fix works on npm lockfiles)', {
    file: root,
  });
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
function declaredEntry(
  pkgJson: Record<string, unknown>,
  name: string,
  version: string,
): NpmFixStep['declared'] | undefined {
  const candidates: NonNullable<NpmFixStep['declared']>[] = [];
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

/** Dependents in the lockfile whose declared range does not allow `version` of `name`. */
function blockers(lock: LockDoc, name: string, version: string): string[] {
  const out: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '') continue;
    const range =
      entry.dependencies?.[name] ?? entry.optionalDependencies?.[name] ?? entry.peerDependencies?.[name];
    if (range && semver.validRange(range) && !semver.satisfies(version, range)) {
      out.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} requires ${name}@${range}`);
    }
  }
  return out;
}

/** Plans the smallest upgrades that clear the advisories, without running anything. */
function plan(
  matches: PackageMatch[],
  pkgJson: Record<string, unknown>,
  lock: LockDoc,
  allowMajor: boolean,
): NpmFixStep[] {
  const steps = new Map<string, NpmFixStep>();
  for (const m of matches) {
    const p: ExtractedPackage = m.pkg;
    const key = `${p.name}@${p.version}`;
    if (steps.has(key)) continue;
    const to = smallestFix(m.vulns, { ecosystem: 'npm', name: p.name, version: p.version });
    const base = { name: p.name, from: p.version, advisories: advisoryIds(m), direct: p.direct };
    if (!to) {
      steps.set(key, { ...base, action: 'manual', reason: 'no fixed version is published' });
      continue;
    }
    const withTo = { ...base, to };
    const major = semver.valid(p.version) && semver.valid(to) && semver.major(to) !== semver.major(p.version);
    if (major && !allowMajor) {
      steps.set(key, {
        ...withTo,
        action: 'manual',
        reason: `the fix is a major upgrade (${p.version} -> ${to}); allow majors to apply it`,
      });
      continue;
    }
    if (p.direct) {
      const declared = declaredEntry(pkgJson, p.name, p.version);
      if (!declared) {
        steps.set(key, {
          ...withTo,
          action: 'manual',
          reason: 'direct dependency not found in the root package.json (workspace package?)',
        });
        continue;
      }
      declared.withinRange =
        semver.validRange(declared.range) !== null && semver.satisfies(to, declared.range);
      steps.set(key, { ...withTo, action: 'install', declared });
    } else {
      const held = blockers(lock, p.name, to);
      steps.set(
        key,
        held.length
          ? { ...withTo, action: 'manual', reason: `held back by ${held.join(', ')}: upgrade the dependent` }
          : { ...withTo, action: 'relock' },
      );
    }
  }
  return [...steps.values()].sort((a, b) => a.name.localeCompare(b.name) || a.from.localeCompare(b.from));
}

/**
 * `devsecflow fix` for npm: finds the vulnerable packages of the root lockfile, picks for each the
 * smallest version clearing all its advisories, and applies it with npm in lockfile-only mode
 * (never running install scripts): `npm install <key>@<version>` for direct dependencies (the saved
 * range tightens to the fix), and for a transitive one an install + uninstall, which leaves the
 * fixed version locked as a transitive dependency when every dependent's range allows it. Major
 * upgrades and fixes outside dependents' ranges are left to a person. Then re-scans the lockfile to
 * prove which advisories are gone.
 */
export async function fixNpm(options: NpmFixOptions): Promise<NpmFixResult> {
  const { root, source } = options;
  const npm = options.npm ?? 'npm';
  const log = options.log ?? (() => undefined);
  const lockfile = await lockfileName(root);
  const pkgJson = await readJson<Record<string, unknown>>(join(root, 'package.json'));
  const lock = await readJson<LockDoc>(join(root, lockfile));
  const before = await scan(root, lockfile, source);
  if (before.errors.length) {
    return { steps: [], commands: [], remaining: [], cleared: [], errors: before.errors };
  }
  const steps = plan(before.matches, pkgJson, lock, options.allowMajor ?? false);
  const common = ['--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
  const finalCommands: string[][] = [];
  for (const s of steps) {
    if (s.action !== 'install') continue;
    const d = s.declared!;
    const spec = d.key === s.name ? `${s.name}@${s.to}` : `${d.key}@npm:${s.name}@${s.to}`;
    finalCommands.push(['install', spec, SAVE_FLAG[d.section], ...common]);
  }
  // Transitive fixes: install as top-level packages, then remove them from package.json again; npm
  // keeps the fixed versions locked because they satisfy their dependents. One pair of calls.
  const relock = steps.filter((s) => s.action === 'relock');
  if (relock.length) {
    finalCommands.push(['install', ...relock.map((s) => `${s.name}@${s.to}`), '--save-prod', ...common]);
    finalCommands.push(['uninstall', ...relock.map((s) => s.name), ...common]);
  }
  const errors: ReportError[] = [];
  if (!options.dryRun) {
    for (const args of finalCommands) {
      log(`${npm} ${args.join(' ')}`);
      try {
        await run(npm, args, { cwd: root, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
      } catch (e) {
        const err = e as Error & { stderr?: string };
        const detail = (err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ');
        errors.push({ message: `${npm} ${args.slice(0, 2).join(' ')}: ${detail}` });
        break;
      }
    }
  }
  const after = options.dryRun ? before : await scan(root, lockfile, source);
  errors.push(...after.errors);
  const remaining = after.matches.map((m) => ({
    name: m.pkg.name,
    version: m.pkg.version,
    advisories: advisoryIds(m),
  }));
  const beforeIds = new Set(before.matches.flatMap(advisoryIds));
  const afterIds = new Set(remaining.flatMap((r) => r.advisories));
  return {
    steps,
    commands: finalCommands,
    remaining: [...new Map(remaining.map((r) => [`${r.name}@${r.version}`, r])).values()],
    cleared: [...beforeIds].filter((id) => !afterIds.has(id)).sort(),
    errors,
  };
}

/** Markdown for the PR/MR body (and `fix`'s summary): what changed, which advisories it clears, what is left. */
export function formatFixMarkdown(result: NpmFixResult): string {
  const applied = result.steps.filter((s) => s.action !== 'manual');
  const manual = result.steps.filter((s) => s.action === 'manual');
  const lines = ['## Dependency security fixes (npm)', ''];
  if (applied.length) {
    lines.push('| Package | From | To | Advisories | How |', '| --- | --- | --- | --- | --- |');
    for (const s of applied) {
      const how =
        s.action === 'install'
          ? `direct: \`${s.declared!.range}\`${s.declared!.withinRange ? ' (fix within the declared range)' : ' (declared range changed)'}`
          : 'transitive: relocked within its dependents’ ranges';
      lines.push(`| ${s.name} | ${s.from} | ${s.to} | ${s.advisories.join(', ')} | ${how} |`);
    }
    lines.push('');
  }
  lines.push(
    result.cleared.length
      ? `Re-scan of the new lockfile: cleared ${result.cleared.join(', ')}.`
      : 'Re-scan of the new lockfile: no advisory was cleared.',
  );
  if (result.remaining.length) {
    lines.push(
      '',
      'Still vulnerable:',
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
