import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyBaseline, type Baseline } from './baseline.js';
import { stageOwnOptions, validateAt } from './config.js';
import { isChangedLine } from './diff.js';
import { isUserError } from './errors.js';
import { codeFingerprint, keyFingerprint, normalisePath, packageFingerprint } from './fingerprint.js';
import { evaluateGate, type GateOverrides } from './gate.js';
import { createConsoleLogger, type Logger } from './logger.js';
import { type Finding, type Report, type ReportError, ReportSchema, SCHEMA_VERSION } from './model.js';
import type { DiffInfo, Platform } from './platform.js';
import type { Policy } from './policy.js';
import type { FindingDraft, Stage, StageContext } from './stage.js';
import { applySuppressions, findingPath } from './suppress.js';
import { walkFiles } from './walker.js';
import { emptyWalkStats, type Shard, type WalkStats } from './walker-types.js';

export interface RunStageInput {
  /** Absolute path of the tree to scan. */
  root: string;
  policy: Policy;
  platform: Platform;
  logger?: Logger;
  shard?: Shard;
  /** Changed lines, when diff-aware mode is on (whether or not they could be determined). */
  diff?: DiffInfo;
  /** Option overrides (CLI flags, action inputs) merged over the stage's config section. */
  options?: Record<string, unknown>;
  baseline?: Baseline;
  tool: { name: string; version: string };
  target?: { commit?: string; ref?: string };
  gateOverrides?: GateOverrides;
  signal?: AbortSignal;
  now?: () => Date;
}

/** Builds the context a stage runs in: the shared walker with the policy's excludes, size limit and shard. */
export function createStageContext(
  input: Pick<RunStageInput, 'root' | 'policy' | 'platform' | 'logger' | 'shard' | 'diff' | 'signal'>,
): StageContext {
  const walkStats: WalkStats = emptyWalkStats();
  const logger = input.logger ?? input.platform.logger ?? createConsoleLogger();
  return {
    root: input.root,
    policy: input.policy,
    logger,
    platform: input.platform,
    ...(input.shard ? { shard: input.shard } : {}),
    ...(input.diff ? { diff: input.diff } : {}),
    signal: input.signal ?? new AbortController().signal,
    walkStats,
    files: (options = {}) =>
      walkFiles(
        {
          root: input.root,
          maxFileSize: input.policy.maxFileSize,
          ...options,
          exclude: [...input.policy.exclude, ...(options.exclude ?? [])],
          ...(input.shard ? { shard: input.shard } : {}),
        },
        walkStats,
      ),
  };
}

/** Caches file lines for suppressions and fingerprints; files that cannot be read give undefined. */
function lineReader(root: string, maxSize: number) {
  const cache = new Map<string, Promise<string[] | undefined>>();
  return (path: string): Promise<string[] | undefined> => {
    let p = cache.get(path);
    if (!p) {
      p = readFile(join(root, path))
        .then((buf) => (buf.length > maxSize ? undefined : buf.toString('utf8').split(/\r?\n/)))
        .catch(() => undefined);
      cache.set(path, p);
    }
    return p;
  };
}

async function finalise(
  stageId: Stage['meta']['id'],
  drafts: FindingDraft[],
  readLines: (p: string) => Promise<string[] | undefined>,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const d of drafts) {
    const { fingerprintContext, fingerprint, identifiers, references, ...rest } = d;
    const location = rest.location
      ? { ...rest.location, path: normalisePath(rest.location.path) }
      : undefined;
    let fp = fingerprint;
    if (!fp) {
      if (location) {
        let context = fingerprintContext ?? location.snippet;
        if (context === undefined) {
          const lines = await readLines(location.path);
          context =
            lines?.slice(location.startLine - 1, location.endLine ?? location.startLine).join('\n') ?? '';
        }
        fp = codeFingerprint(rest.ruleId, location.path, context);
      } else if (rest.package) {
        const p = rest.package;
        fp = packageFingerprint(rest.ruleId, p.ecosystem, p.name, p.version, p.manifest);
      } else {
        fp = keyFingerprint(stageId, rest.ruleId, fingerprintContext ?? rest.message);
      }
    }
    findings.push({
      ...rest,
      ...(location ? { location } : {}),
      fingerprint: fp,
      stage: stageId,
      identifiers: identifiers ?? [],
      references: references ?? [],
    });
  }
  // Identical code flagged twice in one file shares a base fingerprint: number the repeats in
  // source order so each stays distinct and stable.
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const g = groups.get(f.fingerprint) ?? [];
    g.push(f);
    groups.set(f.fingerprint, g);
  }
  for (const [fp, group] of groups) {
    if (group.length < 2) continue;
    group.sort(
      (a, b) =>
        (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0) ||
        (a.location?.startColumn ?? 0) - (b.location?.startColumn ?? 0),
    );
    group.forEach((f, i) => {
      if (i > 0) f.fingerprint = keyFingerprint(fp, String(i));
    });
  }
  return findings;
}

