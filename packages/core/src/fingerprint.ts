import { createHash } from 'node:crypto';

const SEP = '\u0000';

function sha256(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update(SEP);
  return h.digest('hex');
}

/**
 * Normalises flagged code so a fingerprint survives reformatting that does not change meaning:
 * whitespace runs collapse, trailing/leading space goes. It keeps case and punctuation, so a change
 * to the flagged code itself gives a new fingerprint.
 */
export function normaliseCode(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}

/** Paths in findings and fingerprints use forward slashes and no leading `./`. */
export function normalisePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * Fingerprint of a code finding: rule + path + normalised flagged code. Line numbers are left out
 * on purpose so adding lines above a finding keeps its fingerprint. `occurrence` separates
 * identical code flagged twice in one file (0 for the first).
 */
export function codeFingerprint(ruleId: string, path: string, code: string, occurrence = 0): string {
  const parts = ['code', ruleId, normalisePath(path), normaliseCode(code)];
  if (occurrence > 0) parts.push(String(occurrence));
  return sha256(parts).slice(0, 32);
}

/** Fingerprint of a dependency finding: package identity + advisory + manifest. */
export function packageFingerprint(
  advisoryId: string,
  ecosystem: string,
  name: string,
  version: string,
  manifest: string,
): string {
  return sha256(['pkg', advisoryId, ecosystem, name, version, normalisePath(manifest)]).slice(0, 32);
}

/** Fingerprint for findings with neither code nor package (a threshold miss, a policy violation). */
export function keyFingerprint(...key: string[]): string {
  return sha256(['key', ...key]).slice(0, 32);
}

/** A digest for evidence and caches. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
