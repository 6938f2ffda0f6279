import type { ValidatorId } from './rules.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, the zlib one) of the string's UTF-8 bytes. `crc32('123456789') === 0xcbf43926`. */
export function crc32(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The base62 alphabet GitHub and npm tokens use: digits, then upper case, then lower case. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of a non-negative integer, left-padded with `0` to `width`. */
export function base62(value: number, width = 0): string {
  let n = Math.floor(value);
  let out = '';
  do {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/**
 * GitHub classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and npm tokens (npm_): prefix, 30 random
 * base62 characters, then the CRC-32 of those 30 characters in base62, padded to 6. A checksum that
 * does not match means a made-up or mistyped string, not a live token.
 */
export function hasValidPrefixedCrc32(token: string): boolean {
  const us = token.indexOf('_');
  if (us < 0) return false;
  const body = token.slice(us + 1);
  if (body.length !== 36) return false;
  const random = body.slice(0, 30);
  const check = body.slice(30);
  return base62(crc32(random), 6) === check;
}

function decodeBase64Url(part: string): string | undefined {
  try {
    return Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return undefined;
  }
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'scope',
  'scp',
  'role',
  'roles',
  'client_id',
  'azp',
  'email',
  'uid',
  'user_id',
];

/**
 * A JWT "carries credentials" when it is signed (alg is not `none`, signature present) and its payload
 * holds identity or authorisation claims. The well-known jwt.io sample and Supabase-style public
 * `anon` keys do not count.
 */
export function isCredentialJwt(token: string): boolean {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return false;
  const header = parseJsonObject(decodeBase64Url(h));
  const payload = parseJsonObject(decodeBase64Url(p));
  if (!header || !payload) return false;
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') return false;
  if (payload.role === 'anon') return false;
  if (payload.sub === '1234567890' && payload.name === 'John Doe') return false;
  return CLAIMS.some((c) => c in payload);
}

function classes(value: string): number {
  let n = 0;
  if (/[a-z]/.test(value)) n++;
  if (/[A-Z]/.test(value)) n++;
  if (/[0-9]/.test(value)) n++;
  if (/[^A-Za-z0-9]/.test(value)) n++;
  return n;
}

/** Code-like values: member access, calls, template or format markers, file paths and URLs. */
const CODE_LIKE = /^(?:[a-z_$][\w$]*\.)+[a-z_$][\w$]*$|[()[\]{}<>$%]|^\.{0,2}\/|^https?:|^[a-z]+:\/\//i;

/** A hard-coded password: two or more character classes and not a code reference. */
export function isPasswordLike(value: string): boolean {
  return classes(value) >= 2 && !CODE_LIKE.test(value) && !/^[A-Za-z_-]+$/.test(value);
}

/**
 * A generic secret: has digits and letters (identifiers and words rarely do both at random),
 * is not a dotted identifier, path or hash-named asset.
 */
export function isSecretLike(value: string): boolean {
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (CODE_LIKE.test(value)) return false;
  // Subresource integrity strings and dotted version-like or file-like values.
  if (/^sha(?:1|256|384|512)-/.test(value)) return false;
  if (/\.(?:js|ts|css|json|png|svg|html|md|map)$/i.test(value)) return false;
  if (/^v?\d+(?:\.\d+)+/.test(value)) return false;
  return true;
}

/** `.docker/config.json` `auth` values are base64 of `user:password`. */
export function isDockerAuth(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i > 0 && i < decoded.length - 1 && /^[\x20-\x7e]+$/.test(decoded);
}

/** AWS secret keys are 40 characters of base64 with mixed case and digits. */
export function isAwsSecretLike(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

export const VALIDATORS: Record<ValidatorId, (value: string) => boolean> = {
  'github-crc32': hasValidPrefixedCrc32,
  'npm-crc32': hasValidPrefixedCrc32,
  'jwt-credentials': isCredentialJwt,
  'generic-password': isPasswordLike,
  'generic-secret': isSecretLike,
  'docker-auth': isDockerAuth,
  'aws-secret': isAwsSecretLike,
};

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = value.length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}
