import { describe, expect, it } from 'vitest';
import {
  atLeast,
  compareSeverity,
  SEVERITIES,
  severityFromCvssScore,
  severityFromGitlab,
  severityFromSarifLevel,
  severityFromSecuritySeverity,
} from './severity.js';

describe('severity', () => {
  it('orders most severe first', () => {
    expect([...SEVERITIES].reverse().sort(compareSeverity)).toEqual([...SEVERITIES]);
    expect(atLeast('critical', 'high')).toBe(true);
    expect(atLeast('medium', 'high')).toBe(false);
    expect(atLeast('high', 'high')).toBe(true);
  });

  it('maps CVSS scores on the FIRST qualitative scale, including the boundaries', () => {
    expect(severityFromCvssScore(0)).toBe('info');
    expect(severityFromCvssScore(0.1)).toBe('low');
    expect(severityFromCvssScore(3.9)).toBe('low');
    expect(severityFromCvssScore(4.0)).toBe('medium');
    expect(severityFromCvssScore(6.9)).toBe('medium');
    expect(severityFromCvssScore(7.0)).toBe('high');
    expect(severityFromCvssScore(8.9)).toBe('high');
    expect(severityFromCvssScore(9.0)).toBe('critical');
    expect(severityFromCvssScore(10)).toBe('critical');
  });

  it('reads SARIF security-severity strings and levels', () => {
    expect(severityFromSecuritySeverity('9.8')).toBe('critical');
    expect(severityFromSecuritySeverity('5.3')).toBe('medium');
    expect(severityFromSecuritySeverity('n/a')).toBeUndefined();
    expect(severityFromSarifLevel('error')).toBe('high');
    expect(severityFromSarifLevel('note')).toBe('low');
    expect(severityFromSarifLevel(undefined)).toBe('medium');
  });

  it('reads GitLab severities', () => {
    expect(severityFromGitlab('Critical')).toBe('critical');
    expect(severityFromGitlab('Info')).toBe('info');
    expect(severityFromGitlab('Unknown')).toBe('medium');
  });
});
