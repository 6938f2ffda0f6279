import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Confidence,
  codeFingerprint,
  type Finding,
  type Identifier,
  InputError,
  isSeverity,
  mergeReports,
  normalisePath,
  parseJson,
  type Report,
  type ReportError,
  ReportSchema,
  type ReportStatus,
  SCHEMA_VERSION,
  type Severity,
  STAGE_IDS,
  type StageId,
  severityFromSarifLevel,
  severityFromSecuritySeverity,
} from '@devsecflow/core';
import { SARIF_FINGERPRINT_KEY, SARIF_PROPERTY_KEY } from './sarif-writer.js';
import { cweIdentifier, truncate } from './util.js';

export interface SarifReadOptions {
  /** The file the SARIF came from, named in every error. */
  file: string;
  /** Stage the findings belong to; defaults to what the run says, else `secrets` for known secret scanners, else `sast`. */
  stage?: StageId;
  /** Target root: absolute `file://` URIs under it become relative paths. Defaults to the current directory. */
  root?: string;
  /** Clock for reports whose SARIF has no invocation times (tests pin it). */
  now?: () => Date;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const asInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;

/** Scanners whose results are secrets: their snippets are redacted on import. */
const SECRET_TOOLS = /gitleaks|trufflehog|detect-secrets|secretlint|ggshield|talisman|whispers/i;
const REDACTED = '[REDACTED]';

/**
 * Parses SARIF text (or takes an already parsed value) and checks it is a SARIF 2.1.0 log.
 * Throws InputError naming the file and, for JSON syntax errors, the line and column.
 */
function checkLog(json: unknown, file: string): Obj {
  const value = typeof json === 'string' ? parseJson(json, file) : json;
  if (!isObj(value)) {
    throw new InputError(
      'not a SARIF log (expected a JSON object with "version": "2.1.0" and a "runs" array)',
      {
        file,
      },
    );
  }
  if (value.version !== undefined && value.version !== '2.1.0') {
    throw new InputError(
      `unsupported SARIF version ${JSON.stringify(value.version)} (expected "2.1.0"; convert older logs with the SARIF multitool)`,
      { file },
    );
  }
  if (!Array.isArray(value.runs)) {
    throw new InputError(
      'not a SARIF log: no "runs" array (expected a JSON object with "version": "2.1.0" and "runs")',
      {
        file,
      },
    );
  }
  return value;
}

interface RuleInfo {
  rule: Obj;
}

/** Rules of the driver and of every extension (CodeQL puts its query rules in `tool.extensions`). */
class RuleTable {
  private readonly components: Obj[];
  private readonly byId = new Map<string, Obj>();

  constructor(tool: Obj) {
    this.components = [asObj(tool.driver), ...asArr(tool.extensions).map(asObj)];
    for (const c of this.components) {
      for (const r of asArr(c.rules)) {
        const id = isObj(r) ? asStr(r.id) : undefined;
        if (id && isObj(r) && !this.byId.has(id)) this.byId.set(id, r);
      }
    }
  }

  /** SARIF §3.52: `rule.toolComponent` picks the component, `ruleIndex` / `rule.index` the rule in it. */
  find(result: Obj): RuleInfo | undefined {
    const ref = asObj(result.rule);
    const tc = asObj(ref.toolComponent);
    let component = this.components[0]!;
    if (typeof tc.index === 'number') component = this.components[tc.index + 1] ?? component;
    else if (asStr(tc.name) || asStr(tc.guid)) {
      component =
        this.components.find((c) => (tc.name && c.name === tc.name) || (tc.guid && c.guid === tc.guid)) ??
        component;
    }
    const index = typeof ref.index === 'number' ? ref.index : result.ruleIndex;
    if (typeof index === 'number' && index >= 0) {
      const r = asArr(component.rules)[index];
      if (isObj(r)) return { rule: r };
    }
    const id = asStr(result.ruleId) ?? asStr(ref.id);
    if (!id) return undefined;
    const direct = this.byId.get(id);
    if (direct) return { rule: direct };
    // Hierarchical rule ids (`CA2101/sub`) fall back to their parent rule.
    const parts = id.split('/');
    while (parts.length > 1) {
      parts.pop();
      const parent = this.byId.get(parts.join('/'));
      if (parent) return { rule: parent };
    }
    return undefined;
  }

