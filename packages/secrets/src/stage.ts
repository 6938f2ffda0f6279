import {
  BINARY_EXTENSIONS,
  defineStage,
  type FindingDraft,
  keyFingerprint,
  normalisePath,
  type ReportError,
  type StageContext,
  type StageOutput,
  UserError,
  z,
} from '@devsecflow/core';
import { DEFAULT_MAX_LINE_LENGTH, type SecretScanStats } from './files.js';
import { type HistoryMatch, scanGitHistory, scanStaged } from './git.js';
import { defaultThreads, type ScanConfig, type ScanJob, scanFiles } from './pool.js';
import { DEFAULT_SECRET_SALT, secretSalt } from './redact.js';
import { RULES, type SecretRule } from './rules.js';
import type { SecretMatch } from './scanner.js';

const RULE_IDS = new Set(RULES.map((r) => r.id));
const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));

const regexSource = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'a valid JavaScript regular expression' },
);

/** The `stages.secrets` section of devsecflow.yml (gate fields are handled by core). */
export const SecretsOptionsSchema = z
  .object({
    rules: z
      .object({
        disable: z
          .array(
            z.string().refine((id) => RULE_IDS.has(id), { message: 'a rule id from docs/stages/secrets.md' }),
          )
          .optional()
          .describe('Rule ids to turn off.'),
      })
      .strict()
      .optional(),
    allowlist: z
      .object({
        paths: z
          .array(z.string().min(1))
          .optional()
          .describe('Globs of files never scanned (test fixtures, vendored code).'),
        values: z
          .array(z.string().min(1))
          .optional()
          .describe('Exact values to ignore: documented example keys only, never a real secret.'),
        hashes: z
          .array(z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character secretHash from a finding'))
          .optional()
          .describe('secretHash values of findings to ignore, so no value has to be written down.'),
        regexes: z.array(regexSource).optional().describe('Values matching one of these are ignored.'),
      })
      .strict()
      .optional(),
    since: z
      .string()
      .min(1)
      .refine((s) => !s.startsWith('-'), { message: 'a commit, branch or tag (not starting with "-")' })
      .optional()
      .describe('Scan the lines added by the commits in <since>..HEAD instead of the working tree.'),
    staged: z.boolean().optional().describe('Scan the staged changes (pre-commit hook).'),
    history: z.boolean().optional().describe('Scan every commit reachable from HEAD.'),
    changeCommits: z
      .boolean()
      .optional()
      .describe('Scan the commits of the current PR/MR: since its base, as the platform reports it.'),
    includeLockfiles: z.boolean().optional().describe('Scan lockfiles too (skipped by default).'),
    includeMinified: z
      .boolean()
      .optional()
      .describe('Scan minified bundles and source maps too (skipped by default).'),
    maxLineLength: z
      .number()
      .int()
      .min(200)
      .optional()
      .describe(`Longer lines are skipped (default ${DEFAULT_MAX_LINE_LENGTH}).`),
    threads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('Threads that scan a large tree, the main one included (default: cores).'),
  })
  .strict()
  .refine(
    (o) =>
      [o.since !== undefined, o.staged === true, o.history === true, o.changeCommits === true].filter(Boolean)
        .length <= 1,
    { message: 'choose at most one of since, staged, history and changeCommits' },
  );

export type SecretsOptions = z.infer<typeof SecretsOptionsSchema>;

const CWE_798 = {
  type: 'cwe' as const,
  value: 'CWE-798',
  url: 'https://cwe.mitre.org/data/definitions/798.html',
};

/** How a finding's salted hash was made; written into every finding so baselines can be checked. */
export function hashDescription(salt = secretSalt()): string {
  return salt === DEFAULT_SECRET_SALT
    ? `sha256(salt "${DEFAULT_SECRET_SALT}" + NUL + value)`
    : 'sha256(custom salt + NUL + value)';
}

/**
 * Finding fingerprint of a secret: rule + path + salted hash of the value. Line numbers are left
 * out so moving the secret keeps the fingerprint; the value itself never enters a baseline.
 */
export function secretFingerprint(ruleId: string, path: string, secretHash: string, occurrence = 0): string {
  const parts = ['secret', ruleId, normalisePath(path), secretHash];
  if (occurrence > 0) parts.push(String(occurrence));
  return keyFingerprint(...parts);
}

type Source = 'working-tree' | 'history' | 'staged';

/** A finding draft for one match; the raw value is not available here and never was. */
export function toFindingDraft(
  m: SecretMatch,
  path: string,
  source: Source,
  occurrence: number,
  extra: { commit?: string } = {},
): FindingDraft {
  const rule = RULES_BY_ID.get(m.ruleId) as SecretRule;
  const where = extra.commit
    ? ` added in commit ${extra.commit.slice(0, 12)}`
    : source === 'staged'
      ? ' in the staged changes'
      : '';
  const fingerprint = secretFingerprint(m.ruleId, path, m.secretHash, occurrence);
  return {
    ruleId: m.ruleId,
    title: m.title,
    message: `${m.title} (${m.maskedPreview})${where}. Revoke or rotate it with ${rule.provider === 'Generic' ? 'its issuer' : rule.provider}, then remove it from the code${source === 'history' ? ' and the history' : ''}; deleting the line does not make it safe.`,
    severity: m.severity,
    confidence: m.confidence,
    location: {
      path,
      startLine: m.startLine,
      startColumn: m.startColumn,
      endLine: m.endLine,
      endColumn: m.endColumn,
      snippet: m.snippet,
    },
    identifiers: [CWE_798, { type: 'rule', value: `secrets/${m.ruleId}` }],
    references: [rule.docs],
    fingerprint,
    fingerprintContext: `${m.ruleId}:${m.secretHash}`,
    properties: {
      maskedPreview: m.maskedPreview,
      secretHash: m.secretHash,
      secretHashAlgorithm: hashDescription(),
      length: m.length,
      entropy: m.entropy,
      provider: rule.provider,
      category: rule.category,
      source,
      ...(m.paired ? { paired: true } : {}),
      ...(extra.commit ? { commit: extra.commit } : {}),
    },
  };
}

/** Numbers the repeats of one secret in one file so each finding keeps a distinct fingerprint. */
function occurrenceCounter() {
  const seen = new Map<string, number>();
  return (ruleId: string, path: string, hash: string, commit = ''): number => {
    const k = `${ruleId}\u0000${path}\u0000${hash}\u0000${commit}`;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n;
  };
}

function configFrom(ctx: StageContext, o: SecretsOptions): ScanConfig {
  return {
    scanner: {
      ...(o.rules?.disable ? { disable: o.rules.disable } : {}),
      ...(o.allowlist?.values ? { allowValues: o.allowlist.values } : {}),
      ...(o.allowlist?.hashes ? { allowHashes: o.allowlist.hashes } : {}),
      ...(o.allowlist?.regexes ? { allowRegexes: o.allowlist.regexes } : {}),
      salt: secretSalt(),
    },
    files: {
      maxFileSize: ctx.policy.maxFileSize,
      maxLineLength: o.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
      includeLockfiles: o.includeLockfiles ?? false,
      includeMinified: o.includeMinified ?? false,
      ...(o.allowlist?.paths ? { allowPaths: o.allowlist.paths } : {}),
      binaryExtensions: [...BINARY_EXTENSIONS],
    },
  };
}

function statsRecord(
  stats: SecretScanStats & { commitsScanned?: number },
  extra: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = { rules: RULES.length, ...extra };
  for (const [k, v] of Object.entries(stats)) out[k === 'filesScanned' ? 'secrets.filesScanned' : k] = v;
  return out;
}

async function runHistory(ctx: StageContext, o: SecretsOptions, config: ScanConfig): Promise<StageOutput> {
  const source: Source = o.staged ? 'staged' : 'history';
  const common = { cwd: ctx.root, signal: ctx.signal, ...config };
  const result = o.staged
    ? await scanStaged(common)
    : await scanGitHistory({ ...common, ...(o.since ? { since: o.since } : {}) });
  const next = occurrenceCounter();
  const findings = result.matches.map((m: HistoryMatch) =>
    toFindingDraft(
      m,
      m.path,
      source,
      next(m.ruleId, m.path, m.secretHash, m.commit),
      m.commit ? { commit: m.commit } : {},
    ),
  );
  return { findings, stats: statsRecord(result.stats, { threads: 1 }) };
}

/** Scans the working tree through the shared walker. */
async function runTree(ctx: StageContext, o: SecretsOptions, config: ScanConfig): Promise<StageOutput> {
  const t0 = performance.now();
  // The walk feeds the scan as it goes, so walking and scanning overlap; a walked file is a scan
  // job as it is. The scanner sniffs for binary content itself (it reads every file anyway): the
  // walker opening each file a second time to do the same would double the I/O.
  const jobs: AsyncIterable<ScanJob> = ctx.files({ skipBinary: false });
  const { results, stats, threads } = await scanFiles(jobs, config, {
    threads: o.threads ?? defaultThreads(),
    signal: ctx.signal,
  });
  const findings: FindingDraft[] = [];
  const errors: ReportError[] = [];
  const next = occurrenceCounter();
  for (const r of results) {
    if (r.outcome.kind === 'error') errors.push({ path: r.path, message: r.outcome.message, kind: 'error' });
    if (r.outcome.kind !== 'scanned') continue;
    for (const m of r.outcome.matches)
      findings.push(toFindingDraft(m, r.path, 'working-tree', next(m.ruleId, r.path, m.secretHash)));
  }
  return {
    findings,
    errors,
    stats: statsRecord(stats, { threads, walkAndScanMs: Math.round(performance.now() - t0) }),
  };
}

/**
 * The secret detection stage: provider token formats (checksums checked where the format has
 * one), private keys, credential JWTs, URLs with passwords and generic high-entropy assignments,
 * in the working tree, the commits of a change (`since`), all of history, or the staged changes.
 * Values never leave the scanner: findings carry a masked preview and a salted hash.
 */
export const secretsStage = defineStage<SecretsOptions>({
  meta: {
    id: 'secrets',
    title: 'Secret detection',
    description:
      "Finds credentials committed to code: provider tokens (with checksum checks), private keys, JWTs, URLs with passwords and generic secrets, in the tree, a change's commits or the staged changes. Output is redacted.",
    diffScope: 'lines',
  },
  options: SecretsOptionsSchema as unknown as z.ZodType<SecretsOptions>,
  async run(ctx, options) {
    const config = configFrom(ctx, options);
    if (options.changeCommits) {
      const base =
        (await ctx.platform.context()).change?.baseSha ?? (ctx.diff?.available ? ctx.diff.base : undefined);
      if (!base) {
        throw new UserError(
          'secrets: changeCommits needs a PR/MR whose base commit the platform knows; outside one, pass since: <rev>',
        );
      }
      return runHistory(ctx, { ...options, changeCommits: false, since: base }, config);
    }
    if (options.staged || options.since !== undefined || options.history)
      return runHistory(ctx, options, config);
    return runTree(ctx, options, config);
  },
});
