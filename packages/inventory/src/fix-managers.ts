// One adapter per JavaScript package manager: where its lockfile is, what dependents declare in it,
// and which of its own commands (and package.json fields) apply a planned fix in lockfile-only mode.
// The planning itself is shared (fix.ts); nothing here decides what to upgrade.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '@devsecflow/core';
import { parseSyml } from '@yarnpkg/parsers';

export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'yarn-berry'] as const;
/** `yarn` is Yarn 1 (classic); `yarn-berry` is Yarn 2 and later. */
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;
export type Section = (typeof SECTIONS)[number];

/** What one locked package declares for one of its dependencies. */
export interface Requirement {
  /** `name@version` of the package declaring the dependency. */
  dependent: string;
  name: string;
  /** The declared range; absent where the lockfile records only the resolved version (pnpm). */
  range?: string;
  /** The version it resolved to, where the lockfile records it (pnpm). */
  resolved?: string;
}

/** A direct dependency to move to `to` through its package.json entry `key` (an alias when key !== name). */
export interface DirectUpgrade {
  key: string;
  name: string;
  to: string;
  section: Section;
  /** The saved range: `^`/`~` keep the declared prefix, an exact pin stays exact. */
  saveAs: 'caret' | 'tilde' | 'exact';
}

/** A transitive package to move from `from` to `to`, within the ranges its dependents declare. */
export interface TransitiveUpgrade {
  name: string;
  from: string;
  to: string;
  /** The dependents' `name@version` and declared ranges that resolved to `from`. */
  requirements: Requirement[];
}

/** How to apply a plan: package.json fields to set first, then the manager's commands in order. */
export interface ApplyPlan {
  /** package.json with overrides/resolutions added; absent when package.json is only changed by the commands. */
  manifest?: Record<string, unknown>;
  commands: string[][];
  /** One line per transitive package, for the PR/MR: how it was pinned. */
  transitiveHow: Map<string, string>;
}

export interface ManagerAdapter {
  id: PackageManager;
  /** The executable run by default (from PATH). */
  executable: string;
  lockfile: string;
  /** Environment the manager needs to update a lockfile non-interactively (e.g. in CI). */
  env: Record<string, string>;
  requirements(lockText: string): Requirement[];
  plan(
    direct: DirectUpgrade[],
    transitive: TransitiveUpgrade[],
    manifest: Record<string, unknown>,
  ): ApplyPlan;
}

const PREFIX = { caret: '^', tilde: '~', exact: '' } as const;

function spec(u: DirectUpgrade): string {
  const version = `${PREFIX[u.saveAs]}${u.to}`;
  return u.key === u.name ? `${u.name}@${version}` : `${u.key}@npm:${u.name}@${version}`;
}

/** Groups direct upgrades by the flags their command needs (one command per section and save style). */
function byFlags(direct: DirectUpgrade[], flags: (u: DirectUpgrade) => string[]): [string[], string[]][] {
  const groups = new Map<string, [string[], string[]]>();
  for (const u of direct) {
    const f = flags(u);
    const key = f.join(' ');
    const group = groups.get(key) ?? [f, []];
    group[1].push(spec(u));
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `mkdirp@0.5.5` -> name; scoped names keep their leading @. */
export function nameOf(nameAtVersion: string): string {
  const at = nameAtVersion.indexOf('@', 1);
  return at < 0 ? nameAtVersion : nameAtVersion.slice(0, at);
}

function withField(
  manifest: Record<string, unknown>,
  path: string[],
  entries: [string, string][],
): Record<string, unknown> {
  const out = structuredClone(manifest);
  let node = out;
  for (const k of path) {
    const next = node[k];
    node[k] = next && typeof next === 'object' && !Array.isArray(next) ? next : {};
    node = node[k] as Record<string, unknown>;
  }
  for (const [k, v] of entries) node[k] = v;
  return out;
}

type DepMaps = Partial<Record<'dependencies' | 'optionalDependencies' | 'peerDependencies', unknown>>;

function eachDependency(entry: DepMaps, visit: (name: string, value: string) => void): void {
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
    const deps = entry[field];
    if (!deps || typeof deps !== 'object') continue;
    for (const [name, value] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof value === 'string') visit(name, value);
    }
  }
}

