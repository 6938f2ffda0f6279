import { RULES } from './rules.js';

const BEGIN =
  '<!-- rules-table:begin (generated from packages/secrets/src/rules.ts; run `pnpm --filter @devsecflow/secrets docs`) -->';
const END = '<!-- rules-table:end -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The rules table of docs/stages/secrets.md, generated from the rule data. */
export function renderRulesTable(): string {
  const rows = RULES.map((r) => {
    const checks = [
      r.validator ? `\`${r.validator}\`` : '',
      r.entropy !== undefined ? `entropy ≥ ${r.entropy}` : '',
      r.paths ? 'config files only' : '',
      r.placeholderCheck ? 'placeholders dropped' : '',
      r.deny ? `${Object.keys(r.deny).join('/')} checked` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `| \`${r.id}\` | ${cell(r.title)} | ${cell(r.provider)} | ${r.severity} | ${r.confidence} | ${r.keywords.map((k) => `\`${cell(k)}\``).join(' ')} | ${checks || '—'} | [docs](${r.docs}) |`;
  });
  return [
    BEGIN,
    '',
    `${RULES.length} rules.`,
    '',
    '| Rule | Detects | Provider | Severity | Confidence | Keywords | Checks | Format |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    END,
  ].join('\n');
}

/** Replaces the generated table in a document (between the markers), or appends it. */
export function updateRulesTable(doc: string): string {
  const table = renderRulesTable();
  const b = doc.indexOf('<!-- rules-table:begin');
  const e = doc.indexOf(END);
  if (b < 0 || e < 0) return `${doc.trimEnd()}\n\n${table}\n`;
  return doc.slice(0, b) + table + doc.slice(e + END.length);
}
