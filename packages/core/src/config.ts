import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type SourcePosition } from './errors.js';
import { STAGE_IDS, type StageId } from './model.js';
import {
  type ConfigFile,
  ConfigFileSchema,
  defaultPolicy,
  type IgnoreEntry,
  type Policy,
  parseSize,
  type ResolvedIgnore,
  resolveFixPolicy,
  type StageSection,
} from './policy.js';

export const CONFIG_FILE_NAMES = ['devsecflow.yml', 'devsecflow.yaml', '.devsecflow.yml'] as const;

/** Finds the config file in `root`, if any. */
export function findConfigFile(root: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const p = join(root, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

interface LoadedFile {
  file: string;
  data: ConfigFile;
  /** Position of the value at a key path, when the file is YAML. */
  locate(path: (string | number)[]): SourcePosition | undefined;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

function describeIssue(issue: z.core.$ZodIssue): { message: string; extraKey?: string } {
  const key = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const k = issue.keys[0]!;
      const where = issue.path.length ? ` in ${key}` : '';
      return { message: `unknown key '${k}'${where}`, extraKey: k };
    }
    case 'invalid_value':
      return {
        message: `${key}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'invalid_type':
      if (issue.input === undefined) {
        const parent = issue.path.slice(0, -1).map(String).join('.');
        return {
          message: `missing required key '${String(issue.path.at(-1))}'${parent ? ` in ${parent}` : ''}`,
        };
      }
      return { message: `${key}: expected ${issue.expected}, got ${typeName(issue.input)}` };
    default:
      return { message: `${key}: ${issue.message}` };
  }
}

/** Validates data against a schema, turning the first issue into a ConfigError at its YAML position. */
export function validateAt<T>(
  schema: z.ZodType<T>,
  data: unknown,
  file: string,
  locate: (path: (string | number)[]) => SourcePosition | undefined,
  prefix: (string | number)[] = [],
): T {
  // zod 4 leaves the offending value out of issues unless asked: without it a wrongly typed value
  // could not be told from a missing key.
  const parsed = schema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const { message, extraKey } = describeIssue(issue);
  const path = [...prefix, ...(issue.path as (string | number)[])];
  const pos = (extraKey !== undefined ? locate([...path, extraKey]) : undefined) ??
    locateNearest(locate, path) ?? { file };
  // Messages about a key start with its path; others ("unknown key 'x'") get the prefix as a path.
  const keyed =
    issue.path.length > 0 && !message.startsWith('unknown key') && !message.startsWith('missing required');
  const label = prefix.length ? `${prefix.map(String).join('.')}${keyed ? '.' : ': '}${message}` : message;
  throw new ConfigError(label, pos);
}

function locateNearest(
  locate: (path: (string | number)[]) => SourcePosition | undefined,
  path: (string | number)[],
): SourcePosition | undefined {
  for (let i = path.length; i >= 0; i--) {
    const pos = locate(path.slice(0, i));
    if (pos) return pos;
  }
  return undefined;
}

async function loadYamlFile(file: string, shown: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? 'config file not found' : `cannot read config: ${(e as Error).message}`,
      {
        file: shown,
      },
    );
  }
  // Loaded here, not at import: a stage run as a library without a config never pays for it.
  const { isMap, isPair, isScalar, LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    throw new ConfigError(`invalid YAML: ${err.message.split('\n')[0]}`, {
      file: shown,
      line: pos.line,
      column: pos.col,
    });
  }
  const locate = (path: (string | number)[]): SourcePosition | undefined => {
    // The key itself for a map entry (more useful than its value), else the node.
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
    let node: Node | undefined;
    if (last !== undefined && isMap(parent)) {
      const pair = parent.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last),
      );
      node = (pair?.key as Node | undefined) ?? undefined;
    }
    node ??= (path.length ? doc.getIn(path, true) : doc.contents) as Node | undefined;
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const lp = lineCounter.linePos(offset);
    return { file: shown, line: lp.line, column: lp.col };
  };
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('expected a mapping of settings at the top level', {
      file: shown,
      line: 1,
      column: 1,
    });
  }
  const data = validateAt(ConfigFileSchema, raw, shown, locate);
  return { file, data, locate };
}

async function loadPresetPackage(name: string, fromDir: string, by: string): Promise<LoadedFile> {
  const require = createRequire(join(fromDir, 'noop.js'));
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new ConfigError(
      `extends '${name}': not a file path and no such npm package is installed (install it, or start the path with ./)`,
      { file: by },
    );
  }
  const ext = extname(entry);
  if (ext === '.yml' || ext === '.yaml' || ext === '.json')
    return loadYamlFile(entry, `${name} (${displayPath(entry)})`);
  const mod = (await import(pathToFileURL(entry).href)) as { default?: unknown; preset?: unknown };
  const data = mod.default ?? mod.preset;
  const shown = `${name} (${displayPath(entry)})`;
  return {
    file: entry,
    data: validateAt(ConfigFileSchema, data, shown, () => undefined),
    locate: () => undefined,
  };
}

/** Loads a config file and everything it extends, depth first, presets before the file. */
async function loadChain(file: string, seen: string[]): Promise<LoadedFile[]> {
  const abs = resolve(file);
  const shown = displayPath(abs);
  if (seen.includes(abs)) {
    throw new ConfigError(`extends cycle: ${[...seen, abs].map(displayPath).join(' -> ')}`, { file: shown });
  }
  const self = await loadYamlFile(abs, shown);
  const chain: LoadedFile[] = [];
  const parents = self.data.extends === undefined ? [] : [self.data.extends].flat();
  for (const [i, ref] of parents.entries()) {
    if (ref.startsWith('.') || isAbsolute(ref)) {
      const target = resolve(dirname(abs), ref);
      if (!existsSync(target)) {
        const pos = self.locate(['extends', ...(Array.isArray(self.data.extends) ? [i] : [])]) ?? {
          file: shown,
        };
        throw new ConfigError(`extends '${ref}': file not found`, pos);
      }
      chain.push(...(await loadChain(target, [...seen, abs])));
    } else {
      chain.push(await loadPresetPackage(ref, dirname(abs), shown));
    }
  }
  chain.push(self);
  return chain;
}

function resolveIgnores(
  entries: IgnoreEntry[] | undefined,
  layer: LoadedFile,
  at: (string | number)[],
): ResolvedIgnore[] {
  return (entries ?? []).map((e, i) => {
    const pos = layer.locate([...at, i]);
    const source = pos?.line ? `${displayPath(layer.file)}:${pos.line}` : displayPath(layer.file);
    return { ...e, source };
  });
}

/**
 * Loads devsecflow.yml with its `extends` chain and returns the effective policy. Every mistake is
 * a ConfigError naming file, line, column and key. Merge rules: scalars from the most specific file
 * win; `ignore`, `exclude` and `requiredStages` accumulate; `stages.<id>` merge key by key; `teams`
 * accumulate, and a team with the same name replaces the earlier one. Among teams, the last one
 * whose paths match a finding wins.
 */
export async function loadConfig(file: string): Promise<Policy> {
  const chain = await loadChain(file, []);
  const main = chain[chain.length - 1]!;
  const baseDir = dirname(main.file);
  const policy: Policy = {
    ...defaultPolicy(baseDir),
    files: chain.map((l) => l.file),
    locate: (path) => {
      for (let i = chain.length - 1; i >= 0; i--) {
        const pos = chain[i]!.locate(path);
        if (pos) return pos;
      }
      return undefined;
    },
  };
  policy.fix = resolveFixPolicy(chain.map((layer) => layer.data.fix));
  for (const layer of chain) {
    const d = layer.data;
    if (d.failOn !== undefined) policy.gate.failOn = d.failOn;
    if (d.maxFindings !== undefined) policy.gate.maxFindings = d.maxFindings;
    if (d.newOnly !== undefined) policy.gate.newOnly = d.newOnly;
    if (d.allowPartial !== undefined) policy.gate.allowPartial = d.allowPartial;
    if (d.requiredStages)
      policy.requiredStages = [...new Set([...policy.requiredStages, ...d.requiredStages])];
    if (d.baseline !== undefined) policy.baseline = resolve(dirname(layer.file), d.baseline);
    if (d.diffAware !== undefined)
      policy.diffAware = d.diffAware === true ? {} : d.diffAware === false ? false : d.diffAware;
    if (d.exclude) policy.exclude.push(...d.exclude);
    if (d.maxFileSize !== undefined) policy.maxFileSize = parseSize(d.maxFileSize);
    policy.ignore.push(...resolveIgnores(d.ignore, layer, ['ignore']));
    for (const id of STAGE_IDS) {
      const section = d.stages?.[id];
      if (section) policy.stages[id] = { ...(policy.stages[id] ?? {}), ...section } as StageSection;
    }
    for (const [i, team] of (d.teams ?? []).entries()) {
      const resolvedTeam = { ...team, ignore: resolveIgnores(team.ignore, layer, ['teams', i, 'ignore']) };
      const at = policy.teams.findIndex((t) => t.name === team.name);
      if (at >= 0) policy.teams[at] = resolvedTeam;
      else policy.teams.push(resolvedTeam);
    }
  }
  return policy;
}

/** Keys of a stage section that belong to the gate and runner, not to the stage's own options. */
export const COMMON_STAGE_KEYS = [
  'enabled',
  'failOn',
  'maxFindings',
  'newOnly',
  'allowPartial',
  'diffAware',
  'import',
] as const;

/** The stage's own options from its config section, with the common keys removed. */
export function stageOwnOptions(section: StageSection | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(section ?? {}) };
  for (const k of COMMON_STAGE_KEYS) delete out[k];
  return out;
}

/** Stages the config turns on: listed under `stages` and not `enabled: false`. */
export function enabledStages(policy: Policy): StageId[] {
  return STAGE_IDS.filter((id) => policy.stages[id] !== undefined && policy.stages[id]?.enabled !== false);
}