  globalMessage(id: string): string | undefined {
    const g = asObj(asObj(this.components[0]!.globalMessageStrings)[id]);
    return asStr(g.text) ?? asStr(g.markdown);
  }
}

/** SARIF §3.11.5: `{0}` placeholders take the arguments; `{{` and `}}` are literal braces. */
export function formatSarifMessage(template: string, args: readonly unknown[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = args[Number(n)];
    return v === undefined ? m : String(v);
  });
}

function messageOf(msg: unknown, rule: Obj | undefined, rules: RuleTable): string | undefined {
  const m = asObj(msg);
  let text = asStr(m.text) ?? asStr(m.markdown);
  const id = asStr(m.id);
  if (!text && id) {
    const ms = asObj(asObj(rule?.messageStrings)[id]);
    text = asStr(ms.text) ?? asStr(ms.markdown) ?? rules.globalMessage(id);
  }
  if (!text) return undefined;
  // Embedded links to related locations (`[here](1)`) read as their text.
  return formatSarifMessage(text, asArr(m.arguments)).replace(/\[([^\]]*)\]\(\d+\)/g, '$1');
}

function precisionToConfidence(p: unknown): Confidence {
  switch (p) {
    case 'very-high':
    case 'high':
      return 'high';
    case 'low':
      return 'low';
    default:
      return 'medium';
  }
}

/** CodeQL's `problem.severity`: error / warning / recommendation. */
function problemSeverity(v: unknown): Severity | undefined {
  if (v === 'error') return 'high';
  if (v === 'warning') return 'medium';
  if (v === 'recommendation') return 'low';
  return undefined;
}

/** Severity words some tools put in tags (Trivy: `HIGH`, `MEDIUM`...). */
function tagSeverity(tags: string[]): Severity | undefined {
  for (const t of tags) {
    if (/^(CRITICAL|HIGH|MEDIUM|LOW)$/.test(t)) return t.toLowerCase() as Severity;
  }
  return undefined;
}

function tagsOf(...bags: Obj[]): string[] {
  return bags.flatMap((b) => asArr(b.tags).filter((t): t is string => typeof t === 'string'));
}

/** CWE numbers from tags, rule relationships, result taxa and a `cwe` property. */
function cwesOf(rule: Obj | undefined, result: Obj, tags: string[]): string[] {
  const out = new Set<string>();
  const add = (s: string | undefined, bareNumber = false) => {
    const re = bareNumber ? /^(?:cwe[-_:/ ]?)?(\d+)$/i : /^(?:external\/cwe\/)?cwe[-_:/ ]?(\d+)$/i;
    const m = s ? re.exec(s.trim()) : null;
    if (m?.[1]) out.add(String(Number(m[1])));
  };
  for (const t of tags) add(t);
  // Relationships and taxa name the taxonomy in toolComponent; under CWE a bare number is a CWE id.
  for (const ref of [
    ...asArr(rule?.relationships).map((r) => asObj(asObj(r).target)),
    ...asArr(result.taxa).map(asObj),
  ]) {
    add(asStr(ref.id), /cwe/i.test(asStr(asObj(ref.toolComponent).name) ?? ''));
  }
  for (const bag of [asObj(rule?.properties), asObj(result.properties)]) {
    const cwe = bag.cwe;
    for (const c of Array.isArray(cwe) ? cwe : [cwe]) if (typeof c === 'string') add(c.split(':')[0]);
  }
  return [...out];
}

function titleOf(rule: Obj | undefined, ruleId: string): string {
  const name = asStr(rule?.name);
  const short = asStr(asObj(rule?.shortDescription).text);
  // A name with spaces is human-readable (gitleaks: "AWS Access Key"); ids like `js/xss` are not.
  const t = name?.includes(' ') ? name : (short ?? name ?? ruleId);
  return truncate(t.replace(/\s+/g, ' ').trim() || ruleId, 200);
}

