import type { Finding, Identifier, Report, Severity } from '@devsecflow/core';
import { compareFindings, deterministicUuid, gitlabTime, slug, truncate } from './util.js';

/** The GitLab security report schema version our reports declare and are validated against in tests. */
export const GITLAB_SCHEMA_VERSION = '15.2.4';

export type GitlabScanType = 'sast' | 'dependency_scanning' | 'secret_detection';

type Json = Record<string, unknown>;

export interface GitlabReportOptions {
  /** Analyzer identity; defaults to DevSecFlow with the report tool's version. */
  analyzer?: { id: string; name: string; version: string; vendor?: string; url?: string };
}

const SEVERITY: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

// CVSS vector patterns of the 15.2.4 schema (`cvss_vectors`): a vector that does not match is left out
// rather than making the whole report invalid.
const CVSS2 =
  /^((AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))\/)*(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))$/;
const CVSS3 =
  /^CVSS:3[.][01]\/((AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])\/)*(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])$/;
const CVSS4 =
  /^CVSS:4[.]0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN](\/E:[XAPU])?(\/CR:[XHML])?(\/IR:[XHML])?(\/AR:[XHML])?(\/MAV:[XNALP])?(\/MAC:[XLH])?(\/MAT:[XNP])?(\/MPR:[XNLH])?(\/MUI:[XNPA])?(\/MVC:[XNLH])?(\/MVI:[XNLH])?(\/MVA:[XNLH])?(\/MSC:[XNLH])?(\/MSI:[XNLHS])?(\/MSA:[XNLHS])?(\/S:[XNP])?(\/AU:[XNY])?(\/R:[XAUI])?(\/V:[XDC])?(\/RE:[XLMH])?(\/U:(X|Clear|Green|Amber|Red))?$/;

function validCvssVector(v: string): boolean {
  if (v.length < 16 || v.length > 256) return false;
  if (v.startsWith('CVSS:4')) return v.length >= 32 && CVSS4.test(v);
  if (v.startsWith('CVSS:3')) return v.length >= 32 && v.length <= 128 && CVSS3.test(v);
  return v.length <= 128 && CVSS2.test(v);
}

function toolOf(f: Finding, report: Report): string {
  return f.tool?.name ?? report.tool.name;
}

/** GitLab identifier for one of ours. CWE values are the bare number, as GitLab's analyzers write them. */
function gitlabIdentifier(id: Identifier): Json {
  const out: Json = { type: id.type, name: id.value, value: id.value };
  switch (id.type) {
    case 'cwe': {
      const n = /(\d+)/.exec(id.value)?.[1];
      out.name = n ? `CWE-${Number(n)}` : id.value;
      out.value = n ? String(Number(n)) : id.value;
      out.url = id.url ?? (n ? `https://cwe.mitre.org/data/definitions/${Number(n)}.html` : undefined);
      break;
    }
    case 'cve':
      out.url = id.url ?? `https://nvd.nist.gov/vuln/detail/${id.value}`;
      break;
    case 'ghsa':
      out.url = id.url ?? `https://github.com/advisories/${id.value}`;
      break;
    case 'osv':
      out.url = id.url ?? `https://osv.dev/vulnerability/${id.value}`;
      break;
    default:
      if (id.url) out.url = id.url;
  }
  if (typeof out.url !== 'string' || !/^(https?|ftp):\/\/.+/.test(out.url)) delete out.url;
  return out;
}

/**
 * Identifiers with the primary one first: the advisory (CVE, GHSA, OSV) for dependency findings,
 * the scanner's rule for code and secrets. GitLab tracks a vulnerability by its primary identifier.
 */
