import type { EvidenceBody, EvidenceRecord } from './evidence.js';

/**
 * The decision as plain text, for a deployment review comment (GitHub pending deployment, GitLab
 * deployment approval), a job summary or a log: verdict, every reason, approvers and the evidence
 * digest. Cut at `max` characters (reasons past the cut are counted, not dropped silently).
 */
export function formatDecision(record: EvidenceBody | EvidenceRecord, max = 60_000): string {
  const verdict = record.decision === 'approved' ? 'APPROVED' : 'BLOCKED';
  const head = `DevSecFlow deploy approval: ${verdict} for ${record.environment}, commit ${record.commit?.slice(0, 12) ?? 'unknown'}${record.ref ? ` (${record.ref})` : ''}`;
  const tail: string[] = [];
  if (record.approvers.length) {
    tail.push(
      `Approved by: ${record.approvers.map((a) => `${a.user}${a.at ? ` (${a.at})` : ''}`).join(', ')}`,
    );
  }
  const open = Object.entries(record.findings)
    .filter(([k, n]) => k !== 'suppressed' && n > 0)
    .map(([k, n]) => `${n} ${k}`);
  tail.push(
    `Findings: ${open.length ? open.join(', ') : 'none open'}; ${record.findings.suppressed} suppressed; ${record.reports.length} report(s)`,
  );
  if ('digest' in record) tail.push(`Evidence: record ${record.seq}, ${record.digest}`);
  tail.push(`Policy: ${record.policy.digest}`);

  const lines = [head];
  let used = head.length + tail.join('\n').length + 2;
  let shown = 0;
  for (const r of record.reasons) {
    const line = `- ${r.rule}: ${r.message}`;
    if (used + line.length + 1 > max - 40) break;
    lines.push(line);
    used += line.length + 1;
    shown++;
  }
  if (shown < record.reasons.length) lines.push(`- ... and ${record.reasons.length - shown} more reason(s)`);
  return [...lines, ...tail].join('\n');
}
