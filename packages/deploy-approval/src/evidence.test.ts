import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendEvidence,
  canonicalJson,
  describeVerifyResult,
  digestOf,
  type EvidenceBody,
  GENESIS_DIGEST,
  recordDigest,
  verifyEvidenceLog,
} from './evidence.js';
import { SHA, tree } from './test-helpers.js';

function body(i: number, over: Partial<EvidenceBody> = {}): EvidenceBody {
  return {
    version: 1,
    time: `2026-11-2${i}T10:00:00.000Z`,
    environment: 'production',
    platform: 'github',
    commit: SHA,
    decision: 'approved',
    reasons: [],
    reports: [],
    findings: { critical: 0, high: 0, medium: i, low: 0, info: 0, suppressed: 0 },
    suppressions: [],
    approvers: [{ user: `reviewer${i}`, at: '2026-11-20T09:00:00Z', commit: SHA }],
    ignoredApprovals: [],
    freezes: [],
    policy: { digest: digestOf({ minApprovals: 1 }), value: { minApprovals: 1 } },
    tools: { node: 'v20' },
    ...over,
  };
}

async function logOf(count: number): Promise<{ path: string; lines: string[] }> {
  const path = join(tree({}), '.devsecflow', 'evidence.jsonl');
  for (let i = 0; i < count; i++) await appendEvidence(path, body(i));
  return { path, lines: readFileSync(path, 'utf8').trimEnd().split('\n') };
}

describe('canonical JSON', () => {
  it('is independent of key order (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(digestOf({ b: 1, a: 2 })).toBe(digestOf({ a: 2, b: 1 }));
    expect(digestOf({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('hash-chained log', () => {
  it('chains records from the genesis digest and verifies', async () => {
    const { path, lines } = await logOf(3);
    const recs = lines.map((l) => JSON.parse(l));
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(recs[0].prev).toBe(GENESIS_DIGEST);
    expect(recs[1].prev).toBe(recs[0].digest);
    expect(recs[2].prev).toBe(recs[1].digest);
    for (const r of recs) expect(recordDigest(r)).toBe(r.digest);
    const v = await verifyEvidenceLog(path);
    expect(v).toMatchObject({ ok: true, records: 3, head: recs[2].digest, problems: [] });
  });

  it('a missing log is empty and valid', async () => {
    expect(await verifyEvidenceLog(join(tree({}), 'none.jsonl'))).toMatchObject({
      ok: true,
      records: 0,
      head: GENESIS_DIGEST,
    });
  });

  it('detects an edited record and names its line', async () => {
    const { path, lines } = await logOf(3);
    const rec = JSON.parse(lines[1]!);
    rec.decision = 'blocked';
    lines[1] = JSON.stringify(rec);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]!.line).toBe(2);
    expect(v.problems[0]!.message).toContain(`${path}:2: record digest does not match its content`);
  });

  it('detects an edited record whose digest was recomputed, at the next line', async () => {
    const { path, lines } = await logOf(3);
    const rec = JSON.parse(lines[1]!);
    rec.approvers = [{ user: 'mallory', at: '2026-11-20T09:00:00Z' }];
    rec.digest = recordDigest(rec);
    lines[1] = JSON.stringify(rec);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.problems.map((p) => p.line)).toEqual([3]);
    expect(v.problems[0]!.message).toMatch(/:3: prev does not match the digest of line 2/);
  });

  it('detects a deleted record', async () => {
    const { path, lines } = await logOf(4);
    lines.splice(1, 1);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({ line: 2 });
    expect(v.problems[0]!.message).toContain('deleted, inserted or reordered');
  });

  it('detects a deleted first record', async () => {
    const { path, lines } = await logOf(2);
    writeFileSync(path, `${lines[1]}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.problems[0]!.message).toContain(':1: the first record does not start the chain');
  });

  it('detects reordered records', async () => {
    const { path, lines } = await logOf(3);
    writeFileSync(path, `${[lines[0], lines[2], lines[1]].join('\n')}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.problems.map((p) => p.line)).toEqual([2, 3]);
  });

  it('detects records removed from the end against a head kept elsewhere', async () => {
    const { path, lines } = await logOf(3);
    const head = JSON.parse(lines[2]!).digest;
    expect((await verifyEvidenceLog(path, { expectedHead: head })).ok).toBe(true);
    writeFileSync(path, `${lines.slice(0, 2).join('\n')}\n`);
    const v = await verifyEvidenceLog(path, { expectedHead: head });
    expect(v.ok).toBe(false);
    expect(v.problems[0]!.message).toMatch(/:2: the log ends with sha256:[0-9a-f]+, expected head/);
  });

  it('detects a line that is not JSON', async () => {
    const { path, lines } = await logOf(2);
    writeFileSync(path, `${lines[0]}\n${lines[1]!.slice(0, 40)}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.problems[0]!.message).toContain(':2: not a JSON evidence record');
  });

  it('never extends a broken chain', async () => {
    const { path, lines } = await logOf(2);
    writeFileSync(path, `${lines[1]}\n`);
    await expect(appendEvidence(path, body(5))).rejects.toThrow(
      /evidence log is broken, not appending: .*:1: the first record/,
    );
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('describeVerifyResult', () => {
  it('prints the head when intact and every problem otherwise, with the exit code', async () => {
    const { path, lines } = await logOf(2);
    const ok = describeVerifyResult(await verifyEvidenceLog(path), 'evidence.jsonl');
    expect(ok).toEqual({
      lines: [`evidence.jsonl: 2 record(s), chain intact, head ${JSON.parse(lines[1]!).digest}`],
      exitCode: 0,
    });
    writeFileSync(path, `${lines[1]}\n${lines[0]}\n`);
    const bad = describeVerifyResult(await verifyEvidenceLog(path), 'evidence.jsonl');
    expect(bad.exitCode).toBe(1);
    expect(bad.lines.at(-1)).toBe('evidence.jsonl: 2 problem(s) in 2 record(s): the log was altered');
  });
});

describe('concurrent appends', () => {
  it('serialise on the lock file so the chain stays valid', async () => {
    const path = join(tree({}), 'evidence.jsonl');
    await Promise.all(Array.from({ length: 8 }, (_, i) => appendEvidence(path, body(i))));
    const v = await verifyEvidenceLog(path);
    expect(v).toMatchObject({ ok: true, records: 8 });
  });

  it('gives up on a held lock after the timeout, naming it', async () => {
    const path = join(tree({}), 'evidence.jsonl');
    writeFileSync(`${path}.lock`, '1\n');
    await expect(appendEvidence(path, body(1), { timeoutMs: 50 })).rejects.toThrow(
      /evidence\.jsonl\.lock is held by another deploy/,
    );
    // A lock left by a crashed run is taken over once stale.
    await expect(appendEvidence(path, body(1), { timeoutMs: 50, staleMs: 0 })).resolves.toMatchObject({
      seq: 0,
    });
  });

  it('reports a JSON line that is not a record', async () => {
    const { path, lines } = await logOf(1);
    writeFileSync(path, `${lines[0]}\n{"hello":"world"}\n`);
    const v = await verifyEvidenceLog(path);
    expect(v.problems[0]!.message).toContain(':2: not an evidence record');
  });
});
