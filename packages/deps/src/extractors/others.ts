import { XMLParser } from 'fast-xml-parser';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { type GraphNode, lineIndex, type RootDep, resolveGraph } from '../graph.js';
import type {
  Ecosystem,
  ExtractedPackage,
  Extractor,
  ExtractResult,
  Scope,
  UnresolvedDependency,
} from '../types.js';
import { baseName, fail, isRecord, parseJson } from '../util.js';

function lineNumbers(text: string): (needle: string) => number | undefined {
  const toLine = lineIndex(text);
  return (needle) => {
    const at = text.indexOf(needle);
    return at < 0 ? undefined : toLine(at);
  };
}

function flat(
  ecosystem: Ecosystem,
  manifest: string,
  format: string,
  packages: ExtractedPackage[],
  extra: Partial<ExtractResult> = {},
): ExtractResult {
  return { manifest, ecosystem, format, packages, ...extra };
}

function pkg(
  ecosystem: Ecosystem,
  manifest: string,
  name: string,
  version: string,
  direct: boolean,
  scope: Scope,
  line?: number,
  source?: ExtractedPackage['source'],
): ExtractedPackage {
  return {
    ecosystem,
    name,
    version,
    manifest,
    direct,
    scope,
    ...(direct ? { dependencyPath: [`${name}@${version}`] } : {}),
    ...(line ? { line } : {}),
    ...(source ? { source } : {}),
  };
}

// ---------------------------------------------------------------- Go go.mod

/**
 * Go `go.mod`: `require` (direct unless `// indirect`), `replace` (the replacement is what gets
 * built: a local path is not a registry package), `exclude` (excluded versions are dropped), and
 * the Go toolchain itself as package `stdlib` (from `toolchain`, else the `go` directive), which is
 * how OSV files standard-library advisories.
 */
