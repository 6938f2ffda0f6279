import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CONFIDENCES,
  type Confidence,
  type Finding,
  type Report,
  type ReportError,
  SEVERITY_SCORE,
  sarifLevelFor,
  severityFromCvssScore,
} from '@devsecflow/core';
import { cweNumbers, findingScore, isHttpUrl, maxSeverity } from './util.js';

/** The partial fingerprint key our SARIF carries (GitHub ignores it; our reader restores it). */
export const SARIF_FINGERPRINT_KEY = 'devsecflow/v1';
/** The property-bag key holding what SARIF has no field for, so Report -> SARIF -> Report is lossless. */
export const SARIF_PROPERTY_KEY = 'devsecflow';
/** `uriBaseId` of every artifact location we write. */
export const SRCROOT = '%SRCROOT%';

export interface SarifWriteOptions {
  /** `tool.driver.informationUri`. */
  informationUri?: string;
  /**
   * `automationDetails.id` per report; defaults to `devsecflow/<stage>/`. GitHub uses it as the
   * analysis category, so two runs of one stage (shards merged or not) must share it.
   */
  category?: (report: Report) => string;
  /**
   * Where a finding with neither a code location nor a package is anchored (line 1), relative to the
   * root. GitHub code scanning rejects the whole upload when any result has no location, so every
   * result gets one; defaults to `devsecflow.yml`, the policy the finding comes from.
   */
  anchorPath?: string;
}

// Loose output types: SARIF is large and we only write a subset, validated against the official schema in tests.
type Json = Record<string, unknown>;

export const DEFAULT_INFORMATION_URI = 'https://devsecflow.dev';

/** SARIF's `precision` scale for our confidence. */
const PRECISION: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

function confidenceRank(c: Confidence): number {
  return CONFIDENCES.length - CONFIDENCES.indexOf(c);
}

/** Percent-encodes each path segment so the URI is a valid uri-reference (spaces, `#`, `%`...). */
export function pathToUri(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%40/g, '@'))
    .join('/');
}

function rootUri(root: string): string | undefined {
  if (!isAbsolute(root)) return undefined;
  const href = pathToFileURL(root).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function securitySeverity(score: number): string {
  return score.toFixed(1);
}

/** Help text and markdown for a rule: what it flags, how to fix, references. */
function ruleHelp(findings: Finding[]): { text: string; markdown: string } {
  const first = findings[0]!;
  const fixes = [...new Set(findings.map((f) => f.fix?.summary).filter((s): s is string => !!s))];
  const refs = [...new Set(findings.flatMap((f) => f.references))];
  const cwes = cweNumbers({ identifiers: findings.flatMap((f) => f.identifiers) });
  const text: string[] = [first.title];
  const md: string[] = [`**${mdEscape(first.title)}**`];
  const messages = new Set(findings.map((f) => f.message));
  if (messages.size === 1 && first.message && first.message !== first.title) {
    text.push('', first.message);
    md.push('', mdEscape(first.message));
  }
  if (fixes.length === 1) {
    text.push('', `Fix: ${fixes[0]}`);
    md.push('', '## Fix', '', mdEscape(fixes[0]!));
  } else if (fixes.length > 1) {
    text.push('', 'Fix: see each result.');
    md.push('', '## Fix', '', 'The fix depends on the result: see each result.');
  }
  if (cwes.length > 0) {
    text.push('', `Weakness: ${cwes.map((c) => `CWE-${c}`).join(', ')}`);
  }
  if (refs.length > 0) {
    text.push('', 'References:', ...refs.map((r) => `- ${r}`));
    md.push(
      '',
      '## References',
      '',
      ...refs.map((r) =>
        isHttpUrl(r) ? `- [${mdEscape(r)}](${r.replace(/\)/g, '%29')})` : `- ${mdEscape(r)}`,
      ),
    );
  }
  return { text: text.join('\n'), markdown: md.join('\n') };
}

function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>#|]/g, (c) => `\\${c}`);
}

function buildRule(ruleId: string, findings: Finding[]): Json {
  const first = findings[0]!;
  const severity = maxSeverity(findings.map((f) => f.severity));
  const score = Math.max(...findings.map(findingScore));
  // The score decides GitHub's ranking; keep it consistent with the severity when a CVSS score disagrees.
  const shownScore = severityFromCvssScore(score) === severity ? score : SEVERITY_SCORE[severity];
  const confidence = findings
    .map((f) => f.confidence)
    .sort((a, b) => confidenceRank(b) - confidenceRank(a))[0]!;
  const tags = new Set<string>(['security', first.stage]);
  for (const c of cweNumbers({ identifiers: findings.flatMap((f) => f.identifiers) })) {
    tags.add(`external/cwe/cwe-${c}`);
  }
  for (const id of findings.flatMap((f) => f.identifiers)) {
    if (id.type === 'owasp') tags.add(`external/owasp/${id.value.toLowerCase()}`);
  }
  const messages = new Set(findings.map((f) => f.message));
  const rule: Json = {
    id: ruleId,
    name: ruleId,
    shortDescription: { text: first.title },
    fullDescription: { text: messages.size === 1 && first.message ? first.message : first.title },
    help: ruleHelp(findings),
    defaultConfiguration: { level: sarifLevelFor(severity) },
    properties: {
      tags: [...tags],
      precision: PRECISION[confidence],
      'security-severity': securitySeverity(shownScore),
      'problem.severity': sarifLevelFor(severity) === 'note' ? 'recommendation' : sarifLevelFor(severity),
    },
  };
  const helpUri = first.references.find(isHttpUrl);
  if (helpUri) rule.helpUri = helpUri;
  return rule;
}