function identifiersOf(f: Finding, report: Report, advisoryFirst: boolean): Json[] {
  const ruleId: Json = {
    type: `${slug(toolOf(f, report)).replace(/-/g, '_')}_rule_id`,
    name: f.ruleId,
    value: f.ruleId,
  };
  const others = f.identifiers
    .filter((i) => !(i.type === 'rule' && i.value === f.ruleId))
    .map(gitlabIdentifier);
  const advisory = others.filter((i) => i.type === 'cve' || i.type === 'ghsa' || i.type === 'osv');
  const rest = others.filter((i) => !advisory.includes(i));
  const list =
    advisoryFirst && advisory.length > 0 ? [...advisory, ruleId, ...rest] : [ruleId, ...advisory, ...rest];
  const seen = new Set<string>();
  return list.filter((i) => {
    const key = `${i.type}:${i.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function solutionOf(f: Finding): string | undefined {
  if (!f.fix) return undefined;
  const versions = f.fix.versions?.length ? ` Fixed in: ${f.fix.versions.join(', ')}.` : '';
  return truncate(`${f.fix.summary}${versions}`.trim(), 7000) || undefined;
}

function detailsOf(f: Finding): Json {
  const details: Json = {
    devsecflow_fingerprint: { name: 'DevSecFlow fingerprint', type: 'text', value: f.fingerprint },
    confidence: { name: 'Confidence', type: 'text', value: f.confidence },
  };
  if (f.baselineState) details.baseline = { name: 'Baseline', type: 'text', value: f.baselineState };
  if (f.package?.dependencyPath?.length) {
    details.dependency_path = {
      name: 'Dependency path',
      type: 'list',
      items: f.package.dependencyPath.map((p) => ({ type: 'text', value: p })),
    };
  }
  if (f.cvss?.score !== undefined) {
    details.cvss_score = { name: `CVSS ${f.cvss.version} score`, type: 'value', value: f.cvss.score };
  }
  return details;
}

function baseVulnerability(f: Finding, report: Report, advisoryFirst: boolean): Json {
  const v: Json = {
    id: deterministicUuid(`${f.stage}:${f.fingerprint}`),
    name: truncate(f.title, 255),
    description: truncate(f.message || f.title, 1_048_576),
    severity: SEVERITY[f.severity],
  };
  const solution = solutionOf(f);
  if (solution) v.solution = solution;
  v.identifiers = identifiersOf(f, report, advisoryFirst);
  if (f.cvss?.vector && validCvssVector(f.cvss.vector)) {
    v.cvss_vectors = [{ vendor: 'unknown', vector: f.cvss.vector }];
  }
  const links = f.references.filter((r) => /^(https?|ftp):\/\/\S+$/.test(r)).map((url) => ({ url }));
  if (links.length > 0) v.links = links;
  v.details = detailsOf(f);
  return v;
}

function codeLocation(f: Finding): Json {
  const loc: Json = {};
  const path = f.location?.path ?? f.package?.manifest;
  if (path) loc.file = path;
  if (f.location) {
    loc.start_line = f.location.startLine;
    loc.end_line = f.location.endLine ?? f.location.startLine;
  }
  return loc;
}

function scan(report: Report, type: GitlabScanType, opts: GitlabReportOptions): Json {
  const a = opts.analyzer;
  const analyzer: Json = {
    id: a?.id ?? 'devsecflow',
    name: a?.name ?? 'DevSecFlow',
    version: a?.version ?? (report.tool.version || 'unknown'),
    vendor: { name: a?.vendor ?? 'DevSecFlow' },
  };
  if (a?.url && /^https?:\/\/.+/.test(a.url)) analyzer.url = a.url;
  const s: Json = {
    analyzer,
    scanner: {
      id: slug(report.tool.name),
      name: report.tool.name || 'unknown',
      version: report.tool.version || 'unknown',
      vendor: { name: report.tool.name === 'devsecflow' ? 'DevSecFlow' : report.tool.name || 'unknown' },
    },
    type,
    start_time: gitlabTime(report.startedAt),
    end_time: gitlabTime(report.finishedAt),
    status: report.status === 'failed' ? 'failure' : 'success',
  };
  const messages = report.errors
    .filter((e) => e.message)
    .map((e) => ({
      level: report.status === 'failed' ? 'fatal' : 'warn',
      value: `${e.path ? `${e.path}${e.line ? `:${e.line}` : ''}: ` : ''}${e.message}`,
    }));
  if (report.status === 'partial' && messages.length === 0) {
    messages.push({ level: 'warn', value: 'the scan was partial: some input could not be scanned' });
  }
  if (messages.length > 0) s.messages = messages;
  if (report.diff?.applied) s.partial_scan = { mode: 'differential' };
  return s;
}

function reportOf(
  report: Report,
  type: GitlabScanType,
  vulnerabilities: Json[],
  opts: GitlabReportOptions,
): Json {
  return { version: GITLAB_SCHEMA_VERSION, scan: scan(report, type, opts), vulnerabilities };
}

/**
 * Suppressed findings are left out (GitLab would list them as open vulnerabilities), and a repeated
 * fingerprint is written once, since the vulnerability id derives from it.
 */
function reportable(report: Report): Finding[] {
  const seen = new Set<string>();
  return report.findings
    .filter((f) => !f.suppression && !seen.has(f.fingerprint) && seen.add(f.fingerprint))
    .sort(compareFindings);
}

/** GitLab SAST report (`gl-sast-report.json`, schema 15.2.4) of a stage report. */
export function toGitlabSast(report: Report, opts: GitlabReportOptions = {}): Json {
  const vulns = reportable(report).map((f) => ({
    ...baseVulnerability(f, report, false),
    location: codeLocation(f),
  }));
  return reportOf(report, 'sast', vulns, opts);
}

/**
 * GitLab dependency scanning report (`gl-dependency-scanning-report.json`, schema 15.2.4). The schema
 * requires a manifest and a package for every vulnerability: a finding without a package says
 * `unknown` there instead of being dropped.
 */
export function toGitlabDependencyScanning(report: Report, opts: GitlabReportOptions = {}): Json {
  const vulns = reportable(report).map((f) => {
    const dependency: Json = {
      package: { name: f.package?.name ?? 'unknown' },
      version: f.package?.version ?? 'unknown',
    };
    if (f.package?.direct !== undefined) dependency.direct = f.package.direct;
    return {
      ...baseVulnerability(f, report, true),
      location: { file: f.package?.manifest ?? f.location?.path ?? 'unknown', dependency },
    };
  });
  return reportOf(report, 'dependency_scanning', vulns, opts);
}

/**
 * GitLab secret detection report (`gl-secret-detection-report.json`, schema 15.2.4). The schema
 * requires a commit: the report's target commit, else `0000000` as GitLab's own analyzer writes for
 * a working-tree scan. Snippets are never copied (they are redacted anyway).
 */
export function toGitlabSecretDetection(report: Report, opts: GitlabReportOptions = {}): Json {
  const vulns = reportable(report).map((f) => {
    const commitSha =
      typeof f.properties?.commit === 'string' && f.properties.commit
        ? f.properties.commit
        : report.target.commit;
    return {
      ...baseVulnerability(f, report, false),
      location: { ...codeLocation(f), commit: { sha: commitSha || '0000000' } },
    };
  });
  return reportOf(report, 'secret_detection', vulns, opts);
}

const CODE_QUALITY_SEVERITY: Record<Severity, string> = {
  critical: 'blocker',
  high: 'critical',
  medium: 'major',
  low: 'minor',
  info: 'info',
};

/**
 * GitLab Code Quality report (`gl-code-quality-report.json`, the Code Climate subset GitLab reads):
 * every unsuppressed finding of every stage, severity mapped one to one (critical -> blocker ...
 * info -> info). It is the one report whose MR widget works on GitLab Free.
 */
export function toGitlabCodeQuality(reports: readonly Report[]): Json[] {
  const out: Json[] = [];
  const seen = new Set<string>();
  for (const report of reports) {
    for (const f of reportable(report)) {
      // GitLab needs a unique fingerprint per issue; a finding can appear in two reports of one stage.
      const fingerprint = f.fingerprint;
      if (seen.has(`${f.stage}:${fingerprint}`)) continue;
      seen.add(`${f.stage}:${fingerprint}`);
      const description = f.message && f.message !== f.title ? `${f.title}: ${f.message}` : f.title;
      out.push({
        type: 'issue',
        description: truncate(description.replace(/\s+/g, ' ').trim(), 2000),
        check_name: f.ruleId,
        fingerprint,
        severity: CODE_QUALITY_SEVERITY[f.severity],
        categories: ['Security'],
        engine_name: toolOf(f, report),
        location: {
          path: f.location?.path ?? f.package?.manifest ?? '.',
          lines: { begin: f.location?.startLine ?? 1 },
        },
      });
    }
  }
  return out;
}
