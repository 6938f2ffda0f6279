/**
 * Test output sometimes prints credentials (a failing HTTP test dumps its request, a URL with a
 * password). Failure text reaches reports, annotations and MR notes, so well-known secret shapes are
 * masked at the source. A light pass: the secrets stage is the real scanner.
 */
const PATTERNS: [RegExp, string][] = [
  // PEM private keys, whole block.
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    '[REDACTED PRIVATE KEY]',
  ],
  // user:password@ in URLs.
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, '$1[REDACTED]@'],
  // Authorization headers.
  [/\b(authorization\s*[:=]\s*"?(?:bearer|basic|token)\s+)[^\s"']+/gi, '$1[REDACTED]'],
  // Provider tokens with a recognisable prefix.
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, '[REDACTED]'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/g, '[REDACTED]'],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, '[REDACTED]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[REDACTED]'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, '[REDACTED]'],
  [/\bsk_live_[A-Za-z0-9]{16,}\b/g, '[REDACTED]'],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, '[REDACTED]'],
  // key = value assignments of obvious secret names.
  [
    /\b((?:password|passwd|secret|api[_-]?key|access[_-]?token|client[_-]?secret)["']?\s*[:=]\s*["']?)[^\s"',;]{6,}/gi,
    '$1[REDACTED]',
  ],
];

/** Masks well-known secret shapes in free text (failure messages, test output). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
