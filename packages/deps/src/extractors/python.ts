import { parse as parseToml } from 'smol-toml';
import { type GraphNode, lineIndex, type RootDep, resolveGraph } from '../graph.js';
import type {
  ExtractedPackage,
  ExtractInput,
  Extractor,
  ExtractResult,
  Scope,
  UnresolvedDependency,
} from '../types.js';
import { baseName, dirnameOf, fail, isRecord, joinPath, parseJson } from '../util.js';
import { normalizePackageName } from '../versions.js';

const norm = (n: string) => normalizePackageName('PyPI', n);

function tomlOf(text: string, path: string, what: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const line = (e as { line?: number }).line;
    return fail(
      path,
      `cannot read ${what}: invalid TOML (${String((e as Error).message).split('\n')[0]})`,
      line,
    );
  }
}

// ---------------------------------------------------------------- requirements.txt

interface ReqLine {
  text: string;
  line: number;
}

/** Joins `\` continuations and drops comments, keeping each logical line's first line number. */
function logicalLines(text: string): ReqLine[] {
  const out: ReqLine[] = [];
  const raw = text.split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    let l = raw[i]!;
    if (!buf) start = i + 1;
    // a comment starts at a # that begins the line or follows whitespace (pip's rule)
    const hash = l.search(/(^|\s)#/);
    if (hash >= 0) l = l.slice(0, hash);
    if (l.endsWith('\\')) {
      buf += `${l.slice(0, -1)} `;
      continue;
    }
    buf += l;
    if (buf.trim()) out.push({ text: buf.trim(), line: start });
    buf = '';
  }
  if (buf.trim()) out.push({ text: buf.trim(), line: start });
  return out;
}

const REQ = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/;

interface Requirement {
  name: string;
  spec: string;
  line: number;
  manifest: string;
  /** pip-compile's `# via` annotation of this requirement, when the file has them. */
  via?: string[];
}

/**
 * pip-compile's `# via` annotations by requirement line: inline (`pkg==1  # via a, b`, pip-tools < 6)
 * or on the comment lines that follow (`    # via a` / `    # via` + `    #   a` lines).
 */
