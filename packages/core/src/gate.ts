import type { Finding, GateResult, GateViolation, Report, StageId } from './model.js';
import type { FailOn, GateSettings, Policy } from './policy.js';
import { atLeast, compareSeverity } from './severity.js';
import { findingPath, pathInTeam } from './suppress.js';

/** Command-line overrides beat every level of the config (global, stage, team). */
export interface GateOverrides {
  failOn?: FailOn;
  newOnly?: boolean;
  allowPartial?: boolean;
}

type GatePolicy = Pick<Policy, 'gate' | 'stages' | 'teams' | 'requiredStages'>;

/**
 * Effective gate settings for one finding: global, then the stage's section, then the last team
 * whose paths match the finding (later teams win), then overrides.
 */
export function settingsFor(
  policy: GatePolicy,
  stage: StageId,
  path: string | undefined,
  overrides: GateOverrides = {},
): GateSettings {
  const s: GateSettings = { ...policy.gate };
  const layers = [policy.stages[stage], ...policy.teams.filter((t) => pathInTeam(t, path))];
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.failOn !== undefined) s.failOn = layer.failOn;
    if (layer.maxFindings !== undefined) s.maxFindings = layer.maxFindings;
    if (layer.newOnly !== undefined) s.newOnly = layer.newOnly;
    if (layer.allowPartial !== undefined) s.allowPartial = layer.allowPartial;
  }
  if (overrides.failOn !== undefined) s.failOn = overrides.failOn;
  if (overrides.newOnly !== undefined) s.newOnly = overrides.newOnly;
  if (overrides.allowPartial !== undefined) s.allowPartial = overrides.allowPartial;
  return s;
}

/** A finding counts towards the gate unless suppressed, or existing in the baseline under new-only. */
export function countsForGate(f: Finding, s: GateSettings): boolean {
  if (f.suppression) return false;
  if (s.newOnly && f.baselineState === 'existing') return false;
  return true;
}

function where(f: Finding): string {
  if (f.location) return ` at ${f.location.path}:${f.location.startLine}`;
  if (f.package) return ` in ${f.package.name}@${f.package.version} (${f.package.manifest})`;
  return '';
}

/**
 * The gate: one pure function from reports and policy to a verdict. The same call decides on
 * GitHub, GitLab and a laptop. Violations list every reason, most severe findings first.
 */
export function evaluateGate(
  reports: Report[],
  policy: GatePolicy,
  overrides: GateOverrides = {},
): GateResult {
  const violations: GateViolation[] = [];
  const present = new Set(reports.map((r) => r.stage));

  for (const stage of policy.requiredStages) {
    if (!present.has(stage)) {
      violations.push({ rule: 'required-stage', stage, message: `required stage '${stage}' has no report` });
    }
  }

  for (const report of reports) {
    const stageSettings = settingsFor(policy, report.stage, undefined, overrides);
    if (report.status === 'failed') {
      violations.push({
        rule: 'stage-failed',
        stage: report.stage,
        message: `stage '${report.stage}' could not complete: ${report.errors[0]?.message ?? 'no detail'}`,
      });
    } else if (report.status === 'partial' && !stageSettings.allowPartial) {
      violations.push({
        rule: 'partial-report',
        stage: report.stage,
        message: `stage '${report.stage}' is partial (${report.errors.length} error(s): ${report.errors[0]?.message ?? ''}); set allowPartial to accept partial results`,
      });
    }

    let counted = 0;
    const blocking: Finding[] = [];
    for (const f of report.findings) {
      const s = settingsFor(policy, report.stage, findingPath(f), overrides);
      if (!countsForGate(f, s)) continue;
      counted++;
      if (s.failOn !== 'none' && atLeast(f.severity, s.failOn)) blocking.push(f);
    }
    blocking.sort((a, b) => compareSeverity(a.severity, b.severity));
    for (const f of blocking) {
      violations.push({
        rule: 'fail-on',
        stage: report.stage,
        fingerprint: f.fingerprint,
        message: `${f.severity} ${f.ruleId}${where(f)}: ${f.title}`,
      });
    }
    if (stageSettings.maxFindings !== undefined && counted > stageSettings.maxFindings) {
      violations.push({
        rule: 'max-findings',
        stage: report.stage,
        message: `stage '${report.stage}' has ${counted} findings; at most ${stageSettings.maxFindings} are allowed`,
      });
    }
  }
  return { passed: violations.length === 0, violations };
}