export const goModExtractor: Extractor = {
  id: 'go-mod',
  ecosystem: 'Go',
  matches: (p) => baseName(p) === 'go.mod',
  extract({ path, text }) {
    const lines = text.split(/\r?\n/);
    const requires: { mod: string; version: string; indirect: boolean; line: number }[] = [];
    const replaces: { from: string; fromVersion?: string; to: string; toVersion?: string }[] = [];
    const excludes = new Set<string>();
    let goVersion: string | undefined;
    let toolchain: string | undefined;
    let block: string | undefined;
    lines.forEach((raw, i) => {
      const comment = raw.indexOf('//');
      const indirect = comment >= 0 && /\/\/\s*indirect\b/.test(raw.slice(comment));
      const l = (comment >= 0 ? raw.slice(0, comment) : raw).trim();
      if (!l) return;
      if (block) {
        if (l === ')') {
          block = undefined;
          return;
        }
        handle(block, l, indirect, i + 1);
        return;
      }
      const m = /^(\w+)\s*(\(?)\s*(.*)$/.exec(l);
      if (!m) return;
      if (m[2] === '(') {
        block = m[1];
        return;
      }
      handle(m[1]!, m[3]!, indirect, i + 1);
    });
    function handle(verb: string, rest: string, indirect: boolean, line: number) {
      const f = rest.split(/\s+/).filter(Boolean);
      if (verb === 'go' && f[0]) goVersion = f[0];
      else if (verb === 'toolchain' && f[0]) toolchain = f[0];
      else if (verb === 'require' && f.length >= 2)
        requires.push({ mod: f[0]!, version: f[1]!, indirect, line });
      else if (verb === 'exclude' && f.length >= 2) excludes.add(`${f[0]}@${f[1]}`);
      else if (verb === 'replace') {
        const arrow = f.indexOf('=>');
        if (arrow < 1) fail(path, `replace directive without "=>"`, line);
        replaces.push({
          from: f[0]!,
          ...(arrow === 2 ? { fromVersion: f[1]! } : {}),
          to: f[arrow + 1]!,
          ...(f[arrow + 2] ? { toVersion: f[arrow + 2]! } : {}),
        });
      }
    }
    if (!goVersion && !requires.length && !text.includes('module'))
      fail(path, 'not a go.mod file (no module, go or require directive)');
    const packages: ExtractedPackage[] = [];
    for (const r of requires) {
      if (excludes.has(`${r.mod}@${r.version}`)) continue;
      // a version-specific replace wins over a module-wide one
      const rep =
        replaces.find((x) => x.from === r.mod && x.fromVersion === r.version) ??
        replaces.find((x) => x.from === r.mod && !x.fromVersion);
      if (rep && !rep.toVersion) {
        packages.push(pkg('Go', path, r.mod, r.version, !r.indirect, 'prod', r.line, 'file'));
      } else if (rep) {
        packages.push(pkg('Go', path, rep.to, rep.toVersion!, !r.indirect, 'prod', r.line));
      } else {
        packages.push(pkg('Go', path, r.mod, r.version, !r.indirect, 'prod', r.line));
      }
    }
    // `go 1.21` / `toolchain go1.21` name release 1.21.0; OSV's stdlib ranges use full versions
    const raw = toolchain?.replace(/^go/, '') ?? goVersion;
    const tc = raw && /^\d+\.\d+$/.test(raw) ? `${raw}.0` : raw;
    if (tc) packages.push(pkg('Go', path, 'stdlib', tc, true, 'prod'));
    return flat('Go', path, 'go.mod', packages);
  },
};

// ---------------------------------------------------------------- Cargo.lock

/** Rust `Cargo.lock` (v1-v4). Crates without a `source` are the workspace's own. */
export const cargoLockExtractor: Extractor = {
  id: 'cargo-lock',
  ecosystem: 'crates.io',
  matches: (p) => baseName(p) === 'Cargo.lock',
  extract({ path, text }) {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch (e) {
      return fail(
        path,
        `cannot read Cargo.lock: invalid TOML (${String((e as Error).message).split('\n')[0]})`,
        (e as { line?: number }).line,
      );
    }
    const list = doc.package ?? [];
    if (!Array.isArray(list)) return fail(path, '"package" must be an array of tables');
    const toLine = lineIndex(text);
    const headers: number[] = [];
    // one regex object for the whole scan: a fresh one per exec restarts at 0 and repeats the first header
    const re = /^\[\[package\]\]/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) headers.push(toLine(m.index));
    const nodes: GraphNode[] = [];
    const key = new Map<string, number>();
    const local: number[] = [];
    const deps: string[][] = [];
    list.forEach((p, i) => {
      if (!isRecord(p) || typeof p.name !== 'string' || typeof p.version !== 'string') return;
      const src = typeof p.source === 'string' ? p.source : undefined;
      const node: GraphNode = {
        name: p.name,
        version: p.version,
        ...(headers[i] ? { line: headers[i] } : {}),
      };
      if (!src) node.source = 'file';
      else if (src.startsWith('git+')) node.source = 'git';
      if (!src) local.push(nodes.length);
      key.set(`${p.name} ${p.version}`, nodes.length);
      if (!key.has(p.name)) key.set(p.name, nodes.length);
      deps.push(Array.isArray(p.dependencies) ? p.dependencies.map(String) : []);
      nodes.push(node);
    });
    const edges: [number, number][] = [];
    deps.forEach((ds, i) => {
      for (const d of ds) {
        const [n, v] = d.split(' ');
        const to = key.get(v ? `${n} ${v}` : n!);
        if (to !== undefined) edges.push([i, to]);
      }
    });
    // the workspace's own crates are not dependencies; what they depend on is direct
    const roots: RootDep[] = [];
    for (const [a, b] of edges)
      if (local.includes(a) && !local.includes(b)) roots.push({ node: b, scope: 'prod' });
    const { packages, edges: e } = resolveGraph('crates.io', path, nodes, edges, roots);
    return {
      manifest: path,
      ecosystem: 'crates.io',
      format: `Cargo.lock v${String(doc.version ?? 1)}`,
      packages: packages.filter((p) => p.source !== 'file'),
      edges: e,
    };
  },
};

// ---------------------------------------------------------------- Gemfile.lock

