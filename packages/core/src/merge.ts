import { InputError } from './errors.js';
import type { Finding, Report, ReportStatus } from './model.js';

const STATUS_ORDER: ReportStatus[] = ['ok', 'partial', 'failed'];

function worst(a: ReportStatus, b: ReportStatus): ReportStatus {
  return STATUS_ORDER.indexOf(a) >= STATUS_ORDER.indexOf(b) ? a : b;
}

/**
 * Joins reports (shards of one stage, or several tools) into one report per stage. Findings are
 * deduplicated by fingerprint only, so distinct findings are never dropped. Stats add up, the
 * status is the worst one, errors are kept, and the gate is cleared to be evaluated again.
 */
export function mergeReports(reports: Report[]): Report[] {
  const byStage = new Map<string, Report[]>();
  for (const r of reports) {
    const list = byStage.get(r.stage) ?? [];
    list.push(r);
    byStage.set(r.stage, list);
  }
  const merged: Report[] = [];
  for (const [, group] of byStage) {
    const first = group[0]!;
    const roots = new Set(group.map((r) => r.target.root));
    if (roots.size > 1) {
      throw new InputError(
        `cannot merge ${first.stage} reports of different targets (${[...roots].join(', ')}); merge reports of one checkout`,
      );
    }
    const tools = new Set(group.map((r) => `${r.tool.name}@${r.tool.version}`));
    const seen = new Set<string>();
    const findings: Finding[] = [];
    for (const r of group) {
      for (const f of r.findings) {
        if (seen.has(f.fingerprint)) continue;
        seen.add(f.fingerprint);
        // When tools differ, each finding keeps the name of the tool that found it.
        findings.push(tools.size > 1 && !f.tool ? { ...f, tool: { ...r.tool } } : f);
      }
    }
    const stats: Record<string, number> = {};
    for (const r of group) for (const [k, v] of Object.entries(r.stats)) stats[k] = (stats[k] ?? 0) + v;
    stats.mergedReports = group.length;
    const { gate: _gate, ...base } = first;
    merged.push({
      ...base,
      tool: tools.size === 1 ? first.tool : { name: 'devsecflow', version: first.tool.version },
      target: {
        root: first.target.root,
        ...(group.every((r) => r.target.commit === first.target.commit) && first.target.commit
          ? { commit: first.target.commit }
          : {}),
        ...(first.target.ref ? { ref: first.target.ref } : {}),
      },
      startedAt: group.map((r) => r.startedAt).sort()[0]!,
      finishedAt: group
        .map((r) => r.finishedAt)
        .sort()
        .at(-1)!,
      status: group.map((r) => r.status).reduce(worst),
      findings,
      errors: group.flatMap((r) => r.errors),
      stats,
    });
  }
  return merged;
}
