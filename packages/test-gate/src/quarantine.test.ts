import { describe, expect, it } from 'vitest';
import { compileQuarantine, expiryTime, findQuarantine, testPattern } from './quarantine.js';

describe('quarantine patterns', () => {
  it('treats only * and ? as wildcards: test names keep their brackets and parentheses', () => {
    expect(testPattern('TestTheory(expected: False)').test('TestTheory(expected: False)')).toBe(true);
    expect(testPattern('TestTheory(expected: False)').test('TestTheory(expected: True)')).toBe(false);
    expect(testPattern('checks [a-z] {x}').test('checks [a-z] {x}')).toBe(true);
    expect(testPattern('checks [a-z] {x}').test('checks b {x}')).toBe(false);
    expect(testPattern('calc › *').test('calc › clamps high values')).toBe(true);
    expect(testPattern('t?').test('t1')).toBe(true);
    expect(testPattern('t?').test('t12')).toBe(false);
  });

  it('matches classname::name when the pattern has ::', () => {
    const [q] = compileQuarantine(
      [{ test: 'example.*Tests::throws*', owner: 'o', expires: '2999-01-01', reason: 'r' }],
      new Date('2026-01-01'),
    );
    expect(q!.test({ classname: 'example.ExampleTests', name: 'throwsAlways' })).toBe(true);
    expect(q!.test({ classname: 'other.Suite', name: 'throwsAlways' })).toBe(false);
    expect(q!.test({ name: 'throwsAlways' })).toBe(false);
  });
});

describe('quarantine expiry', () => {
  const entry = { test: 'x', owner: 'o', expires: '2026-03-31', reason: 'r' };

  it('holds through the whole expiry day (UTC) and stops after it', () => {
    expect(compileQuarantine([entry], new Date('2026-03-31T23:59:00Z'))[0]!.expired).toBe(false);
    expect(compileQuarantine([entry], new Date('2026-04-01T00:00:00Z'))[0]!.expired).toBe(true);
    expect(expiryTime('2026-03-31T12:00:00Z')).toBe(Date.parse('2026-03-31T12:00:00Z'));
  });

  it('an expired entry matches nothing', () => {
    const list = compileQuarantine([entry], new Date('2027-01-01'));
    expect(findQuarantine(list, { name: 'x' })).toBeUndefined();
  });
});
