import { type Finding, type Report, SEVERITIES } from '@devsecflow/core';
import { compareFindings, isHttpUrl, STAGE_TITLES, severityCounts } from './util.js';

export interface HtmlOptions {
  title?: string;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--crit:#8b0000;--high:#c2410c;--med:#a16207;--low:#1d4ed8;--info:#57606a}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px;max-width:1400px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.sev{font-weight:600;white-space:nowrap}.critical{color:var(--crit)}.high{color:var(--high)}.medium{color:var(--med)}.low{color:var(--low)}.info{color:var(--info)}
.gate{padding:8px 12px;border-radius:6px;display:inline-block;font-weight:600}.pass{background:#dafbe1}.fail{background:#ffebe9}.none{background:#f6f8fa}
.muted{color:var(--muted)}code,.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;word-break:break-all}
pre{background:#f6f8fa;padding:6px 8px;margin:4px 0 0;white-space:pre-wrap;word-break:break-all;font-size:12px}
.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:center;margin:8px 0 12px}.filters input{min-width:260px}
select,input{font:inherit;padding:4px 6px}details{margin-top:4px}tr.suppressed{opacity:.6}
`;

// Filtering runs on data attributes of rows rendered on the server, so the page also reads without JS.
const JS = `
(function(){
  var stage=document.getElementById('f-stage'),sev=document.getElementById('f-severity'),path=document.getElementById('f-path'),sup=document.getElementById('f-suppressed'),count=document.getElementById('f-count');
  var rank={critical:4,high:3,medium:2,low:1,info:0};
  function apply(){
    var rows=document.querySelectorAll('#findings tbody tr'),shown=0,q=path.value.toLowerCase();
    for(var i=0;i<rows.length;i++){var r=rows[i],d=r.dataset;
      var ok=(!stage.value||d.stage===stage.value)&&(!sev.value||rank[d.severity]>=rank[sev.value])&&(!q||d.path.toLowerCase().indexOf(q)>=0)&&(sup.checked||d.suppressed!=='true');
      r.hidden=!ok;if(ok)shown++;}
    count.textContent=shown+' of '+rows.length+' shown';
  }
  [stage,sev,sup].forEach(function(e){e.addEventListener('change',apply)});path.addEventListener('input',apply);apply();
})();
`;

function findingRow(f: Finding): string {
  const path = f.location?.path ?? f.package?.manifest ?? '';
  const where = f.location
    ? `${escapeHtml(f.location.path)}:${f.location.startLine}`
    : f.package
      ? `${escapeHtml(f.package.manifest)}<br><span class="muted">${escapeHtml(`${f.package.name}@${f.package.version}`)}</span>`
      : '';
  const ids = f.identifiers
    .filter((i) => i.type !== 'rule')
    .map((i) =>
      i.url && isHttpUrl(i.url)
        ? `<a href="${escapeHtml(i.url)}" rel="noopener noreferrer">${escapeHtml(i.value)}</a>`
        : escapeHtml(i.value),
    )
    .join(', ');
  const more: string[] = [];
  if (f.location?.snippet) more.push(`<pre>${escapeHtml(f.location.snippet)}</pre>`);
  if (f.fix) {
    more.push(
      `<div><b>Fix:</b> ${escapeHtml(f.fix.summary)}${f.fix.versions?.length ? ` <span class="muted">(${escapeHtml(f.fix.versions.join(', '))})</span>` : ''}</div>`,
    );
  }
  if (f.suppression) {
    more.push(
      `<div class="muted">Suppressed (${escapeHtml(f.suppression.kind)}): ${escapeHtml(f.suppression.reason)}</div>`,
    );
  }
  const refs = f.references.filter(isHttpUrl);
  if (refs.length > 0) {
    more.push(
      `<div>${refs.map((r) => `<a href="${escapeHtml(r)}" rel="noopener noreferrer">${escapeHtml(r)}</a>`).join('<br>')}</div>`,
    );
  }
  return (
    `<tr data-stage="${f.stage}" data-severity="${f.severity}" data-path="${escapeHtml(path)}" data-suppressed="${f.suppression ? 'true' : 'false'}"${f.suppression ? ' class="suppressed"' : ''}>` +
    `<td class="sev ${f.severity}">${f.severity}</td>` +
    `<td>${escapeHtml(STAGE_TITLES[f.stage])}</td>` +
    `<td class="path">${where}</td>` +
    `<td><b>${escapeHtml(f.title)}</b><div>${escapeHtml(f.message)}</div>${more.join('')}</td>` +
    `<td><code>${escapeHtml(f.ruleId)}</code>${ids ? `<div>${ids}</div>` : ''}</td>` +
    '</tr>'
  );
}

function gateBlock(reports: readonly Report[]): string {
  const gated = reports.filter((r) => r.gate);
  if (gated.length === 0) return '<p><span class="gate none">Gate: not evaluated</span></p>';
  const passed = gated.every((r) => r.gate!.passed);
  const violations = gated.flatMap((r) => r.gate!.violations);
  let out = `<p><span class="gate ${passed ? 'pass' : 'fail'}">Gate: ${passed ? 'passed' : 'failed'}</span></p>`;
  if (violations.length > 0) {
    out += `<ul>${violations.map((v) => `<li>${v.stage ? `${escapeHtml(STAGE_TITLES[v.stage])}: ` : ''}${escapeHtml(v.message)} <span class="muted">(${escapeHtml(v.rule)})</span></li>`).join('')}</ul>`;
  }
  return out;
}

function summary(reports: readonly Report[]): string {
  const head = `<tr><th>Stage</th><th>Tool</th><th>Status</th>${SEVERITIES.map((s) => `<th class="${s}">${s}</th>`).join('')}<th>Suppressed</th></tr>`;
  const rows = reports
    .map((r) => {
      const c = severityCounts(r.findings);
      return `<tr><td>${escapeHtml(STAGE_TITLES[r.stage])}</td><td>${escapeHtml(`${r.tool.name} ${r.tool.version}`)}</td><td>${r.status}</td>${SEVERITIES.map((s) => `<td class="n">${c[s]}</td>`).join('')}<td class="n">${c.suppressed}</td></tr>`;
    })
    .join('');
  return `<table id="summary"><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function errorsBlock(reports: readonly Report[]): string {
  const errors = reports.flatMap((r) => r.errors.map((e) => ({ stage: r.stage, ...e })));
  if (errors.length === 0) return '';
  const items = errors
    .map(
      (e) =>
        `<li>${escapeHtml(STAGE_TITLES[e.stage])}: ${e.path ? `<span class="path">${escapeHtml(`${e.path}${e.line ? `:${e.line}` : ''}`)}</span>: ` : ''}${escapeHtml(e.message)}</li>`,
    )
    .join('');
  return `<h2>Not scanned (${errors.length})</h2><ul>${items}</ul>`;
}

/**
 * One self-contained HTML file: inline CSS and JS, no external loads (a Content-Security-Policy
 * forbids them), every untrusted string HTML-escaped. Findings can be filtered by stage, minimum
 * severity and path; suppressed findings are hidden until asked for.
 */
export function toHtml(reports: readonly Report[], opts: HtmlOptions = {}): string {
  const title = opts.title ?? 'DevSecFlow report';
  const findings = reports.flatMap((r) => r.findings).sort(compareFindings);
  const stages = [...new Set(reports.map((r) => r.stage))];
  const target = reports[0]?.target;
  const generated =
    reports
      .map((r) => r.finishedAt)
      .sort()
      .at(-1) ?? '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${target ? `Target <span class="path">${escapeHtml(target.root)}</span>${target.commit ? ` at <code>${escapeHtml(target.commit)}</code>` : ''}. ` : ''}${generated ? `Generated ${escapeHtml(generated)}.` : ''}</p>
${gateBlock(reports)}
<h2>Summary</h2>
${summary(reports)}
${errorsBlock(reports)}
<h2>Findings (${findings.length})</h2>
<div class="filters">
<label>Stage <select id="f-stage"><option value="">all</option>${stages.map((s) => `<option value="${s}">${escapeHtml(STAGE_TITLES[s])}</option>`).join('')}</select></label>
<label>Severity at least <select id="f-severity"><option value="">any</option>${SEVERITIES.map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label>
<label>Path <input id="f-path" type="search" placeholder="filter by path"></label>
<label><input id="f-suppressed" type="checkbox"> show suppressed</label>
<span id="f-count" class="muted"></span>
</div>
<table id="findings"><thead><tr><th>Severity</th><th>Stage</th><th>Location</th><th>Finding</th><th>Rule</th></tr></thead>
<tbody>
${findings.map(findingRow).join('\n')}
</tbody></table>
<script>${JS}</script>
</body>
</html>
`;
}
