import { describe, expect, it } from 'vitest';
import { CS, checksummed, mixed, rng } from './test-fakes.js';
import {
  base62,
  crc32,
  hasValidPrefixedCrc32,
  isCredentialJwt,
  isDockerAuth,
  isPasswordLike,
  isSecretLike,
  shannonEntropy,
} from './validators.js';

describe('crc32', () => {
  it('matches the standard check values of CRC-32/ISO-HDLC', () => {
    // The catalogue "check" value: CRC of the ASCII string 123456789.
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
  });
});

describe('base62', () => {
  it('uses digits, upper case, then lower case, and pads to width', () => {
    expect(base62(0, 6)).toBe('000000');
    expect(base62(61)).toBe('z');
    expect(base62(62)).toBe('10');
    expect(base62(0xffffffff)).toBe('4gfFC3');
    expect(base62(0xcbf43926, 6)).toBe('3jZRME');
  });
});

describe('GitHub / npm token checksum', () => {
  it('accepts a token whose last 6 characters are the base62 CRC-32 of the 30 before them', () => {
    const random = 'abcdefghijklmnopqrstuvwxyzABCD';
    const token = `ghp_${random}${base62(crc32(random), 6)}`;
    expect(token).toHaveLength(40);
    expect(hasValidPrefixedCrc32(token)).toBe(true);
    expect(hasValidPrefixedCrc32(`npm_${random}${base62(crc32(random), 6)}`)).toBe(true);
  });

  it('accepts generated tokens and rejects every single-character change of the checksum', () => {
    const r = rng(42);
    for (let i = 0; i < 50; i++) {
      const t = checksummed(r, 'gho');
      expect(hasValidPrefixedCrc32(t)).toBe(true);
      const flipped = t.slice(0, -1) + (t.at(-1) === '0' ? '1' : '0');
      expect(hasValidPrefixedCrc32(flipped)).toBe(false);
    }
  });

  it('rejects random 36-character bodies and wrong lengths', () => {
    const r = rng(7);
    let accepted = 0;
    for (let i = 0; i < 200; i++) if (hasValidPrefixedCrc32(`ghp_${mixed(r, CS.b62, 36)}`)) accepted++;
    expect(accepted).toBe(0);
    expect(hasValidPrefixedCrc32('ghp_short')).toBe(false);
    expect(hasValidPrefixedCrc32('no-underscore')).toBe(false);
  });
});

describe('JWT with credentials', () => {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sig = 'c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2Nzg5MA';
  it('accepts a signed token with identity claims', () => {
    expect(isCredentialJwt(`${enc({ alg: 'RS256' })}.${enc({ sub: 'svc', scope: 'admin' })}.${sig}`)).toBe(
      true,
    );
  });
  it('rejects unsigned tokens, public anon keys, the jwt.io sample and non-JSON parts', () => {
    expect(isCredentialJwt(`${enc({ alg: 'none' })}.${enc({ sub: 'x' })}.${sig}`)).toBe(false);
    expect(isCredentialJwt(`${enc({ alg: 'HS256' })}.${enc({ role: 'anon', iss: 'supabase' })}.${sig}`)).toBe(
      false,
    );
    expect(
      isCredentialJwt(
        `${enc({ alg: 'HS256' })}.${enc({ sub: '1234567890', name: 'John Doe', iat: 1516239022 })}.${sig}`,
      ),
    ).toBe(false);
    expect(isCredentialJwt(`eyJub3Rqc29u.eyJub3Rqc29u.${sig}`)).toBe(false);
    expect(isCredentialJwt(`${enc({ alg: 'HS256' })}.${enc({ theme: 'dark' })}.${sig}`)).toBe(false);
  });
});

describe('generic value checks', () => {
  it('tells passwords from code references', () => {
    expect(isPasswordLike('Tr0ub4dor&3')).toBe(true);
    expect(isPasswordLike('config.db.password')).toBe(false);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test
    expect(isPasswordLike('${DB_PASSWORD}')).toBe(false);
    expect(isPasswordLike('onlyletters')).toBe(false);
  });
  it('tells secrets from identifiers, SRI hashes and file names', () => {
    expect(isSecretLike('q9Xv2LmT8rPz4KsW7nYb3HdJ6fGc1AeQ')).toBe(true);
    expect(isSecretLike('getAccessTokenFromCookieStore')).toBe(false);
    expect(isSecretLike('sha512-abc123DEF456ghi789JKL012mno345PQR')).toBe(false);
    expect(isSecretLike('main.4f3a9c2b1d8e7f60.js')).toBe(false);
    expect(isSecretLike('1.2.3-beta.4+build5')).toBe(false);
  });
  it('checks docker auth decodes to user:password', () => {
    expect(isDockerAuth(Buffer.from('me:s3cret').toString('base64'))).toBe(true);
    expect(isDockerAuth(Buffer.from('nocolon').toString('base64'))).toBe(false);
  });
  it('computes Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('')).toBe(0);
  });
});