function viaAnnotations(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let last: number | undefined;
  let listing = false;
  let continued = false;
  text.split(/\r?\n/).forEach((l, i) => {
    const comment = /^\s*#(.*)$/.exec(l);
    if (comment) {
      const via = /^\s*via\b\s*(.*)$/.exec(comment[1]!);
      if (via && last !== undefined) {
        out.set(last, via[1] ? via[1].split(/,\s*/) : []);
        listing = !via[1];
      } else if (listing && last !== undefined && /^\s{2,}\S/.test(comment[1]!)) {
        out.get(last)!.push(comment[1]!.trim());
      } else listing = false;
      return;
    }
    listing = false;
    if (!l.trim()) {
      continued = false;
      return;
    }
    // a requirement starts at column 0 outside a `\` continuation (hash lines are indented)
    if (!continued && !/^\s/.test(l)) {
      last = i + 1;
      const inline = /\s#\s*via\s+(.*)$/.exec(l);
      if (inline) out.set(last, inline[1]!.trim().split(/,\s*/));
    }
    continued = l.replace(/\s#.*$/, '').endsWith('\\');
  });
  return out;
}

/** A `# via` entry naming an input file rather than a package: the requirement is a direct one. */
const VIA_INPUT = /^-[rc]\s|\((pyproject\.toml|setup\.py|setup\.cfg)\)$/;

async function readRequirements(
  input: ExtractInput,
  path: string,
  text: string,
  seen: Set<string>,
  reqs: Requirement[],
  constraints: Map<string, string>,
  unresolved: UnresolvedDependency[],
): Promise<void> {
  seen.add(path);
  const vias = viaAnnotations(text);
  for (const { text: l, line } of logicalLines(text)) {
    const include = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(l);
    if (include) {
      const target = joinPath(dirnameOf(path), include[2]!);
      if (seen.has(target)) continue;
      const sub = await input.readSibling?.(target);
      if (sub === undefined) {
        unresolved.push({
          ecosystem: 'PyPI',
          name: include[2]!,
          spec: l,
          manifest: path,
          line,
          reason: `included file ${target} not found`,
        });
        continue;
      }
      if (include[1]!.startsWith('-c') || include[1] === '--constraint') {
        const cons: Requirement[] = [];
        await readRequirements(input, target, sub, seen, cons, constraints, []);
        for (const c of cons) {
          const pin = /^===?\s*([^\s,;*]+)$/.exec(c.spec.split(';')[0]!.trim());
          if (pin) constraints.set(norm(c.name), pin[1]!);
        }
      } else {
        await readRequirements(input, target, sub, seen, reqs, constraints, unresolved);
      }
      continue;
    }
    if (l.startsWith('-e') || l.startsWith('--editable')) {
      unresolved.push({
        ecosystem: 'PyPI',
        name: l.replace(/^(-e|--editable)\s*/, ''),
        spec: '',
        manifest: path,
        line,
        reason: 'editable install',
      });
      continue;
    }
    if (l.startsWith('-')) continue; // --index-url, --hash on its own line, -f, --pre ...
    const m = REQ.exec(l);
    if (!m) {
      unresolved.push({
        ecosystem: 'PyPI',
        name: l,
        spec: '',
        manifest: path,
        line,
        reason: 'not a requirement pip understands (URL or path?)',
      });
      continue;
    }
    // drop per-requirement options (--hash=...) and keep the version spec before the marker
    const spec = m[3]!
      .replace(/\s--\S+(=\S+)?/g, '')
      .replace(/^--\S+(=\S+)?/, '')
      .trim();
    const via = vias.get(line);
    reqs.push({ name: m[1]!, spec, line, manifest: path, ...(via ? { via } : {}) });
  }
}

/**
 * In pip-compile output a requirement whose `# via` names only other packages is a transitive one:
 * it is marked so, with a dependency path up to a requirement the input files asked for.
 */
function markTransitive(packages: ExtractedPackage[], vias: Map<ExtractedPackage, string[]>): void {
  const byName = new Map<string, ExtractedPackage>();
  for (const p of packages) byName.set(`${p.manifest}\0${norm(p.name)}`, p);
  const isDirect = (p: ExtractedPackage) => {
    const via = vias.get(p);
    return !via?.length || via.some((v) => VIA_INPUT.test(v));
  };
  for (const p of packages) {
    if (isDirect(p)) continue;
    p.direct = false;
    // walk up the `via` parents, preferring one that is itself direct, to the shortest known root
    const path = [`${p.name}@${p.version}`];
    const visited = new Set([p]);
    let cur = p;
    while (!isDirect(cur)) {
      const parents = vias
        .get(cur)!
        .map((v) => byName.get(`${p.manifest}\0${norm(v)}`))
        .filter((x): x is ExtractedPackage => !!x && !visited.has(x));
      const next = parents.find(isDirect) ?? parents[0];
      if (!next) break;
      visited.add(next);
      path.unshift(`${next.name}@${next.version}`);
      cur = next;
    }
    p.dependencyPath = path;
  }
}

function requirementsScope(path: string): Scope {
  return /(^|[-_.])(dev|test|tests|testing|lint|docs)([-_.]|$)/i.test(baseName(path).replace(/\.txt$/, ''))
    ? 'dev'
    : 'prod';
}

/**
 * pip `requirements*.txt`, and any `*.txt` in a `requirements/` directory (the `requirements/dev.txt`
 * layout of Flask, Django templates, pip-tools users): pins (`==`/`===`), hashes, extras, markers,
 * `-r`/`-c` includes.
 */
export const requirementsExtractor: Extractor = {
  id: 'requirements',
  ecosystem: 'PyPI',
  matches: (p) => /^requirements.*\.txt$/.test(baseName(p)) || /(^|\/)requirements\/[^/]+\.txt$/.test(p),
  async extract(input): Promise<ExtractResult> {
    const reqs: Requirement[] = [];
    const constraints = new Map<string, string>();
    const unresolved: UnresolvedDependency[] = [];
    await readRequirements(input, input.path, input.text, new Set(), reqs, constraints, unresolved);
    const packages: ExtractedPackage[] = [];
    const vias = new Map<ExtractedPackage, string[]>();
    for (const r of reqs) {
      const noMarker = r.spec.split(';')[0]!.trim();
      if (noMarker.startsWith('@')) {
        unresolved.push({
          ecosystem: 'PyPI',
          name: r.name,
          spec: noMarker,
          manifest: r.manifest,
          line: r.line,
          reason: 'direct URL reference',
        });
        continue;
      }
      const pin = /^===?\s*([^\s,;*]+)$/.exec(noMarker);
      const version = pin?.[1] ?? constraints.get(norm(r.name));
      if (!version) {
        unresolved.push({
          ecosystem: 'PyPI',
          name: r.name,
          spec: noMarker,
          manifest: r.manifest,
          line: r.line,
          reason: noMarker ? 'a range, not a pin' : 'no version given',
        });
        continue;
      }
      packages.push({
        ecosystem: 'PyPI',
        name: r.name,
        version,
        manifest: r.manifest,
        direct: true,
        scope: requirementsScope(r.manifest),
        dependencyPath: [`${r.name}@${version}`],
        line: r.line,
      });
      if (r.via) vias.set(packages[packages.length - 1]!, r.via);
    }
    markTransitive(packages, vias);
    return { manifest: input.path, ecosystem: 'PyPI', format: 'requirements.txt', packages, unresolved };
  },
};

// ---------------------------------------------------------------- Pipfile.lock

/** Pipenv `Pipfile.lock` (`default` = prod, `develop` = dev; direct deps from the Pipfile beside it). */
export const pipfileLockExtractor: Extractor = {
  id: 'pipfile-lock',
  ecosystem: 'PyPI',
  matches: (p) => baseName(p) === 'Pipfile.lock',
  async extract(input): Promise<ExtractResult> {
    const { path, text } = input;
    const json = parseJson(text, path, 'Pipfile.lock');
    if (!isRecord(json) || (!isRecord(json.default) && !isRecord(json.develop))) {
      return fail(path, 'Pipfile.lock needs "default" and/or "develop" objects');
    }
    const pipfile = await input.readSibling?.(joinPath(dirnameOf(path), 'Pipfile'));
    const directNames = new Set<string>();
    if (pipfile) {
      const t = tomlOf(pipfile, joinPath(dirnameOf(path), 'Pipfile'), 'Pipfile');
      for (const k of ['packages', 'dev-packages'])
        if (isRecord(t[k])) for (const n of Object.keys(t[k])) directNames.add(norm(n));
    }
    const toLine = lineIndex(text);
    const packages: ExtractedPackage[] = [];
    const unresolved: UnresolvedDependency[] = [];
    // pipenv repeats a package needed by both sections in each: one package, prod (default comes first)
    const seen = new Set<string>();
    for (const [section, scope] of [
      ['default', 'prod'],
      ['develop', 'dev'],
    ] as [string, Scope][]) {
      const deps = json[section];
      if (!isRecord(deps)) continue;
      const sectionAt = Math.max(0, text.indexOf(`"${section}": {`));
      for (const [name, entry] of Object.entries(deps)) {
        if (!isRecord(entry)) return fail(path, `"${section}.${name}" must be an object`);
        const at = text.indexOf(`"${name}": {`, sectionAt);
        const line = at >= 0 ? toLine(at) : undefined;
        const version = typeof entry.version === 'string' ? entry.version.replace(/^===?/, '') : undefined;
        if (!version) {
          unresolved.push({
            ecosystem: 'PyPI',
            name,
            spec: String(entry.git ?? entry.path ?? entry.file ?? ''),
            manifest: path,
            ...(line ? { line } : {}),
            reason: 'no pinned version (VCS, path or file source)',
          });
          continue;
        }
        if (seen.has(`${norm(name)}@${version}`)) continue;
        seen.add(`${norm(name)}@${version}`);
        packages.push({
          ecosystem: 'PyPI',
          name,
          version,
          manifest: path,
          direct: pipfile ? directNames.has(norm(name)) : false,
          scope,
          ...(line ? { line } : {}),
        });
      }
    }
    return { manifest: path, ecosystem: 'PyPI', format: 'Pipfile.lock', packages, unresolved };
  },
};

// ---------------------------------------------------------------- poetry.lock / uv.lock / pdm.lock

interface TomlPkg {
  name: string;
  version: string;
  deps: string[];
  line?: number;
  source?: ExtractedPackage['source'];
  flagScope?: Scope;
}

function tomlSource(src: unknown): ExtractedPackage['source'] | undefined {
  if (!isRecord(src)) return undefined;
  const t = src.type ?? Object.keys(src)[0];
  if (t === 'git') return 'git';
  if (t === 'directory' || t === 'path' || t === 'file' || t === 'editable' || t === 'virtual') return 'file';
  if (t === 'url') return 'tarball';
  return undefined;
}

/** Names a PEP 508 requirement string refers to (`requests[socks]>=2; python_version<"3"` -> requests). */
function reqName(s: string): string | undefined {
  return /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(s)?.[1];
}

/** `[[package]]` header lines in order, to give each package its line. */
function packageLines(text: string): number[] {
  const lines: number[] = [];
  const toLine = lineIndex(text);
  const re = /^\[\[package\]\]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) lines.push(toLine(m.index));
  return lines;
}