/** Bundler `Gemfile.lock`: GEM/GIT/PATH specs with their dependencies, DEPENDENCIES = direct. */
export const gemfileLockExtractor: Extractor = {
  id: 'gemfile-lock',
  ecosystem: 'RubyGems',
  matches: (p) => baseName(p) === 'Gemfile.lock' || baseName(p) === 'gems.locked',
  extract({ path, text }) {
    const lines = text.split(/\r?\n/);
    const nodes: GraphNode[] = [];
    const byName = new Map<string, number>();
    const depsOf: string[][] = [];
    const direct: string[] = [];
    let section = '';
    let inSpecs = false;
    let current = -1;
    lines.forEach((l, i) => {
      if (/^[A-Z]/.test(l)) {
        section = l.trim();
        inSpecs = false;
        return;
      }
      if (section === 'DEPENDENCIES') {
        const m = /^ {2}([^\s!(]+)/.exec(l);
        if (m) direct.push(m[1]!);
        return;
      }
      if (!['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE'].includes(section)) return;
      if (/^ {2}specs:/.test(l)) {
        inSpecs = true;
        return;
      }
      if (!inSpecs) return;
      const spec = /^ {4}(\S+) \(([^)]+)\)$/.exec(l);
      if (spec) {
        // platform gems: `nokogiri (1.16.0-x86_64-linux)` is version 1.16.0
        const version = spec[2]!.replace(
          /-(x86|x64|arm|aarch|universal|java|mingw|mswin|darwin|linux|musl).*$/,
          '',
        );
        // platform variants of one gem version are one package
        const same = nodes.findIndex((n) => n.name === spec[1] && n.version === version);
        if (same >= 0) {
          current = same;
          return;
        }
        const node: GraphNode = { name: spec[1]!, version, line: i + 1 };
        if (section === 'GIT') node.source = 'git';
        if (section === 'PATH') node.source = 'file';
        current = nodes.length;
        if (!byName.has(spec[1]!)) byName.set(spec[1]!, current);
        nodes.push(node);
        depsOf.push([]);
        return;
      }
      const dep = /^ {6}(\S+)/.exec(l);
      if (dep && current >= 0) depsOf[current]!.push(dep[1]!);
    });
    if (!nodes.length && !/^GEM$/m.test(text)) fail(path, 'not a Gemfile.lock (no GEM section with specs)');
    const edges: [number, number][] = [];
    depsOf.forEach((ds, i) => {
      for (const d of ds) {
        const to = byName.get(d);
        if (to !== undefined) edges.push([i, to]);
      }
    });
    const roots: RootDep[] = direct
      .filter((d) => byName.has(d))
      .map((d) => ({ node: byName.get(d)!, scope: 'prod' }));
    const { packages, edges: e } = resolveGraph('RubyGems', path, nodes, edges, roots);
    return { manifest: path, ecosystem: 'RubyGems', format: 'Gemfile.lock', packages, edges: e };
  },
};

// ---------------------------------------------------------------- composer.lock