function physicalLocation(path: string, region?: Json): Json {
  const loc: Json = { artifactLocation: { uri: pathToUri(path), uriBaseId: SRCROOT } };
  if (region) loc.region = region;
  return loc;
}

function locationsOf(f: Finding, anchorPath: string): Json[] {
  if (f.location) {
    const l = f.location;
    const region: Json = { startLine: l.startLine };
    if (l.startColumn !== undefined) region.startColumn = l.startColumn;
    if (l.endLine !== undefined) region.endLine = l.endLine;
    if (l.endColumn !== undefined) region.endColumn = l.endColumn;
    if (l.snippet !== undefined) region.snippet = { text: l.snippet };
    const loc: Json = { physicalLocation: physicalLocation(l.path, region) };
    if (f.package) loc.logicalLocations = [packageLogicalLocation(f)];
    return [loc];
  }
  if (f.package) {
    // A dependency finding points at its manifest; the package itself is a logical location.
    return [
      {
        physicalLocation: physicalLocation(f.package.manifest),
        logicalLocations: [packageLogicalLocation(f)],
      },
    ];
  }
  // No place in the code: anchor it so GitHub accepts the file; the property bag records there was none.
  return [
    {
      physicalLocation: physicalLocation(anchorPath, { startLine: 1 }),
      message: { text: 'This finding has no source location; it is shown at the policy file.' },
    },
  ];
}

function packageLogicalLocation(f: Finding): Json {
  const p = f.package!;
  return {
    name: `${p.name}@${p.version}`,
    fullyQualifiedName: p.purl ?? `${p.ecosystem}/${p.name}@${p.version}`,
    kind: 'package',
  };
}

/** Everything about a finding that SARIF has no field for, so the reader can restore it exactly. */
function findingProperties(f: Finding): Json {
  const bag: Json = {
    stage: f.stage,
    title: f.title,
    message: f.message,
    severity: f.severity,
    confidence: f.confidence,
    identifiers: f.identifiers,
    references: f.references,
  };
  if (f.location) bag.location = f.location;
  if (f.package) bag.package = f.package;
  if (f.cvss) bag.cvss = f.cvss;
  if (f.fix) bag.fix = f.fix;
  if (f.suppression) bag.suppression = f.suppression;
  if (f.baselineState) bag.baselineState = f.baselineState;
  if (f.tool) bag.tool = f.tool;
  if (f.properties) bag.properties = f.properties;
  return bag;
}

function buildResult(f: Finding, ruleIndex: number, anchorPath: string): Json {
  const result: Json = {
    ruleId: f.ruleId,
    ruleIndex,
    level: sarifLevelFor(f.severity),
    message: { text: f.message || f.title },
  };
  result.locations = locationsOf(f, anchorPath);
  result.partialFingerprints = { [SARIF_FINGERPRINT_KEY]: f.fingerprint };
  if (f.suppression) {
    result.suppressions = [
      {
        kind: f.suppression.kind === 'inline' ? 'inSource' : 'external',
        status: 'accepted',
        justification: f.suppression.reason,
      },
    ];
  }
  if (f.baselineState) result.baselineState = f.baselineState === 'new' ? 'new' : 'unchanged';
  result.properties = {
    'security-severity': securitySeverity(findingScore(f)),
    [SARIF_PROPERTY_KEY]: findingProperties(f),
  };
  return result;
}

function notification(e: ReportError): Json {
  const n: Json = {
    level: e.kind === 'skipped' ? 'warning' : 'error',
    message: { text: e.message || 'error' },
  };
  if (e.path) {
    const region = e.line !== undefined && e.line >= 1 ? { startLine: e.line } : undefined;
    n.locations = [{ physicalLocation: physicalLocation(e.path, region) }];
  }
  return n;
}

function buildRun(report: Report, opts: SarifWriteOptions): Json {
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const ruleIds = [...byRule.keys()];
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => buildRule(id, byRule.get(id)!));
  const anchorPath = opts.anchorPath ?? 'devsecflow.yml';
  const results = report.findings.map((f) => buildResult(f, ruleIndex.get(f.ruleId)!, anchorPath));

  const invocation: Json = {
    executionSuccessful: report.status === 'ok',
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
  };
  if (report.errors.length > 0) invocation.toolExecutionNotifications = report.errors.map(notification);

  const run: Json = {
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        informationUri: opts.informationUri ?? DEFAULT_INFORMATION_URI,
        rules,
      },
    },
    automationDetails: { id: opts.category?.(report) ?? `devsecflow/${report.stage}/` },
    invocations: [invocation],
    columnKind: 'utf16CodeUnits',
    results,
  };
  const base = rootUri(report.target.root);
  if (base) run.originalUriBaseIds = { [SRCROOT]: { uri: base } };
  const { findings: _f, ...rest } = report;
  // The report minus its findings: SARIF has no place for status, stats, gate or diff.
  run.properties = { [SARIF_PROPERTY_KEY]: rest };
  return run;
}

/**
 * SARIF 2.1.0 log of one or more stage reports: one run per report, with rules (help, CWE tags,
 * `security-severity` for GitHub's ranking), results carrying our fingerprint under
 * `partialFingerprints["devsecflow/v1"]`, suppressions, baseline state and report errors as
 * tool execution notifications. Everything SARIF has no field for rides in `properties.devsecflow`,
 * so {@link fromSarif} restores the reports exactly.
 */
export function toSarif(reports: readonly Report[], opts: SarifWriteOptions = {}): Json {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: reports.map((r) => buildRun(r, opts)),
  };
}