function pyprojectDirect(
  pyproject: Record<string, unknown> | undefined,
): { prod: Set<string>; dev: Set<string> } | undefined {
  if (!pyproject) return undefined;
  const prod = new Set<string>();
  const dev = new Set<string>();
  const project = isRecord(pyproject.project) ? pyproject.project : undefined;
  if (Array.isArray(project?.dependencies))
    for (const d of project.dependencies)
      if (typeof d === 'string' && reqName(d)) prod.add(norm(reqName(d)!));
  const groups = isRecord(pyproject['dependency-groups']) ? pyproject['dependency-groups'] : {};
  for (const list of Object.values(groups))
    if (Array.isArray(list))
      for (const d of list) if (typeof d === 'string' && reqName(d)) dev.add(norm(reqName(d)!));
  const tool = isRecord(pyproject.tool) ? pyproject.tool : {};
  const poetry = isRecord(tool.poetry) ? tool.poetry : {};
  if (isRecord(poetry.dependencies))
    for (const n of Object.keys(poetry.dependencies)) if (n !== 'python') prod.add(norm(n));
  if (isRecord(poetry['dev-dependencies']))
    for (const n of Object.keys(poetry['dev-dependencies'])) dev.add(norm(n));
  if (isRecord(poetry.group)) {
    for (const [g, v] of Object.entries(poetry.group)) {
      if (isRecord(v) && isRecord(v.dependencies))
        for (const n of Object.keys(v.dependencies)) (g === 'main' ? prod : dev).add(norm(n));
    }
  }
  const pdm = isRecord(tool.pdm) ? tool.pdm : {};
  const pdmDev = isRecord(pdm['dev-dependencies']) ? pdm['dev-dependencies'] : {};
  for (const list of Object.values(pdmDev))
    if (Array.isArray(list))
      for (const d of list) if (typeof d === 'string' && reqName(d)) dev.add(norm(reqName(d)!));
  return { prod, dev };
}