/** Composer `composer.lock`: `packages` (prod) and `packages-dev` (dev); direct from composer.json. */
export const composerLockExtractor: Extractor = {
  id: 'composer-lock',
  ecosystem: 'Packagist',
  matches: (p) => baseName(p) === 'composer.lock',
  async extract(input) {
    const { path, text } = input;
    const json = parseJson(text, path, 'composer.lock');
    if (!isRecord(json) || !Array.isArray(json.packages))
      return fail(path, 'composer.lock needs a "packages" array');
    const manifestText = await input.readSibling?.(path.replace(/composer\.lock$/, 'composer.json'));
    let direct: Set<string> | undefined;
    if (manifestText) {
      const m = parseJson(manifestText, path.replace(/composer\.lock$/, 'composer.json'), 'composer.json');
      if (isRecord(m))
        direct = new Set(
          [
            ...Object.keys(isRecord(m.require) ? m.require : {}),
            ...Object.keys(isRecord(m['require-dev']) ? m['require-dev'] : {}),
          ].map((n) => n.toLowerCase()),
        );
    }
    const line = lineNumbers(text);
    const packages: ExtractedPackage[] = [];
    for (const [key, scope] of [
      ['packages', 'prod'],
      ['packages-dev', 'dev'],
    ] as [string, Scope][]) {
      const list = json[key];
      if (list === undefined) continue;
      if (!Array.isArray(list)) return fail(path, `"${key}" must be an array`);
      for (const p of list) {
        if (!isRecord(p) || typeof p.name !== 'string') return fail(path, `"${key}" entries need a "name"`);
        const version =
          typeof p.version === 'string' ? p.version.replace(/^v(?=\d)/, '') : String(p.version ?? '');
        const dist = isRecord(p.dist) ? p.dist : undefined;
        const source = dist?.type === 'path' ? 'file' : version.startsWith('dev-') ? 'git' : undefined;
        packages.push(
          pkg(
            'Packagist',
            path,
            p.name,
            version,
            direct?.has(p.name.toLowerCase()) ?? false,
            scope,
            line(`"name": "${p.name}"`),
            source,
          ),
        );
      }
    }
    return flat('Packagist', path, 'composer.lock', packages);
  },
};

// ---------------------------------------------------------------- gradle.lockfile

/** Gradle dependency locking `gradle.lockfile`: `group:artifact:version=configurations`. */
export const gradleLockfileExtractor: Extractor = {
  id: 'gradle-lockfile',
  ecosystem: 'Maven',
  matches: (p) => baseName(p) === 'gradle.lockfile' || /\/gradle\/dependency-locks\/.*\.lockfile$/.test(p),
  extract({ path, text }) {
    const packages: ExtractedPackage[] = [];
    text.split(/\r?\n/).forEach((l, i) => {
      const t = l.trim();
      if (!t || t.startsWith('#') || t.startsWith('empty=')) return;
      const m = /^([^:\s]+):([^:\s]+):([^=\s]+)(?:=(.*))?$/.exec(t);
      if (!m) fail(path, `expected group:artifact:version=configurations, got "${t.slice(0, 80)}"`, i + 1);
      const confs = (m![4] ?? '').split(',');
      // prod = on a main compile/runtime classpath (`runtimeClasspath`, Android's `releaseRuntimeClasspath`,
      // Kotlin's `implementationDependenciesMetadata`); test classpaths and build tooling (`ktlint`,
      // `jacocoAnt`, `kotlinCompilerClasspath`, `annotationProcessor`) do not ship with the application
      const prod = confs.some(
        (c) =>
          !/test/i.test(c) &&
          (/(?:^|[a-z])(?:[Cc]ompileClasspath|[Rr]untimeClasspath|[Ii]mplementationDependenciesMetadata|[Aa]piDependenciesMetadata)$/.test(
            c,
          ) ||
            /^(default|implementation|api|compile|runtime)$/.test(c)),
      );
      packages.push(pkg('Maven', path, `${m![1]}:${m![2]}`, m![3]!, false, prod ? 'prod' : 'dev', i + 1));
    });
    return flat('Maven', path, 'gradle.lockfile', packages);
  },
};

// ---------------------------------------------------------------- pom.xml

/**
 * Maven `pom.xml`: declared dependencies with `${property}` interpolation (project properties,
 * `project.version`, dependencyManagement versions). Transitive dependencies are not resolved:
 * that needs the Maven resolver and the network; the result carries a note saying so.
 */