interface PathContext {
  root: string;
  baseIds: Obj;
  artifacts: unknown[];
}

/** Resolves an artifact location to a path relative to the root (or absolute when outside it). */
function resolvePath(artifactLocation: Obj, ctx: PathContext): string | undefined {
  let loc = artifactLocation;
  if (!asStr(loc.uri) && typeof loc.index === 'number') {
    loc = asObj(asObj(ctx.artifacts[loc.index]).location);
  }
  let uri = asStr(loc.uri);
  if (!uri) return undefined;
  let baseId = asStr(loc.uriBaseId);
  // Follow uriBaseId chains (§3.14.14) to an absolute base when the log gives one.
  for (let depth = 0; baseId && depth < 10 && !/^[a-z][a-z0-9+.-]*:/i.test(uri); depth++) {
    const base = asObj(ctx.baseIds[baseId]);
    const baseUri = asStr(base.uri);
    if (!baseUri) break;
    uri = baseUri.endsWith('/') ? `${baseUri}${uri}` : `${baseUri}/${uri}`;
    baseId = asStr(base.uriBaseId);
  }
  // Windows absolute paths written as plain paths (`C:\\src\\a.c`): kept, with forward slashes.
  if (/^[a-z]:[\\/]/i.test(uri)) return normalisePath(uri);
  let abs: string | undefined;
  if (/^file:/i.test(uri)) {
    try {
      abs = fileURLToPath(uri);
    } catch {
      return normalisePath(safeDecode(uri.replace(/^file:\/*/i, '/')));
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    return uri;
  } else if (uri.startsWith('/')) {
    // Some tools write absolute paths where a URI belongs.
    abs = safeDecode(uri);
  }
  if (abs !== undefined) {
    const rel = relative(resolve(ctx.root), abs);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return normalisePath(rel);
    return normalisePath(abs);
  }
  return normalisePath(safeDecode(uri)) || undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isoOrUndefined(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function inferStage(run: Obj, toolName: string, opts: SarifReadOptions): StageId {
  if (opts.stage) return opts.stage;
  const auto = asStr(asObj(run.automationDetails).id);
  const m = auto ? /^devsecflow\/([^/]+)\//.exec(auto) : null;
  if (m?.[1] && (STAGE_IDS as readonly string[]).includes(m[1])) return m[1] as StageId;
  const ours = asObj(asObj(run.properties)[SARIF_PROPERTY_KEY]);
  if (typeof ours.stage === 'string' && (STAGE_IDS as readonly string[]).includes(ours.stage)) {
    return ours.stage as StageId;
  }
  return SECRET_TOOLS.test(toolName) ? 'secrets' : 'sast';
}

/** The Finding fields our writer stored, checked field by field (a foreign tool may use the same key). */
function ourFindingBag(props: Obj): Partial<Finding> | undefined {
  const bag = props[SARIF_PROPERTY_KEY];
  return isObj(bag) ? (bag as Partial<Finding>) : undefined;
}

interface RunContext {
  stage: StageId;
  secrets: boolean;
  rules: RuleTable;
  paths: PathContext;
  occurrences: Map<string, number>;
}

function convertResult(result: Obj, ctx: RunContext): Finding | undefined {
  const kind = asStr(result.kind);
  if (kind === 'pass' || kind === 'notApplicable') return undefined;
  if (result.baselineState === 'absent') return undefined;

  const rule = ctx.rules.find(result)?.rule;
  const ruleId = asStr(result.ruleId) ?? asStr(asObj(result.rule).id) ?? asStr(rule?.id) ?? 'unknown-rule';
  const ruleProps = asObj(rule?.properties);
  const props = asObj(result.properties);
  const ours = ourFindingBag(props);
  const tags = tagsOf(ruleProps, props);

  const message =
    messageOf(result.message, rule, ctx.rules) ??
    asStr(asObj(rule?.shortDescription).text) ??
    asStr(asObj(rule?.fullDescription).text) ??
    ruleId;
  const title = titleOf(rule, ruleId);

  const level = result.level ?? asObj(rule?.defaultConfiguration).level;
  const severity: Severity =
    severityFromSecuritySeverity(props['security-severity']) ??
    severityFromSecuritySeverity(ruleProps['security-severity']) ??
    problemSeverity(props['problem.severity'] ?? ruleProps['problem.severity']) ??
    tagSeverity(tags) ??
    severityFromSarifLevel(level ?? 'warning');

  const identifiers: Identifier[] = [{ type: 'rule', value: ruleId }];
  if (/^CVE-\d{4}-\d+$/i.test(ruleId)) {
    identifiers.push({
      type: 'cve',
      value: ruleId.toUpperCase(),
      url: `https://nvd.nist.gov/vuln/detail/${ruleId}`,
    });
  } else if (/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i.test(ruleId)) {
    identifiers.push({ type: 'ghsa', value: ruleId, url: `https://github.com/advisories/${ruleId}` });
  }
  for (const c of cwesOf(rule, result, tags)) identifiers.push(cweIdentifier(c));
  for (const t of tags) {
    const m = /^external\/owasp\/(.+)$/i.exec(t);
    if (m?.[1]) identifiers.push({ type: 'owasp', value: m[1].toUpperCase() });
  }

  const references = [asStr(rule?.helpUri)].filter((r): r is string => !!r);

  // Location: the first physical location (artifact index, uriBaseId and file:// URIs resolved).
  let location: Finding['location'];
  const loc0 = asObj(asArr(result.locations)[0]);
  const phys = asObj(loc0.physicalLocation);
  const path = resolvePath(asObj(phys.artifactLocation), ctx.paths);
  if (path) {
    const region = asObj(phys.region);
    const startLine = asInt(region.startLine) ?? 1;
    location = { path, startLine };
    const startColumn = asInt(region.startColumn);
    const endLine = asInt(region.endLine);
    const endColumn = asInt(region.endColumn);
    if (startColumn !== undefined) location.startColumn = startColumn;
    if (endLine !== undefined && endLine >= startLine) location.endLine = endLine;
    if (endColumn !== undefined) location.endColumn = endColumn;
    const snippet = asStr(asObj(region.snippet).text);
    if (snippet !== undefined) location.snippet = ctx.secrets ? REDACTED : snippet.trim();
  }
  const rawSnippet = asStr(asObj(asObj(phys.region).snippet).text);

  let fingerprint = asStr(asObj(result.partialFingerprints)[SARIF_FINGERPRINT_KEY]);
  if (!fingerprint || !/^[0-9a-f]{16,64}$/.test(fingerprint)) {
    const context = rawSnippet?.trim() ? rawSnippet : `${ruleId}\u0000${message}`;
    const key = `${ruleId}\u0000${path ?? ''}\u0000${context}`;
    const n = ctx.occurrences.get(key) ?? 0;
    ctx.occurrences.set(key, n + 1);
    fingerprint = codeFingerprint(ruleId, path ?? '', context, n);
  }

  let suppression: Finding['suppression'];
  const sup = asArr(result.suppressions)
    .map(asObj)
    .find((s) => s.status === undefined || s.status === 'accepted');
  if (sup) {
    suppression = {
      kind: sup.kind === 'inSource' ? 'inline' : 'config',
      reason: asStr(sup.justification) ?? 'suppressed in the SARIF log (no justification given)',
    };
  }

  const baselineState =
    result.baselineState === 'new'
      ? 'new'
      : result.baselineState === 'unchanged' || result.baselineState === 'updated'
        ? 'existing'
        : undefined;

  const fixText = asStr(asObj(asObj(asArr(result.fixes)[0]).description).text);

  const finding: Finding = {
    fingerprint,
    stage: ctx.stage,
    ruleId,
    title,
    message,
    severity,
    confidence: precisionToConfidence(ruleProps.precision ?? props.precision),
    identifiers,
    references,
  };
  if (location) finding.location = location;
  // gitleaks and similar record the commit a secret was found in; GitLab's secret report wants it.
  const commit = asStr(asObj(result.partialFingerprints).commitSha);
  if (ctx.secrets && commit && /^[0-9a-f]{7,64}$/i.test(commit)) finding.properties = { commit };
  if (fixText) finding.fix = { summary: fixText };
  if (suppression) finding.suppression = suppression;
  if (baselineState) finding.baselineState = baselineState;

  if (ours) restoreOurs(finding, ours);
  return finding;
}

/** Our own SARIF: the property bag holds the exact finding; take each field only when it has the right shape. */
function restoreOurs(f: Finding, bag: Partial<Finding>): void {
  // The bag is the whole finding: optional fields it lacks were absent, whatever SARIF implied.
  delete f.location;
  delete f.fix;
  delete f.suppression;
  delete f.baselineState;
  delete f.properties;
  if (typeof bag.title === 'string' && bag.title) f.title = bag.title;
  if (typeof bag.message === 'string') f.message = bag.message;
  if (isSeverity(bag.severity)) f.severity = bag.severity;
  if (bag.confidence === 'high' || bag.confidence === 'medium' || bag.confidence === 'low')
    f.confidence = bag.confidence;
  if (Array.isArray(bag.identifiers)) f.identifiers = bag.identifiers;
  if (Array.isArray(bag.references)) f.references = bag.references;
  if (isObj(bag.location)) f.location = bag.location as Finding['location'];
  if (isObj(bag.package)) f.package = bag.package as Finding['package'];
  if (isObj(bag.cvss)) f.cvss = bag.cvss as Finding['cvss'];
  if (isObj(bag.fix)) f.fix = bag.fix as Finding['fix'];
  if (isObj(bag.suppression)) f.suppression = bag.suppression as Finding['suppression'];
  if (bag.baselineState === 'new' || bag.baselineState === 'existing') f.baselineState = bag.baselineState;
  if (isObj(bag.tool)) f.tool = bag.tool as Finding['tool'];
  if (isObj(bag.properties)) f.properties = bag.properties as Finding['properties'];
}

function convertRun(runValue: unknown, runIndex: number, opts: SarifReadOptions): Report {
  const now = (opts.now ?? (() => new Date()))().toISOString();
  const run = asObj(runValue);
  const tool = asObj(run.tool);
  const driver = asObj(tool.driver);
  const toolName = asStr(driver.name) ?? asStr(driver.fullName) ?? 'unknown SARIF tool';
  const toolVersion = asStr(driver.version) ?? asStr(driver.semanticVersion) ?? 'unknown';
  const stage = inferStage(run, toolName, opts);
  const oursRun = asObj(asObj(run.properties)[SARIF_PROPERTY_KEY]);
  const root =
    opts.root ??
    (typeof asObj(oursRun.target).root === 'string' ? (asObj(oursRun.target).root as string) : '.');

  const errors: ReportError[] = [];
  const ctx: RunContext = {
    stage,
    secrets: stage === 'secrets' || SECRET_TOOLS.test(toolName),
    rules: new RuleTable(tool),
    paths: { root, baseIds: asObj(run.originalUriBaseIds), artifacts: asArr(run.artifacts) },
    occurrences: new Map(),
  };
  if (!isObj(runValue)) {
    errors.push({ message: `runs[${runIndex}] is not an object; skipped`, path: opts.file, kind: 'error' });
  }

  const findings: Finding[] = [];
  let skipped = 0;
  const results = run.results;
  if (results !== undefined && results !== null && !Array.isArray(results)) {
    errors.push({
      message: `runs[${runIndex}].results is not an array; skipped`,
      path: opts.file,
      kind: 'error',
    });
  }
  asArr(results).forEach((r, i) => {
    if (!isObj(r)) {
      errors.push({
        message: `runs[${runIndex}].results[${i}] is not an object; skipped`,
        path: opts.file,
        kind: 'error',
      });
      return;
    }
    const f = convertResult(r, ctx);
    if (f) findings.push(f);
    else skipped++;
  });

  // Tool execution notifications at level error mean the tool did not scan everything.
  const invocations = asArr(run.invocations).map(asObj);
  let failedInvocation = false;
  for (const inv of invocations) {
    if (inv.executionSuccessful === false) failedInvocation = true;
    for (const n of asArr(inv.toolExecutionNotifications).map(asObj)) {
      const level = asStr(n.level) ?? 'warning';
      if (level !== 'error' && level !== 'warning') continue;
      const text =
        asStr(asObj(n.message).text) ?? asStr(asObj(n.message).markdown) ?? 'tool execution problem';
      const e: ReportError = { message: text, kind: level === 'error' ? 'error' : 'skipped' };
      const nPath = resolvePath(
        asObj(asObj(asObj(asArr(n.locations)[0]).physicalLocation).artifactLocation),
        ctx.paths,
      );
      if (nPath) e.path = nPath;
      const line = asInt(asObj(asObj(asObj(asArr(n.locations)[0]).physicalLocation).region).startLine);
      if (line !== undefined) e.line = line;
      errors.push(e);
    }
  }

  const startedAt = isoOrUndefined(invocations[0]?.startTimeUtc) ?? now;
  const finishedAt = isoOrUndefined(invocations[0]?.endTimeUtc) ?? startedAt;
  let status: ReportStatus = 'ok';
  if (failedInvocation || errors.some((e) => e.kind !== 'skipped')) status = 'partial';

  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    stage,
    tool: { name: toolName, version: toolVersion },
    target: { root },
    startedAt,
    finishedAt,
    status,
    findings,
    errors: errors.map((e) => ({ ...e, kind: e.kind ?? 'error' })),
    stats: { findings: findings.length, ...(skipped > 0 ? { sarifResultsNotFindings: skipped } : {}) },
  };
  if (isObj(runValue) && isObj(oursRun) && Object.keys(oursRun).length > 0) restoreReport(report, oursRun);
  const parsed = ReportSchema.safeParse(report);
  if (!parsed.success) {
    // A field we restored from a tampered or foreign property bag does not fit: fall back to what SARIF says.
    const issue = parsed.error.issues[0];
    throw new InputError(
      `runs[${runIndex}]: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'} (expected a valid DevSecFlow finding in properties.devsecflow)`,
      { file: opts.file },
    );
  }
  return parsed.data;
}

function restoreReport(report: Report, bag: Obj): void {
  if (typeof bag.schemaVersion === 'string' && bag.schemaVersion !== SCHEMA_VERSION) return;
  const b = bag as Partial<Report>;
  if (isObj(b.target)) report.target = b.target as Report['target'];
  if (typeof b.startedAt === 'string') report.startedAt = b.startedAt;
  if (typeof b.finishedAt === 'string') report.finishedAt = b.finishedAt;
  if (b.status === 'ok' || b.status === 'partial' || b.status === 'failed') report.status = b.status;
  if (Array.isArray(b.errors)) report.errors = b.errors as Report['errors'];
  if (isObj(b.stats)) report.stats = b.stats as Report['stats'];
  if (isObj(b.diff)) report.diff = b.diff as Report['diff'];
  if (isObj(b.gate)) report.gate = b.gate as Report['gate'];
}

/**
 * Reads any scanner's SARIF 2.1.0 into one Report per run. Lenient on content (no tool, null names,
 * messages by id, rules in extensions, missing locations) and strict on shape: a file that is not
 * JSON, has no `runs` array or another SARIF version throws InputError naming the file.
 * Results are never dropped for lacking a location; `pass`/`notApplicable` and `absent` results are
 * not findings and are counted in `stats.sarifResultsNotFindings`.
 */
export function fromSarif(json: unknown, opts: SarifReadOptions): Report[] {
  const log = checkLog(json, opts.file);
  return (log.runs as unknown[]).map((run, i) => convertRun(run, i, opts));
}

/**
 * Joins reports into one per stage (core's `mergeReports`): findings deduplicated by fingerprint,
 * errors and stats added up, the widest time span, the worst status, the gate cleared. When the
 * tools differ, each finding keeps its scanner in `finding.tool`.
 */
export function mergeByStage(reports: readonly Report[]): Report[] {
  return mergeReports([...reports]);
}