function tomlGraph(
  path: string,
  format: string,
  pkgs: TomlPkg[],
  direct: { prod: Set<string>; dev: Set<string> } | undefined,
  extraRoots: RootDep[] = [],
): ExtractResult {
  const byName = new Map<string, number>();
  pkgs.forEach((p, i) => {
    if (!byName.has(norm(p.name))) byName.set(norm(p.name), i);
  });
  const edges: [number, number][] = [];
  pkgs.forEach((p, i) => {
    for (const d of p.deps) {
      const to = byName.get(norm(d));
      if (to !== undefined) edges.push([i, to]);
    }
  });
  const roots: RootDep[] = [...extraRoots];
  if (direct) {
    for (const n of direct.prod) if (byName.has(n)) roots.push({ node: byName.get(n)!, scope: 'prod' });
    for (const n of direct.dev) if (byName.has(n)) roots.push({ node: byName.get(n)!, scope: 'dev' });
  }
  const nodes: GraphNode[] = pkgs.map((p) => ({
    name: p.name,
    version: p.version,
    ...(p.line ? { line: p.line } : {}),
    ...(p.source ? { source: p.source } : {}),
    ...(p.flagScope ? { flagScope: p.flagScope } : {}),
  }));
  const { packages, edges: e } = resolveGraph('PyPI', path, nodes, edges, roots);
  return { manifest: path, ecosystem: 'PyPI', format, packages, edges: e };
}

