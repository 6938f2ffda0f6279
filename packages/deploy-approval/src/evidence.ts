import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Severity } from '@devsecflow/core';
import canonicalize from 'canonicalize';

/** `prev` of the first record in a log. */
export const GENESIS_DIGEST = `sha256:${'0'.repeat(64)}`;
export const EVIDENCE_VERSION = 1 as const;

/** `sha256:<hex>` of bytes or a string. */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** RFC 8785 (JCS) canonical JSON: the same value always hashes the same, whatever the key order. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no JSON form');
  return text;
}

export function digestOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

export interface ReportEvidence {
  stage: string;
  /** Path relative to the root, as matched. */
  path: string;
  /** sha256 of the file's bytes, so an auditor can hash the artifact and compare. */
  digest: string;
  status: string;
  commit?: string;
  gatePassed?: boolean;
  tool: { name: string; version: string };
}

export interface SuppressionEvidence {
  stage: string;
  ruleId: string;
  fingerprint: string;
  severity: Severity;
  kind: string;
  reason: string;
  source?: string;
  expires?: string;
}

export interface ApproverEvidence {
  user: string;
  at: string;
  commit?: string;
  teams?: string[];
}

/** The decision and everything it was based on. `seq`, `prev` and `digest` are set on append. */
export interface EvidenceBody {
  version: typeof EVIDENCE_VERSION;
  time: string;
  environment: string;
  platform: string;
  repository?: string;
  commit?: string;
  ref?: string;
  change?: { id: number; author?: string; url?: string };
  decision: 'approved' | 'blocked';
  reasons: { rule: string; message: string; stage?: string }[];
  reports: ReportEvidence[];
  /** Unsuppressed findings by severity, over every report read. */
  findings: Record<Severity, number> & { suppressed: number };
  suppressions: SuppressionEvidence[];
  approvers: ApproverEvidence[];
  ignoredApprovals: { user: string; reason: string }[];
  freezes: string[];
  policy: { digest: string; value: unknown };
  tools: Record<string, string>;
}

export interface EvidenceRecord extends EvidenceBody {
  seq: number;
  prev: string;
  digest: string;
}

/** The digest a record must carry: over its canonical JSON without the `digest` member. */
export function recordDigest(record: Omit<EvidenceRecord, 'digest'> | Record<string, unknown>): string {
  const { digest: _d, ...rest } = record as Record<string, unknown>;
  return digestOf(rest);
}

/** A link or content problem in a log, by 1-based line. */
export interface EvidenceProblem {
  line: number;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records read. */
  records: number;
  /** Digest of the last record: publish it elsewhere and pass it as `expectedHead` later to detect truncation. */
  head: string;
  problems: EvidenceProblem[];
}

/**
 * Checks a hash-chained evidence log: every line is JSON, carries the digest of its own content,
 * the previous record's digest, and its position. An edited record breaks its own digest; a deleted,
 * inserted or reordered record breaks the next record's `prev` and the sequence. Records removed
 * from the end leave a valid shorter chain: pass the head recorded elsewhere as `expectedHead`.
 */
export function verifyEvidenceText(text: string, file = 'evidence log', expectedHead?: string): VerifyResult {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const problems: EvidenceProblem[] = [];
  let prev = GENESIS_DIGEST;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const say = (message: string) => problems.push({ line, message: `${file}:${line}: ${message}` });
    let rec: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      rec = parsed as Record<string, unknown>;
    } catch {
      say('not a JSON evidence record (the line was edited or truncated)');
      prev = 'unknown';
      return;
    }
    const actual = recordDigest(rec);
    if (typeof rec.digest !== 'string' || typeof rec.prev !== 'string') {
      say('not an evidence record (no digest or prev): the line was replaced or edited');
    } else if (rec.digest !== actual) {
      say(
        `record digest does not match its content: the record was edited (expected ${String(rec.digest)}, content hashes to ${actual})`,
      );
    } else if (prev !== 'unknown' && rec.prev !== prev) {
      say(
        line === 1
          ? 'the first record does not start the chain (records before it were deleted)'
          : `prev does not match the digest of line ${line - 1}: a record was deleted, inserted or reordered before this line`,
      );
    } else if (rec.seq !== i) {
      say(
        `record number ${String(rec.seq)} found where ${i} was expected: records were deleted, inserted or reordered`,
      );
    }
    // An edit already reported here leaves the stored digest for the next line to link to, so one
    // edit is reported once; an edit with a recomputed digest is caught by the next line's prev.
    prev = typeof rec.digest === 'string' ? rec.digest : actual;
  });
  if (expectedHead !== undefined && problems.length === 0 && prev !== expectedHead) {
    problems.push({
      line: lines.length,
      message: `${file}:${lines.length}: the log ends with ${prev}, expected head ${expectedHead}: records were removed from the end or the log was replaced`,
    });
  }
  return {
    ok: problems.length === 0,
    records: lines.length,
    head: lines.length ? prev : GENESIS_DIGEST,
    problems,
  };
}

/** Reads and verifies a log file. A missing file is an empty, valid log. */
export async function verifyEvidenceLog(
  path: string,
  options: { expectedHead?: string } = {},
): Promise<VerifyResult> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return verifyEvidenceText(text, path, options.expectedHead);
}

/**
 * Appends one record to the log after verifying the chain so far (a broken chain is never extended:
 * the error names the line). Holds `<log>.lock` meanwhile, so two deploys on one file system cannot
 * claim the same place in the chain. Returns the record as written.
 */
export async function appendEvidence(
  path: string,
  body: EvidenceBody,
  lock: { timeoutMs?: number; staleMs?: number } = {},
): Promise<EvidenceRecord> {
  await mkdir(dirname(path), { recursive: true });
  const release = await acquireLock(`${path}.lock`, lock.timeoutMs ?? 30_000, lock.staleMs ?? 300_000);
  try {
    const state = await verifyEvidenceLog(path);
    if (!state.ok) {
      throw new EvidenceLogError(`evidence log is broken, not appending: ${state.problems[0]!.message}`);
    }
    const partial = { ...body, seq: state.records, prev: state.head };
    const record: EvidenceRecord = { ...partial, digest: recordDigest(partial) };
    await appendFile(path, `${JSON.stringify(record)}\n`, { flag: 'a' });
    return record;
  } finally {
    await release();
  }
}

/** An exclusive lock file; one left behind by a crashed run is taken over once older than `staleMs`. */
async function acquireLock(file: string, timeoutMs: number, staleMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => unlink(file).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleMs) {
        await unlink(file).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new EvidenceLogError(
          `${file} is held by another deploy (waited ${Math.round(timeoutMs / 1000)} s)`,
        );
      }
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
}

/** Writes a single record as pretty JSON. */
export async function writeEvidence(path: string, record: EvidenceRecord | EvidenceBody): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** The log exists but its chain does not hold. */
export class EvidenceLogError extends Error {
  override name = 'EvidenceLogError';
}

/** What `devsecflow evidence verify` prints, and its exit code (0 intact, 1 tampering detected). */
export function describeVerifyResult(
  result: VerifyResult,
  file: string,
): { lines: string[]; exitCode: 0 | 1 } {
  if (result.ok) {
    return {
      lines: [`${file}: ${result.records} record(s), chain intact, head ${result.head}`],
      exitCode: 0,
    };
  }
  return {
    lines: [
      ...result.problems.map((p) => p.message),
      `${file}: ${result.problems.length} problem(s) in ${result.records} record(s): the log was altered`,
    ],
    exitCode: 1,
  };
}
