import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

// Fake values are assembled at run time so this file does not itself look like it holds secrets.
const fake = (prefix: string, n: number, ch = 'a') => prefix + ch.repeat(n);

describe('redactSecrets', () => {
  it.each([
    ['a GitHub token', `token ${fake('ghp_', 36)} rejected`, 'token [REDACTED] rejected'],
    ['a GitLab token', `PRIVATE-TOKEN: ${fake('glpat-', 20, 'x')}`, 'PRIVATE-TOKEN: [REDACTED]'],
    ['an AWS key id', `key ${fake('AKIA', 16, 'Q')} denied`, 'key [REDACTED] denied'],
    [
      'URL credentials',
      'GET https://bob:hunter22@api.example.com/x',
      'GET https://[REDACTED]@api.example.com/x',
    ],
    ['a bearer header', 'Authorization: Bearer abc.def.ghi', 'Authorization: Bearer [REDACTED]'],
    [
      'a password assignment',
      'expected password="s3cr3t-pass" to equal',
      'expected password="[REDACTED]" to equal',
    ],
    [
      'a private key block',
      `x\n-----BEGIN RSA ${'PRIVATE'} KEY-----\nMIIB\n-----END RSA ${'PRIVATE'} KEY-----\ny`,
      'x\n[REDACTED PRIVATE KEY]\ny',
    ],
  ])('masks %s', (_, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary failure text alone', () => {
    const text =
      'AssertionError: expected 190 to be 180 // Object.is equality\n ❯ tests/app/cart.test.js:23:36';
    expect(redactSecrets(text)).toBe(text);
  });
});
