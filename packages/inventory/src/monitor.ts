import { createHash } from 'node:crypto';
import { type ReportError, type Severity, severityRank } from '@devsecflow/core';
import {
  type AdvisorySource,
  groupByAlias,
  type OsvVuln,
  primaryId,
  smallestFix,
  vulnSeverity,
} from '@devsecflow/deps';
import { matchComponents } from './match.js';
import { type IssueDraft, type IssueTracker, issueMarker } from './tracker.js';
import type { InventoryStore, IssueRef, SeenAdvisory } from './types.js';
import { postWebhook, type WebhookOptions } from './webhook.js';

export interface MonitorOptions {
  store: InventoryStore;
  /** Current advisory data: deps' `OsvApi` (online) or `OfflineDb` (a dump). */
  source: AdvisorySource;
  /** Where owners are told; without one, only the state and the webhook record events. */
  tracker?: IssueTracker;
  webhook?: WebhookOptions;
  /** The run's clock (tests pin it). */
  now?: Date;
  /** Compute and return the events, change nothing (no issues, no webhook, no state). */
  dryRun?: boolean;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** One affected package in one environment of an application. */
export interface AffectedPackage {
  environment: string;
  commit: string;
  deployedAt: string;
  ecosystem: string;
  name: string;
  version: string;
  purl?: string;
  /** Smallest version that clears the advisory on this package, when one exists. */
  fixedIn?: string;
}

/** What the monitor tells: one per application + advisory whose status changed this run. */
export interface MonitorEvent {
  type: 'opened' | 'reopened' | 'updated' | 'closed';
  application: string;
  advisory: {
    id: string;
    aliases: string[];
    summary?: string;
    /** Highest severity among the advisory's records; absent on `closed` (no record is matched any more). */
    severity?: Severity;
    modified: string;
    url: string;
  };
  /** Environments (latest deploys) running an affected version; empty when closed. */
  environments: { environment: string; commit: string; deployedAt: string }[];
  packages: AffectedPackage[];
  owners: string[];
  issue?: IssueRef;
}

export interface MonitorResult {
  events: MonitorEvent[];
  /** Application + advisory pairs still open and unchanged (already told). */
  unchanged: number;
  /** Latest deployments checked. */
  deployments: number;
  /** Advisory lookups, tracker calls or webhooks that failed. */
  errors: ReportError[];
  /**
   * True when the advisory source failed: new advisories may be missing, and nothing was closed
   * (absence cannot be proven from an incomplete answer).
   */
  partial: boolean;
}

interface Current {
  application: string;
  advisoryId: string;
  vulns: Map<string, OsvVuln>;
  packages: AffectedPackage[];
  owners: Set<string>;
}

// Tracker and webhook failures are operational (network, permissions), not bugs: their message is enough.
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

const compareSeverityDesc = (a: Severity, b: Severity) => severityRank(b) - severityRank(a);

const latestModified = (vulns: Iterable<OsvVuln>) =>
  [...vulns]
    .map((v) => v.modified ?? '')
    .sort()
    .at(-1) ?? '';

/** Application + advisory pairs affected now, aliases of one flaw merged under its primary id. */
async function currentState(
  store: InventoryStore,
  source: AdvisorySource,
  signal?: AbortSignal,
): Promise<{
  current: Map<string, Current>;
  errors: ReportError[];
  deployments: number;
  owners: Map<string, Set<string>>;
}> {
  const deployments = await store.latestDeployments({ sbom: false });
  const owners = new Map<string, Set<string>>();
  for (const d of deployments)
    owners.set(d.application, new Set([...(owners.get(d.application) ?? []), ...d.owners]));
  const hits = await store.findComponents({ latestOnly: true });
  const { affected, errors } = await matchComponents(hits, source, signal);
  const current = new Map<string, Current>();
  const byApp = new Map<string, typeof affected>();
  for (const a of affected) {
    const list = byApp.get(a.hit.deployment.application) ?? [];
    list.push(a);
    byApp.set(a.hit.deployment.application, list);
  }
  for (const [application, list] of byApp) {
    const all = new Map<string, OsvVuln>();
    for (const a of list) for (const v of a.vulns) all.set(v.id, v);
    const primaryOf = new Map<string, string>();
    for (const group of groupByAlias([...all.values()])) {
      const id = primaryId(group.flatMap((v) => [v.id, ...(v.aliases ?? [])]));
      for (const v of group) primaryOf.set(v.id, id);
    }
    for (const { hit, vulns } of list) {
      const byAdvisory = new Map<string, OsvVuln[]>();
      for (const v of vulns) {
        const id = primaryOf.get(v.id)!;
        byAdvisory.set(id, [...(byAdvisory.get(id) ?? []), v]);
      }
      for (const [advisoryId, group] of byAdvisory) {
        const key = `${application}\0${advisoryId}`;
        let c = current.get(key);
        if (!c) {
          c = { application, advisoryId, vulns: new Map(), packages: [], owners: new Set() };
          current.set(key, c);
        }
        for (const v of group) c.vulns.set(v.id, v);
        for (const o of hit.deployment.owners) c.owners.add(o);
        const { component: p, deployment: d } = hit;
        const fixedIn = smallestFix(group, { ecosystem: p.ecosystem, name: p.name, version: p.version });
        c.packages.push({
          environment: d.environment,
          commit: d.commit,
          deployedAt: d.time,
          ecosystem: p.ecosystem,
          name: p.name,
          version: p.version,
          ...(p.purl ? { purl: p.purl } : {}),
          ...(fixedIn ? { fixedIn } : {}),
        });
      }
    }
  }
  return { current, errors, deployments: deployments.length, owners };
}

function eventFor(type: MonitorEvent['type'], c: Current, issue?: IssueRef): MonitorEvent {
  const vulns = [...c.vulns.values()];
  const severity = vulns.map((v) => vulnSeverity(v).severity).sort(compareSeverityDesc)[0];
  const aliases = [...new Set(vulns.flatMap((v) => [v.id, ...(v.aliases ?? [])]))]
    .filter((id) => id !== c.advisoryId)
    .sort();
  const summary = vulns.find((v) => v.summary)?.summary;
  const envs = new Map<string, MonitorEvent['environments'][number]>();
  for (const p of c.packages)
    envs.set(p.environment, { environment: p.environment, commit: p.commit, deployedAt: p.deployedAt });
  return {
    type,
    application: c.application,
    advisory: {
      id: c.advisoryId,
      aliases,
      ...(summary ? { summary } : {}),
      ...(severity ? { severity } : {}),
      modified: latestModified(vulns),
      url: `https://osv.dev/vulnerability/${encodeURIComponent(c.advisoryId)}`,
    },
    environments: [...envs.values()].sort((a, b) => a.environment.localeCompare(b.environment)),
    packages: [...c.packages].sort((a, b) =>
      `${a.environment} ${a.name} ${a.version}`.localeCompare(`${b.environment} ${b.name} ${b.version}`),
    ),
    owners: [...c.owners].sort(),
    ...(issue ? { issue } : {}),
  };
}

/** What owners were told about, as a digest: a new environment or version running the flaw is news. */
function detailOf(c: Current): string {
  const parts = c.packages
    .map((p) => `${p.environment}\0${p.commit}\0${p.ecosystem}\0${p.name}\0${p.version}`)
    .sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** The issue key of one application + advisory. */
export function issueKey(application: string, advisoryId: string): string {
  return `devsecflow-monitor:${application}:${advisoryId}`;
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Title and Markdown body of the issue for an event. */
export function issueDraft(e: MonitorEvent): IssueDraft {
  const key = issueKey(e.application, e.advisory.id);
  const a = e.advisory;
  const lines = [
    `**${a.id}** (${a.severity ?? 'severity unknown'})${a.summary ? `: ${escapeCell(a.summary)}` : ''}`,
    '',
    `Deployed versions of **${e.application}** are affected.${a.aliases.length ? ` Also known as ${a.aliases.join(', ')}.` : ''}`,
    '',
    '| Environment | Commit | Package | Version | Fixed in |',
    '| --- | --- | --- | --- | --- |',
    ...e.packages.map(
      (p) =>
        `| ${escapeCell(p.environment)} | ${escapeCell(p.commit.slice(0, 12))} | ${escapeCell(`${p.ecosystem}:${p.name}`)} | ${escapeCell(p.version)} | ${p.fixedIn ? escapeCell(p.fixedIn) : 'no fix yet'} |`,
    ),
    '',
    `Advisory: ${a.url} (last modified ${a.modified}).`,
    e.owners.length ? `Owners: ${e.owners.join(' ')}` : 'No owners are recorded for this application.',
    '',
    'Opened by `devsecflow monitor`; it updates this issue when the advisory changes and closes it when a later deploy no longer has the affected versions.',
    '',
    issueMarker(key),
  ];
  return {
    key,
    title:
      `${a.id}${a.severity ? ` (${a.severity})` : ''} affects ${e.application}${a.summary ? `: ${a.summary}` : ''}`.slice(
        0,
        250,
      ),
    body: lines.join('\n'),
    labels: ['security', 'devsecflow'],
    assignees: e.owners.filter((o) => /^@[^/\s]+$/.test(o)).map((o) => o.slice(1)),
  };
}

/**
 * One monitoring run: re-matches every application's latest deployments against current advisory
 * data and tells owners about what changed since the last run, once per application + advisory:
 * opened (new), updated (the advisory's `modified` changed), closed (a later deploy no longer has
 * it), reopened. State is saved only after the tracker accepted the change, so a failed call is
 * retried next run; the tracker's `find(key)` makes a retry reuse the issue rather than duplicate it.
 */
export async function monitor(options: MonitorOptions): Promise<MonitorResult> {
  const { store, tracker } = options;
  const now = (options.now ?? new Date()).toISOString();
  const log = options.log ?? (() => undefined);
  const { current, errors, deployments, owners } = await currentState(store, options.source, options.signal);
  const partial = errors.length > 0;
  if (partial) log(`advisory lookups failed (${errors.length}); nothing will be closed this run`);
  const seen = new Map((await store.listSeen()).map((s) => [`${s.application}\0${s.advisoryId}`, s]));
  const events: MonitorEvent[] = [];
  let unchanged = 0;

  const apply = async (event: MonitorEvent, previous: SeenAdvisory | undefined, detail?: string) => {
    if (options.dryRun) {
      events.push(event);
      return;
    }
    const draft = issueDraft(event);
    let issue = previous?.issue;
    try {
      if (tracker) {
        if (event.type === 'closed') {
          if (issue) {
            await tracker.close(
              issue,
              `The latest deploys of ${event.application} no longer contain a version affected by ${event.advisory.id}. Closed by \`devsecflow monitor\`.`,
            );
          }
        } else {
          issue ??= await tracker
            .find(draft.key)
            .then((f) => (f ? { id: f.id, ...(f.url ? { url: f.url } : {}) } : undefined));
          if (issue) await tracker.update(issue, draft);
          else issue = await tracker.create(draft);
        }
      }
    } catch (e) {
      errors.push({ message: `issue for ${event.application} / ${event.advisory.id}: ${messageOf(e)}` });
      return;
    }
    const ev = issue ? { ...event, issue } : event;
    await store.saveSeen({
      application: event.application,
      advisoryId: event.advisory.id,
      modified:
        event.type === 'closed' ? (previous?.modified ?? event.advisory.modified) : event.advisory.modified,
      ...(detail ? { detail } : {}),
      status: event.type === 'closed' ? 'closed' : 'open',
      ...(issue ? { issue } : {}),
      firstSeen: previous?.firstSeen ?? now,
      lastSeen: now,
    });
    events.push(ev);
    if (options.webhook) {
      try {
        await postWebhook(options.webhook, ev);
      } catch (e) {
        errors.push({ message: messageOf(e) });
      }
    }
  };

  for (const [key, c] of [...current].sort(([a], [b]) => a.localeCompare(b))) {
    const s = seen.get(key);
    if (!s || s.status === 'closed') {
      await apply(eventFor(s ? 'reopened' : 'opened', c), s, detailOf(c));
    } else if (
      s.modified !== latestModified(c.vulns.values()) ||
      (s.detail !== undefined && s.detail !== detailOf(c))
    ) {
      await apply(eventFor('updated', c), s, detailOf(c));
    } else {
      unchanged++;
    }
  }
  if (!partial) {
    for (const [key, s] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
      if (s.status !== 'open' || current.has(key)) continue;
      const gone: Current = {
        application: s.application,
        advisoryId: s.advisoryId,
        vulns: new Map(),
        packages: [],
        owners: owners.get(s.application) ?? new Set(),
      };
      const ev = eventFor('closed', gone);
      await apply({ ...ev, advisory: { ...ev.advisory, modified: s.modified } }, s);
    }
  }
  return { events, unchanged, deployments, errors, partial };
}

/** The CLI's exit code for a run: 0 all done, 3 when the run was partial or something failed (retried next run). */
export function monitorExitCode(result: MonitorResult): 0 | 3 {
  return result.partial || result.errors.length ? 3 : 0;
}

/** Human summary of a run: one line per event, then totals and errors. */
export function formatMonitorText(result: MonitorResult): string {
  const lines = result.events.map((e) => {
    const issue = e.issue ? ` (issue ${e.issue.url ?? `#${e.issue.id}`})` : '';
    const where = e.environments.length ? ` in ${e.environments.map((x) => x.environment).join(', ')}` : '';
    return `${e.type.padEnd(8)} ${e.application} ${e.advisory.id}${e.advisory.severity ? ` [${e.advisory.severity}]` : ''}${where}${issue}`;
  });
  lines.push(
    `${result.deployments} deployments checked: ${result.events.length} change(s), ${result.unchanged} already reported${result.partial ? ', PARTIAL (advisory lookups failed; nothing was closed)' : ''}`,
  );
  for (const e of result.errors) lines.push(`error: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON document `monitor --json` prints. */
export function formatMonitorJson(result: MonitorResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
