import { keyFingerprint } from './fingerprint.js';
import { globMatcher } from './glob.js';
import type { Finding } from './model.js';
import type { Policy, ResolvedIgnore } from './policy.js';

/**
 * `devsecflow-ignore <rule-id>[, <rule-id>...]: <reason>` inside any comment syntax (`//`, `#`,
 * `/* *\/`, `<!-- -->`, `--`, `;`). Rule ids may end in `*` to cover a family (`js/sql-*`).
 * Other tools' comments (`nosemgrep`, `eslint-disable`) are deliberately not read.
 */
const INLINE =
  /devsecflow-ignore\s+([A-Za-z0-9_./*@-]+(?:\s*,\s*[A-Za-z0-9_./*@-]+)*)\s*(?::\s*(.*?))?\s*(?:\*\/|-->|#\}|%\}|$)/;

export interface InlineDirective {
  ruleIds: string[];
  reason?: string;
  line: number;
}

/** Reads a directive from one source line, if any. */
export function parseInlineDirective(text: string, line: number): InlineDirective | undefined {
  const m = INLINE.exec(text);
  if (!m) return undefined;
  const ruleIds = m[1]!.split(',').map((s) => s.trim());
  const reason = m[2]?.trim();
  return { ruleIds, line, ...(reason ? { reason } : {}) };
}

export function ruleMatches(pattern: string, ruleId: string): boolean {
  if (pattern === ruleId) return true;
  if (pattern.endsWith('*')) return ruleId.startsWith(pattern.slice(0, -1));
  return false;
}

/** Path a finding is about: its code location, else its package manifest. */
export function findingPath(f: Pick<Finding, 'location' | 'package'>): string | undefined {
  return f.location?.path ?? f.package?.manifest;
}

function expired(entry: { expires?: string | undefined }, now: Date): boolean {
  if (!entry.expires) return false;
  // A date without time expires at the end of that day (UTC).
  const end = /^\d{4}-\d{2}-\d{2}$/.test(entry.expires)
    ? new Date(`${entry.expires}T23:59:59.999Z`)
    : new Date(entry.expires);
  return now.getTime() > end.getTime();
}

const globCache = new Map<string, (p: string) => boolean>();
function glob(pattern: string): (p: string) => boolean {
  let m = globCache.get(pattern);
  if (!m) {
    m = globMatcher(pattern);
    globCache.set(pattern, m);
  }
  return m;
}

/** True when the team's path globs cover the path. */
export function pathInTeam(team: { paths: string[] }, path: string | undefined): boolean {
  return path !== undefined && team.paths.some((g) => glob(g)(path));
}

function ignoreMatches(entry: ResolvedIgnore, f: Finding): boolean {
  if (entry.rule && !ruleMatches(entry.rule, f.ruleId)) return false;
  if (entry.path) {
    const p = findingPath(f);
    if (!p || !glob(entry.path)(p)) return false;
  }
  if (entry.advisory) {
    const want = entry.advisory.toLowerCase();
    const ids = [f.ruleId, ...f.identifiers.map((i) => i.value)].map((v) => v.toLowerCase());
    if (!ids.includes(want)) return false;
  }
  if (entry.fingerprint && entry.fingerprint !== f.fingerprint) return false;
  return true;
}

export interface SuppressionInput {
  policy: Policy;
  /** Source lines of a file relative to the root (undefined when unreadable). */
  readLines(path: string): Promise<string[] | undefined>;
  now?: Date;
}

/**
 * Applies inline directives and config ignores (global and team). Findings stay in the report with
 * `suppression` set, so audits see them; the gate skips them. An expired ignore that still matches
 * a finding no longer suppresses it and is reported as a `devsecflow/expired-ignore` finding.
 */
export async function applySuppressions(findings: Finding[], input: SuppressionInput): Promise<Finding[]> {
  const now = input.now ?? new Date();
  const out: Finding[] = [];
  const expiredHits = new Map<ResolvedIgnore, Finding>();

  for (const f of findings) {
    if (f.suppression) {
      out.push(f);
      continue;
    }
    let suppression: Finding['suppression'];
    if (f.location) {
      const lines = await input.readLines(f.location.path);
      if (lines) {
        for (const ln of [f.location.startLine, f.location.startLine - 1]) {
          const text = lines[ln - 1];
          if (text === undefined || !text.includes('devsecflow-ignore')) continue;
          const d = parseInlineDirective(text, ln);
          if (d?.reason && d.ruleIds.some((r) => ruleMatches(r, f.ruleId))) {
            suppression = { kind: 'inline', reason: d.reason, source: `${f.location.path}:${ln}` };
            break;
          }
        }
      }
    }
    if (!suppression) {
      const path = findingPath(f);
      const teamIgnores = input.policy.teams.filter((t) => pathInTeam(t, path)).flatMap((t) => t.ignore);
      for (const entry of [...input.policy.ignore, ...teamIgnores]) {
        if (!ignoreMatches(entry, f)) continue;
        if (expired(entry, now)) {
          if (!expiredHits.has(entry)) expiredHits.set(entry, f);
          continue;
        }
        suppression = {
          kind: 'config',
          reason: entry.reason,
          source: entry.source,
          ...(entry.expires ? { expires: entry.expires } : {}),
        };
        break;
      }
    }
    out.push(suppression ? { ...f, suppression } : f);
  }

  for (const [entry, example] of expiredHits) {
    const selector = [
      entry.rule && `rule ${entry.rule}`,
      entry.path && `path ${entry.path}`,
      entry.advisory && `advisory ${entry.advisory}`,
      entry.fingerprint && `fingerprint ${entry.fingerprint}`,
    ]
      .filter(Boolean)
      .join(', ');
    const [file, line] = splitSource(entry.source);
    out.push({
      fingerprint: keyFingerprint('expired-ignore', entry.source, selector),
      stage: example.stage,
      ruleId: 'devsecflow/expired-ignore',
      title: 'Expired ignore',
      message: `The ignore for ${selector} expired on ${entry.expires} and no longer suppresses findings (reason given: "${entry.reason}"). Fix the findings or renew the ignore with a new expiry.`,
      severity: 'low',
      confidence: 'high',
      ...(file ? { location: { path: file, startLine: line ?? 1 } } : {}),
      identifiers: [{ type: 'rule', value: 'devsecflow/expired-ignore' }],
      references: [],
    });
  }
  return out;
}

function splitSource(source: string): [string | undefined, number | undefined] {
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(source);
  if (!m) return [source || undefined, undefined];
  return [m[1], Number(m[2])];
}