export const pomXmlExtractor: Extractor = {
  id: 'pom-xml',
  ecosystem: 'Maven',
  matches: (p) => baseName(p) === 'pom.xml',
  extract({ path, text }) {
    const parser = new XMLParser({
      ignoreAttributes: true,
      parseTagValue: false,
      trimValues: true,
      isArray: (name) => name === 'dependency',
    });
    let doc: Record<string, unknown>;
    try {
      doc = parser.parse(text, true) as Record<string, unknown>;
    } catch (e) {
      const line =
        (e as { line?: number }).line ??
        (/Line: (\d+)/.exec(String((e as Error).message))?.[1]
          ? Number(/Line: (\d+)/.exec(String((e as Error).message))![1])
          : undefined);
      return fail(
        path,
        `cannot read pom.xml: invalid XML (${String((e as Error).message).split('\n')[0]})`,
        line,
      );
    }
    const project = doc.project;
    if (!isRecord(project)) return fail(path, 'not a Maven POM (no <project> element)');
    const props: Record<string, string> = {};
    if (isRecord(project.properties))
      for (const [k, v] of Object.entries(project.properties)) props[k] = String(v);
    const parent = isRecord(project.parent) ? project.parent : {};
    const projVersion = String(project.version ?? parent.version ?? '');
    props['project.version'] = projVersion;
    props['pom.version'] = projVersion;
    props.version = projVersion;
    props['project.groupId'] = String(project.groupId ?? parent.groupId ?? '');
    props['project.parent.version'] = String(parent.version ?? '');
    const interpolate = (s: string, depth = 0): string =>
      depth > 10
        ? s
        : s.replace(/\$\{([^}]+)\}/g, (all, k: string) =>
            props[k] !== undefined ? interpolate(props[k]!, depth + 1) : all,
          );
    const depsOf = (node: unknown): Record<string, unknown>[] => {
      if (!isRecord(node) || !isRecord(node.dependencies)) return [];
      const d = node.dependencies.dependency;
      return Array.isArray(d) ? d.filter(isRecord) : [];
    };
    const managed = new Map<string, string>();
    for (const d of depsOf(project.dependencyManagement))
      if (d.version !== undefined)
        managed.set(
          `${interpolate(String(d.groupId))}:${interpolate(String(d.artifactId))}`,
          interpolate(String(d.version)),
        );
    const line = lineNumbers(text);
    const packages: ExtractedPackage[] = [];
    const unresolved: UnresolvedDependency[] = [];
    for (const d of depsOf(project)) {
      const name = `${interpolate(String(d.groupId ?? ''))}:${interpolate(String(d.artifactId ?? ''))}`;
      const raw = d.version !== undefined ? interpolate(String(d.version)) : managed.get(name);
      const at = line(`<artifactId>${String(d.artifactId)}</artifactId>`);
      const scope: Scope = d.scope === 'test' ? 'dev' : d.optional === 'true' ? 'optional' : 'prod';
      // a version range or an unresolved property is not one version
      if (!raw || raw.includes('${') || /^[[(]/.test(raw)) {
        unresolved.push({
          ecosystem: 'Maven',
          name,
          spec: raw ?? '',
          manifest: path,
          ...(at ? { line: at } : {}),
          reason: raw ? 'a version range or an undefined property' : 'no version (managed by a parent POM?)',
        });
        continue;
      }
      packages.push(pkg('Maven', path, name, raw, true, scope, at));
    }
    return flat('Maven', path, 'pom.xml', packages, {
      unresolved,
      notes: [
        'transitive Maven dependencies are not resolved (declared dependencies only); commit a gradle.lockfile or scan a resolved SBOM for the full tree',
      ],
    });
  },
};

// ---------------------------------------------------------------- packages.lock.json

/** NuGet `packages.lock.json`: per target framework, Direct / Transitive / CentralTransitive packages. */
export const nugetLockExtractor: Extractor = {
  id: 'nuget-lock',
  ecosystem: 'NuGet',
  matches: (p) => baseName(p) === 'packages.lock.json',
  extract({ path, text }) {
    const json = parseJson(text, path, 'packages.lock.json');
    if (!isRecord(json) || !isRecord(json.dependencies))
      return fail(path, 'packages.lock.json needs a "dependencies" object');
    if (json.version !== 1 && json.version !== 2)
      return fail(
        path,
        `unsupported packages.lock.json version ${JSON.stringify(json.version)} (expected 1 or 2)`,
      );
    const nodes: GraphNode[] = [];
    const key = new Map<string, number>();
    const roots: RootDep[] = [];
    const deps: [number, string[]][] = [];
    const line = lineNumbers(text);
    for (const fw of Object.values(json.dependencies)) {
      if (!isRecord(fw)) continue;
      for (const [name, e] of Object.entries(fw)) {
        if (!isRecord(e) || e.type === 'Project' || typeof e.resolved !== 'string') continue;
        const k = `${name.toLowerCase()}@${e.resolved}`;
        let i = key.get(k);
        if (i === undefined) {
          i = nodes.length;
          key.set(k, i);
          key.set(name.toLowerCase(), i);
          nodes.push({
            name,
            version: e.resolved,
            ...(line(`"${name}": {`) ? { line: line(`"${name}": {`)! } : {}),
          });
          deps.push([i, isRecord(e.dependencies) ? Object.keys(e.dependencies) : []]);
        }
        if (e.type === 'Direct') roots.push({ node: i, scope: 'prod' });
      }
    }
    const edges: [number, number][] = [];
    for (const [i, ds] of deps)
      for (const d of ds) if (key.has(d.toLowerCase())) edges.push([i, key.get(d.toLowerCase())!]);
    const { packages, edges: e } = resolveGraph('NuGet', path, nodes, edges, roots);
    return {
      manifest: path,
      ecosystem: 'NuGet',
      format: `packages.lock.json v${json.version}`,
      packages,
      edges: e,
    };
  },
};

// ---------------------------------------------------------------- pubspec.lock

/** Dart/Flutter `pubspec.lock`: `dependency: direct main | direct dev | transitive`, hosted/git/path/sdk. */
export const pubspecLockExtractor: Extractor = {
  id: 'pubspec-lock',
  ecosystem: 'Pub',
  matches: (p) => baseName(p) === 'pubspec.lock',
  extract({ path, text }) {
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      return fail(
        path,
        `cannot read pubspec.lock: invalid YAML (${String((e as Error).message).split('\n')[0]})`,
      );
    }
    if (!isRecord(doc) || !isRecord(doc.packages))
      return fail(path, 'pubspec.lock needs a "packages" mapping');
    const line = lineNumbers(text);
    const packages: ExtractedPackage[] = [];
    for (const [name, e] of Object.entries(doc.packages)) {
      if (!isRecord(e) || typeof e.version !== 'string')
        return fail(path, `package "${name}" needs a "version"`, line(`  ${name}:`));
      const dep = String(e.dependency ?? '');
      const source =
        e.source === 'git' ? 'git' : e.source === 'path' ? 'file' : e.source === 'sdk' ? 'other' : undefined;
      packages.push(
        pkg(
          'Pub',
          path,
          name,
          e.version,
          dep.startsWith('direct'),
          dep === 'direct dev' ? 'dev' : 'prod',
          line(`\n  ${name}:`) ? line(`\n  ${name}:`)! + 1 : undefined,
          source,
        ),
      );
    }
    return flat('Pub', path, 'pubspec.lock', packages);
  },
};

// ---------------------------------------------------------------- mix.lock

/** Elixir `mix.lock`: `"name": {:hex, :name, "version", ...}` entries; git deps are not Hex packages. */
export const mixLockExtractor: Extractor = {
  id: 'mix-lock',
  ecosystem: 'Hex',
  matches: (p) => baseName(p) === 'mix.lock',
  extract({ path, text }) {
    if (!text.trim().startsWith('%{')) fail(path, 'not a mix.lock (expected a %{...} map)');
    const packages: ExtractedPackage[] = [];
    text.split(/\r?\n/).forEach((l, i) => {
      const hex = /^\s*"([^"]+)":\s*\{:hex,\s*:"?([\w-]+)"?,\s*"([^"]+)"/.exec(l);
      if (hex) {
        packages.push(pkg('Hex', path, hex[2]!, hex[3]!, false, 'prod', i + 1));
        return;
      }
      const git = /^\s*"([^"]+)":\s*\{:git,\s*"([^"]+)",\s*"([^"]+)"/.exec(l);
      if (git) packages.push(pkg('Hex', path, git[1]!, git[3]!, false, 'prod', i + 1, 'git'));
    });
    return flat('Hex', path, 'mix.lock', packages);
  },
};