function applyDiff(
  findings: Finding[],
  diff: DiffInfo | undefined,
  scope: Stage['meta']['diffScope'],
): { findings: Finding[]; info?: Report['diff'] } {
  if (!diff || scope === 'none') return { findings };
  if (!diff.available) return { findings, info: { applied: false, reason: diff.reason } };
  const files = new Map(diff.files.map((f) => [f.path, f]));
  const kept = findings.filter((f) => {
    const path = findingPath(f);
    if (path === undefined) return true;
    if (scope === 'files' || !f.location) return files.has(normalisePath(path));
    return isChangedLine(files, path, f.location.startLine);
  });
  return {
    findings: kept,
    info: {
      applied: true,
      ...(diff.base ? { base: diff.base } : {}),
      removed: findings.length - kept.length,
    },
  };
}

/**
 * Runs one stage the same way for every entry point (CLI, actions, templates): validates its
 * options, times it, turns a crash into a `failed` report and unscannable input into `partial`,
 * then applies fingerprints, suppressions, the baseline, the diff filter and the stage's gate.
 * Only user mistakes (bad options, bad input named by the user) are thrown.
 */
export async function runStage<O>(stage: Stage<O>, input: RunStageInput): Promise<Report> {
  const now = input.now ?? (() => new Date());
  const startedAt = now();
  const id = stage.meta.id;
  const section = input.policy.stages[id];
  const ownOptions = { ...stageOwnOptions(section), ...(input.options ?? {}) };
  const configFile = input.policy.files.at(-1) ?? 'devsecflow.yml';
  const options = validateAt(stage.options, ownOptions, configFile, input.policy.locate, ['stages', id]);

  const context = createStageContext(input);
  const logger = context.logger;
  const errors: ReportError[] = [];
  let drafts: FindingDraft[] = [];
  let status: Report['status'] = 'ok';
  let stageStats: Record<string, number> = {};
  let tool = input.tool;
  let diffScope = stage.meta.diffScope;
  try {
    const out = await stage.run(context, options);
    drafts = out.findings;
    errors.push(...(out.errors ?? []));
    stageStats = out.stats ?? {};
    if (out.tool) tool = out.tool;
    if (out.diffScope) diffScope = out.diffScope;
    status = out.status ?? (errors.some((e) => (e.kind ?? 'error') === 'error') ? 'partial' : 'ok');
  } catch (e) {
    if (isUserError(e)) throw e;
    status = 'failed';
    errors.push({ message: `stage ${id} crashed: ${(e as Error)?.message ?? String(e)}`, kind: 'error' });
    logger.debug((e as Error)?.stack ?? String(e));
  }

  const ws = context.walkStats;
  for (const s of ws.skippedFiles) {
    if (s.reason === 'unreadable') {
      errors.push({ message: `could not read: ${s.detail ?? 'unreadable'}`, path: s.path, kind: 'error' });
      if (status === 'ok') status = 'partial';
    }
  }

  const readLines = lineReader(input.root, Math.max(input.policy.maxFileSize, 1));
  let findings = await finalise(id, drafts, readLines);
  findings = await applySuppressions(findings, {
    policy: input.policy,
    readLines,
    now: startedAt,
  });
  findings = applyBaseline(findings, input.baseline);
  const diffed = applyDiff(findings, section?.diffAware === false ? undefined : input.diff, diffScope);
  findings = diffed.findings;
  if (diffed.info && !diffed.info.applied) logger.warn(`${id}: ${diffed.info.reason}`);

  const stats: Record<string, number> = {
    ...stageStats,
    findings: findings.length,
    suppressed: findings.filter((f) => f.suppression).length,
    durationMs: now().getTime() - startedAt.getTime(),
  };
  if (ws.filesSeen > 0) {
    stats.filesScanned = ws.filesYielded;
    stats.filesSkipped = ws.filesSeen - ws.filesYielded;
    for (const [reason, n] of Object.entries(ws.skipped)) if (n > 0) stats[`skipped.${reason}`] = n;
  }
  for (const s of ws.skippedFiles)
    logger.debug(`skipped ${s.path}: ${s.reason}${s.detail ? ` (${s.detail})` : ''}`);

  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    stage: id,
    tool,
    target: {
      root: input.root,
      ...(input.target?.commit ? { commit: input.target.commit } : {}),
      ...(input.target?.ref ? { ref: input.target.ref } : {}),
    },
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    status,
    findings,
    errors: errors.map((e) => ({ ...e, kind: e.kind ?? 'error' })),
    stats,
    ...(diffed.info ? { diff: diffed.info } : {}),
  };
  report.gate = evaluateGate([report], { ...input.policy, requiredStages: [] }, input.gateOverrides);
  const checked = ReportSchema.safeParse(report);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new Error(`stage ${id} produced an invalid report at ${issue.path.join('.')}: ${issue.message}`);
  }
  return checked.data;
}
