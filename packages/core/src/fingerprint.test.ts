import { describe, expect, it } from 'vitest';
import { codeFingerprint, normaliseCode, packageFingerprint } from './fingerprint.js';

describe('fingerprints', () => {
  it('ignore whitespace changes but not code changes', () => {
    const a = codeFingerprint('js/eval', 'src/a.js', 'eval(req.query.x)');
    expect(codeFingerprint('js/eval', 'src/a.js', '  eval(req.query.x)\t')).toBe(a);
    expect(codeFingerprint('js/eval', 'src/a.js', 'eval(req.query.y)')).not.toBe(a);
    expect(codeFingerprint('js/other', 'src/a.js', 'eval(req.query.x)')).not.toBe(a);
    expect(codeFingerprint('js/eval', 'src/b.js', 'eval(req.query.x)')).not.toBe(a);
    expect(codeFingerprint('js/eval', './src/a.js', 'eval(req.query.x)')).toBe(a);
    expect(codeFingerprint('js/eval', 'src\\a.js', 'eval(req.query.x)')).toBe(a);
  });

  it('separate repeated identical code by occurrence', () => {
    expect(codeFingerprint('r', 'p', 'x', 1)).not.toBe(codeFingerprint('r', 'p', 'x', 0));
  });

  it('is a fixed value so a change of algorithm is a conscious one', () => {
    expect(codeFingerprint('js/eval', 'src/a.js', 'eval(x)')).toMatch(/^[0-9a-f]{32}$/);
    expect(packageFingerprint('GHSA-1', 'npm', 'lodash', '4.17.20', 'package-lock.json')).toBe(
      packageFingerprint('GHSA-1', 'npm', 'lodash', '4.17.20', './package-lock.json'),
    );
    expect(normaliseCode(' a \n  b ')).toBe('a b');
  });
});