async function readPyproject(input: ExtractInput): Promise<Record<string, unknown> | undefined> {
  const p = joinPath(dirnameOf(input.path), 'pyproject.toml');
  const text = await input.readSibling?.(p);
  return text === undefined ? undefined : tomlOf(text, p, 'pyproject.toml');
}

function packageArray(doc: Record<string, unknown>, path: string): Record<string, unknown>[] {
  const list = doc.package ?? [];
  if (!Array.isArray(list) || !list.every(isRecord))
    return fail(path, '"package" must be an array of tables ([[package]])');
  return list as Record<string, unknown>[];
}

/** Poetry `poetry.lock` (1.x and 2.x); direct deps and groups from pyproject.toml when beside it. */
export const poetryLockExtractor: Extractor = {
  id: 'poetry-lock',
  ecosystem: 'PyPI',
  matches: (p) => baseName(p) === 'poetry.lock',
  async extract(input) {
    const doc = tomlOf(input.text, input.path, 'poetry.lock');
    const lines = packageLines(input.text);
    const pkgs = packageArray(doc, input.path).map((p, i): TomlPkg => {
      if (typeof p.name !== 'string' || typeof p.version !== 'string')
        fail(input.path, `package #${i + 1} needs string "name" and "version"`, lines[i]);
      const source = tomlSource(p.source);
      return {
        name: p.name as string,
        version: p.version as string,
        deps: isRecord(p.dependencies) ? Object.keys(p.dependencies) : [],
        ...(lines[i] ? { line: lines[i] } : {}),
        ...(source ? { source } : {}),
        // Poetry 1.x writes `category`, Poetry 2.x `groups`
        ...(p.category === 'dev'
          ? { flagScope: 'dev' as Scope }
          : p.category === 'main' || (Array.isArray(p.groups) && p.groups.includes('main'))
            ? { flagScope: 'prod' as Scope }
            : Array.isArray(p.groups) && p.groups.length
              ? { flagScope: 'dev' as Scope }
              : {}),
      };
    });
    return tomlGraph(input.path, 'poetry.lock', pkgs, pyprojectDirect(await readPyproject(input)));
  },
};