const NPM_COMMON = ['--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
const NPM_SAVE: Record<Section, string> = {
  dependencies: '--save-prod',
  devDependencies: '--save-dev',
  optionalDependencies: '--save-optional',
};

/**
 * npm: `npm install <spec> --package-lock-only`; a transitive fix is installed as a top-level
 * package and uninstalled again, which leaves the fixed version locked for its dependents (no
 * `overrides` entry stays behind).
 */
export const npmAdapter: ManagerAdapter = {
  id: 'npm',
  executable: 'npm',
  lockfile: 'package-lock.json',
  env: {},
  requirements(lockText) {
    const lock = JSON.parse(lockText) as { packages?: Record<string, DepMaps & { version?: string }> };
    const out: Requirement[] = [];
    for (const [path, entry] of Object.entries(lock.packages ?? {})) {
      if (path === '' || !entry.version) continue;
      const dependent = `${path.replace(/^.*node_modules\//, '')}@${entry.version}`;
      eachDependency(entry, (name, range) => out.push({ dependent, name, range }));
    }
    return out;
  },
  plan(direct, transitive) {
    const commands = direct.map((u) => [
      'install',
      spec(u),
      NPM_SAVE[u.section],
      ...(u.saveAs === 'exact' ? ['--save-exact'] : []),
      ...NPM_COMMON,
    ]);
    if (transitive.length) {
      commands.push(['install', ...transitive.map((t) => `${t.name}@${t.to}`), '--save-prod', ...NPM_COMMON]);
      commands.push(['uninstall', ...transitive.map((t) => t.name), ...NPM_COMMON]);
    }
    const how = 'transitive: relocked within its dependents’ ranges';
    return { commands, transitiveHow: new Map(transitive.map((t) => [t.name, how])) };
  },
};

const PNPM_SAVE: Record<Section, string[]> = {
  dependencies: [],
  devDependencies: ['--save-dev'],
  optionalDependencies: ['--save-optional'],
};
const PNPM_COMMON = ['--lockfile-only', '--ignore-scripts'];

/**
 * pnpm: `pnpm add <spec> --lockfile-only`; a transitive fix is pinned with a `pnpm.overrides`
 * entry selecting only the vulnerable version (`minimist@1.2.5: 1.2.6`), which stays in package.json
 * (pnpm's documented way to backport a fix). pnpm-lock.yaml records resolved versions, not the
 * ranges dependents declare, so those are not checked before the override.
 */
export const pnpmAdapter: ManagerAdapter = {
  id: 'pnpm',
  executable: 'pnpm',
  lockfile: 'pnpm-lock.yaml',
  env: {},
  requirements(lockText) {
    const doc = parseSyml(lockText) as Record<string, unknown>;
    // v9 keeps dependency edges in `snapshots`; v5/v6 in `packages`.
    const graph = (doc.snapshots ?? doc.packages ?? {}) as Record<string, DepMaps>;
    const out: Requirement[] = [];
    for (const [key, entry] of Object.entries(graph)) {
      // `/name/1.0.0` (v5), `/name@1.0.0` (v6), `name@1.0.0(peer@2)` (v9): name@version without peers.
      const dependent = key
        .replace(/^\//, '')
        .replace(/\(.*$/, '')
        .replace(/^(@?[^@/]+(?:\/[^@/]+)?)\/(\d)/, '$1@$2');
      eachDependency(entry ?? {}, (name, resolved) =>
        out.push({ dependent, name, resolved: resolved.replace(/\(.*$/, '') }),
      );
    }
    return out;
  },
  plan(direct, transitive, manifest) {
    const overrides = transitive.map((t): [string, string] => [`${t.name}@${t.from}`, t.to]);
    const commands = byFlags(direct, (u) => [
      ...PNPM_SAVE[u.section],
      ...(u.saveAs === 'exact' ? ['--save-exact'] : []),
    ]).map(([flags, specs]) => ['add', ...specs, ...flags, ...PNPM_COMMON]);
    // CI makes `pnpm install` frozen by default; the point here is to change the lockfile.
    if (!commands.length && overrides.length)
      commands.push(['install', ...PNPM_COMMON, '--no-frozen-lockfile']);
    return {
      ...(overrides.length ? { manifest: withField(manifest, ['pnpm', 'overrides'], overrides) } : {}),
      commands,
      transitiveHow: new Map(
        overrides.map(([k, v]) => [nameOf(k), `transitive: \`pnpm.overrides\` \`"${k}": "${v}"\``]),
      ),
    };
  },
};

function yarnRequirements(lockText: string, rangeOf: (value: string) => string): Requirement[] {
  const doc = parseSyml(lockText) as Record<string, DepMaps & { version?: string; resolution?: string }>;
  const out: Requirement[] = [];
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !entry?.version || entry.resolution?.includes('@workspace:')) continue;
    const dependent = `${nameOf(key.split(',')[0]!.trim())}@${entry.version}`;
    eachDependency(entry, (name, value) => out.push({ dependent, name, range: rangeOf(value) }));
  }
  return out;
}

const YARN_SAVE: Record<Section, string[]> = {
  dependencies: [],
  devDependencies: ['--dev'],
  optionalDependencies: ['--optional'],
};

function yarnPlan(
  direct: DirectUpgrade[],
  transitive: TransitiveUpgrade[],
  manifest: Record<string, unknown>,
  resolutionKeys: (t: TransitiveUpgrade) => string[],
  common: string[],
  install: string[],
): ApplyPlan {
  const resolutions = transitive.flatMap((t) => resolutionKeys(t).map((k): [string, string] => [k, t.to]));
  const commands = byFlags(direct, (u) => [
    ...YARN_SAVE[u.section],
    ...(u.saveAs === 'exact' ? ['--exact'] : []),
  ]).map(([flags, specs]) => ['add', ...specs, ...flags, ...common]);
  if (!commands.length && resolutions.length) commands.push(install);
  const how = new Map<string, string>();
  for (const t of transitive) {
    how.set(
      t.name,
      `transitive: \`resolutions\` ${resolutionKeys(t)
        .map((k) => `\`"${k}": "${t.to}"\``)
        .join(', ')}`,
    );
  }
  return {
    ...(resolutions.length ? { manifest: withField(manifest, ['resolutions'], resolutions) } : {}),
    commands,
    transitiveHow: how,
  };
}

const YARN1_COMMON = ['--ignore-scripts', '--non-interactive', '--no-progress'];

/**
 * Yarn 1: `yarn add <spec>`; a transitive fix is a `resolutions` entry per dependent
 * (`**\/mkdirp/minimist: 1.2.6`). Yarn 1 has no lockfile-only mode: it installs node_modules too,
 * with install scripts off.
 */
export const yarnClassicAdapter: ManagerAdapter = {
  id: 'yarn',
  executable: 'yarn',
  lockfile: 'yarn.lock',
  env: {},
  requirements: (lockText) => yarnRequirements(lockText, (v) => v),
  plan: (direct, transitive, manifest) =>
    yarnPlan(
      direct,
      transitive,
      manifest,
      (t) => [...new Set(t.requirements.map((r) => `**/${nameOf(r.dependent)}/${t.name}`))],
      YARN1_COMMON,
      ['install', ...YARN1_COMMON],
    ),
};

const BERRY_COMMON = ['--mode=update-lockfile'];

/**
 * Yarn 2+: `yarn add <spec> --mode=update-lockfile` (no link step, nothing built); a transitive fix
 * is a `resolutions` entry per declared range that resolved to the vulnerable version
 * (`minimist@npm:^1.2.5: 1.2.6`).
 */
export const yarnBerryAdapter: ManagerAdapter = {
  id: 'yarn-berry',
  executable: 'yarn',
  lockfile: 'yarn.lock',
  // A CI configuration may make installs immutable; the point here is to change the lockfile.
  env: { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' },
  requirements: (lockText) => yarnRequirements(lockText, (v) => v.replace(/^npm:/, '')),
  plan: (direct, transitive, manifest) =>
    yarnPlan(
      direct,
      transitive,
      manifest,
      (t) => [...new Set(t.requirements.filter((r) => r.range).map((r) => `${t.name}@npm:${r.range}`))],
      BERRY_COMMON,
      ['install', ...BERRY_COMMON],
    ),
};

export const ADAPTERS: Record<PackageManager, ManagerAdapter> = {
  npm: npmAdapter,
  pnpm: pnpmAdapter,
  yarn: yarnClassicAdapter,
  'yarn-berry': yarnBerryAdapter,
};

const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/**
 * The package manager of the project at `root`, from its lockfile (npm-shrinkwrap.json,
 * package-lock.json, pnpm-lock.yaml, yarn.lock): a yarn.lock with a `__metadata` block is Yarn 2+;
 * otherwise `.yarnrc.yml` or a `packageManager: yarn@2+` field says Berry, and anything else is
 * Yarn 1. Several lockfiles: package.json's `packageManager` decides, else the order above.
 */
export async function detectManager(root: string): Promise<{ adapter: ManagerAdapter; lockfile: string }> {
  const pkgText = await readText(join(root, 'package.json'));
  const declared = pkgText ? /"packageManager"\s*:\s*"(npm|pnpm|yarn)@(\d+)/.exec(pkgText) : null;
  const found: { adapter: ManagerAdapter; lockfile: string }[] = [];
  for (const lockfile of ['npm-shrinkwrap.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock']) {
    const text = await readText(join(root, lockfile));
    if (text === undefined) continue;
    let adapter = lockfile.endsWith('.json')
      ? npmAdapter
      : lockfile === 'pnpm-lock.yaml'
        ? pnpmAdapter
        : undefined;
    if (!adapter) {
      const berry =
        /^__metadata:/m.test(text) ||
        (declared?.[1] === 'yarn' && Number(declared[2]) >= 2) ||
        (await readText(join(root, '.yarnrc.yml'))) !== undefined;
      adapter = berry ? yarnBerryAdapter : yarnClassicAdapter;
    }
    found.push({ adapter, lockfile });
  }
  const preferred = declared && found.find((f) => f.adapter.executable === declared[1]);
  const chosen = preferred ?? found[0];
  if (!chosen) {
    throw new InputError(
      'no package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock (fix works on npm, pnpm and yarn lockfiles)',
      { file: root },
    );
  }
  return chosen;
}