/** uv `uv.lock`: the project's own (editable/virtual) package gives the direct and dev deps. */
export const uvLockExtractor: Extractor = {
  id: 'uv-lock',
  ecosystem: 'PyPI',
  matches: (p) => baseName(p) === 'uv.lock',
  extract(input) {
    const doc = tomlOf(input.text, input.path, 'uv.lock');
    const lines = packageLines(input.text);
    const all = packageArray(doc, input.path);
    // the project and its workspace members (`[manifest] members`); an editable path dependency
    // outside the workspace is a dependency like any other (a local, non-registry one)
    const members = new Set(
      isRecord(doc.manifest) && Array.isArray(doc.manifest.members) ? doc.manifest.members.map(String) : [],
    );
    const projects = all.filter(
      (p) =>
        isRecord(p.source) &&
        (p.source.virtual !== undefined ||
          p.source.editable === '.' ||
          (p.source.editable !== undefined && members.has(String(p.name)))),
    );
    const depNames = (v: unknown) => (Array.isArray(v) ? v.filter(isRecord).map((d) => String(d.name)) : []);
    const pkgs: TomlPkg[] = [];
    all.forEach((p, i) => {
      if (projects.includes(p)) return;
      if (typeof p.name !== 'string' || typeof p.version !== 'string') return;
      const source = tomlSource(p.source);
      pkgs.push({
        name: p.name,
        version: p.version,
        deps: [
          ...depNames(p.dependencies),
          ...(isRecord(p['optional-dependencies'])
            ? Object.values(p['optional-dependencies']).flatMap(depNames)
            : []),
        ],
        ...(lines[i] ? { line: lines[i] } : {}),
        ...(source ? { source } : {}),
      });
    });
    const direct = { prod: new Set<string>(), dev: new Set<string>() };
    for (const p of projects) {
      for (const n of depNames(p.dependencies)) direct.prod.add(norm(n));
      if (isRecord(p['optional-dependencies']))
        for (const n of Object.values(p['optional-dependencies']).flatMap(depNames)) direct.prod.add(norm(n));
      const dev = p['dev-dependencies'] ?? p['dependency-groups'];
      if (isRecord(dev)) for (const n of Object.values(dev).flatMap(depNames)) direct.dev.add(norm(n));
    }
    return tomlGraph(
      input.path,
      `uv.lock v${String(doc.version ?? '?')}`,
      pkgs,
      projects.length ? direct : undefined,
    );
  },
};

/** PDM `pdm.lock`: `groups` gives the scope, pyproject.toml the direct deps. */
export const pdmLockExtractor: Extractor = {
  id: 'pdm-lock',
  ecosystem: 'PyPI',
  matches: (p) => baseName(p) === 'pdm.lock',
  async extract(input) {
    const doc = tomlOf(input.text, input.path, 'pdm.lock');
    const lines = packageLines(input.text);
    const pkgs = packageArray(doc, input.path)
      .map((p, i): TomlPkg | undefined => {
        if (typeof p.name !== 'string' || typeof p.version !== 'string') return undefined;
        const groups = Array.isArray(p.groups) ? p.groups.map(String) : [];
        return {
          name: p.name,
          version: p.version,
          deps: Array.isArray(p.dependencies)
            ? p.dependencies.map((d) => reqName(String(d))).filter((d): d is string => !!d)
            : [],
          ...(lines[i] ? { line: lines[i] } : {}),
          ...(groups.length ? { flagScope: (groups.includes('default') ? 'prod' : 'dev') as Scope } : {}),
        };
      })
      .filter((p): p is TomlPkg => p !== undefined);
    // PDM writes a second [[package]] with `extras = [...]` for each extra in use (same name and
    // version, depending on the base): one package, so fold its deps into the first entry
    const seen = new Map<string, TomlPkg>();
    const unique = pkgs.filter((p) => {
      const key = `${norm(p.name)}@${p.version}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, p);
        return true;
      }
      for (const d of p.deps) if (norm(d) !== norm(p.name) && !first.deps.includes(d)) first.deps.push(d);
      return false;
    });
    return tomlGraph(input.path, 'pdm.lock', unique, pyprojectDirect(await readPyproject(input)));
  },
};
