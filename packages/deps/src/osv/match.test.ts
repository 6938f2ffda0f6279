import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFindings, groupByAlias } from '../findings.js';
import type { ExtractedPackage } from '../types.js';
import { compareSemver } from '../versions.js';
import { isAffected, rangeAffects, smallestFix } from './match.js';
import { vulnSeverity } from './severity.js';
import type { OsvVuln } from './types.js';

const osvDir = fileURLToPath(new URL('../../test/fixtures/osv/', import.meta.url));
const load = (id: string): OsvVuln => JSON.parse(readFileSync(`${osvDir}${id}.json`, 'utf8')) as OsvVuln;

const qs = load('GHSA-hrpp-h998-j3pp');
const lodashCmd = load('GHSA-35jh-r3h4-6jhm');
const lodashProto = load('GHSA-p6mc-m468-83gw');
const minimist = load('GHSA-xvch-5gv4-984h');
const requestsGhsa = load('GHSA-x84v-xcm2-53pg');
const requestsPysec = load('PYSEC-2018-28');
const mal = load('MAL-2022-9');

describe('OSV range evaluation', () => {
  it('follows introduced/fixed on real multi-range records (qs backports)', () => {
    const q = (version: string) => isAffected(qs, { ecosystem: 'npm', name: 'qs', version });
    expect(q('6.7.0')).toBe(true);
    expect(q('6.7.2')).toBe(true);
    expect(q('6.7.3')).toBe(false);
    expect(q('6.8.0')).toBe(true);
    expect(q('6.10.3')).toBe(false);
    expect(q('6.11.0')).toBe(false);
    expect(q('6.2.3')).toBe(true);
    expect(isAffected(qs, { ecosystem: 'npm', name: 'qs-other', version: '6.7.0' })).toBe(false);
  });

  it('treats last_affected as inclusive and honours limit', () => {
    const r = { type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { last_affected: '1.4.0' }] };
    expect(rangeAffects(r, '1.4.0', compareSemver)).toBe(true);
    expect(rangeAffects(r, '1.4.1', compareSemver)).toBe(false);
    expect(rangeAffects(r, '0.9.0', compareSemver)).toBe(false);
    const limited = { type: 'SEMVER', events: [{ introduced: '0' }, { limit: '2.0.0' }] };
    expect(rangeAffects(limited, '1.9.9', compareSemver)).toBe(true);
    expect(rangeAffects(limited, '2.0.0', compareSemver)).toBe(false);
    // events out of order are sorted before evaluation
    const unordered = { type: 'SEMVER', events: [{ fixed: '1.2.0' }, { introduced: '1.0.0' }] };
    expect(rangeAffects(unordered, '1.1.0', compareSemver)).toBe(true);
    expect(rangeAffects(unordered, '1.2.0', compareSemver)).toBe(false);
  });

  it('matches explicit versions lists and PyPI names case/separator-insensitively', () => {
    // PYSEC lists versions; 2.19.1 is in the list
    expect(isAffected(requestsPysec, { ecosystem: 'PyPI', name: 'Requests', version: '2.19.1' })).toBe(true);
    expect(isAffected(requestsPysec, { ecosystem: 'PyPI', name: 'requests', version: '2.20.0' })).toBe(false);
    const onlyList: OsvVuln = {
      id: 'X-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'PyPI', name: 'zope.interface' }, versions: ['4.0'] }],
    };
    expect(isAffected(onlyList, { ecosystem: 'PyPI', name: 'Zope_Interface', version: '4.0.0' })).toBe(true);
  });

  it('skips withdrawn records', () => {
    expect(
      isAffected(
        { ...minimist, withdrawn: '2024-01-01T00:00:00Z' },
        { ecosystem: 'npm', name: 'minimist', version: '1.2.5' },
      ),
    ).toBe(false);
  });

  it('finds the smallest version that clears every advisory', () => {
    const pkg = { ecosystem: 'npm', name: 'lodash', version: '4.17.15' };
    expect(smallestFix([lodashProto], pkg)).toBe('4.17.20');
    expect(smallestFix([lodashProto, lodashCmd], pkg)).toBe('4.17.21');
    expect(smallestFix([qs], { ecosystem: 'npm', name: 'qs', version: '6.7.0' })).toBe('6.7.3');
  });
});

describe('severity', () => {
  it('computes CVSS v3.1 scores with ae-cvss-calculator and maps them to severities', () => {
    expect(vulnSeverity(minimist)).toMatchObject({
      severity: 'critical',
      cvss: { version: '3.1', score: 9.8 },
    });
    expect(vulnSeverity(lodashCmd)).toMatchObject({ severity: 'high', cvss: { score: 7.2 } });
    expect(vulnSeverity(requestsPysec)).toMatchObject({
      severity: 'medium',
      basis: 'no rating in the advisory',
    });
  });

  it('computes CVSS v4.0 vectors', () => {
    const v4: OsvVuln = {
      id: 'X',
      modified: '',
      severity: [
        { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      ],
    };
    expect(vulnSeverity(v4)).toMatchObject({ severity: 'critical', cvss: { version: '4.0', score: 9.3 } });
  });

  it('rates malicious packages critical and falls back to the database rating', () => {
    expect(vulnSeverity(mal).severity).toBe('critical');
    const db: OsvVuln = { id: 'X', modified: '', database_specific: { severity: 'MODERATE' } };
    expect(vulnSeverity(db).severity).toBe('medium');
  });
});

const pkg = (over: Partial<ExtractedPackage>): ExtractedPackage => ({
  ecosystem: 'npm',
  name: 'qs',
  version: '6.7.0',
  manifest: 'app/package-lock.json',
  direct: false,
  scope: 'prod',
  dependencyPath: ['express@4.17.1', 'qs@6.7.0'],
  line: 42,
  ...over,
});

describe('findings', () => {
  it('merges aliases (GHSA + PYSEC share a CVE) into one finding', () => {
    expect(groupByAlias([requestsGhsa, requestsPysec]).length).toBe(1);
    const [f, ...rest] = buildFindings([
      {
        pkg: pkg({
          ecosystem: 'PyPI',
          name: 'requests',
          version: '2.19.1',
          manifest: 'requirements.txt',
          direct: true,
          dependencyPath: ['requests@2.19.1'],
          line: 3,
        }),
        vulns: [requestsGhsa, requestsPysec],
      },
    ]);
    expect(rest).toEqual([]);
    expect(f!.ruleId).toBe('GHSA-x84v-xcm2-53pg');
    expect(f!.identifiers!.map((i) => i.value)).toEqual([
      'GHSA-x84v-xcm2-53pg',
      'PYSEC-2018-28',
      'CVE-2018-18074',
      'CWE-522',
    ]);
    expect(f!.severity).toBe('high');
    expect(f!.package!.purl).toBe('pkg:pypi/requests@2.19.1');
    expect(f!.fix!.versions).toEqual(['2.20.0']);
    expect(f!.location).toEqual({ path: 'requirements.txt', startLine: 3 });
  });

  it('names the smallest fix and the direct dependency to bump for transitive packages', () => {
    const [f] = buildFindings([{ pkg: pkg({}), vulns: [qs] }]);
    expect(f!.fix!.summary).toBe(
      'Upgrade qs from 6.7.0 to 6.7.3. qs is a transitive dependency (express@4.17.1 > qs@6.7.0): bump the direct dependency express to a release that depends on qs >= 6.7.3, or override qs.',
    );
    expect(f!.fix!.versions).toEqual(['6.7.3', '6.8.3', '6.9.7', '6.10.3']);
    expect(f!.cvss).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
      score: 7.5,
    });
    expect(f!.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps separate flaws separate and mentions the version that fixes them all', () => {
    const fs = buildFindings([
      {
        pkg: pkg({ name: 'lodash', version: '4.17.15', direct: true, dependencyPath: ['lodash@4.17.15'] }),
        vulns: [lodashProto, lodashCmd],
      },
    ]);
    expect(fs.map((f) => f.ruleId).sort()).toEqual(['GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw']);
    const proto = fs.find((f) => f.ruleId === 'GHSA-p6mc-m468-83gw')!;
    expect(proto.fix!.summary).toBe(
      'Upgrade lodash from 4.17.15 to 4.17.20 (4.17.21 also fixes the 1 other advisories on lodash@4.17.15).',
    );
  });

  it('tells users to remove malicious packages', () => {
    const [f] = buildFindings([
      {
        pkg: pkg({ name: '0-dns', version: '1.0.0', direct: true, dependencyPath: ['0-dns@1.0.0'] }),
        vulns: [mal],
      },
    ]);
    expect(f!.severity).toBe('critical');
    expect(f!.ruleId).toBe('GHSA-8p6v-2gf9-8hhm');
    expect(f!.identifiers!.map((i) => i.value)).toContain('MAL-2022-9');
    expect(f!.fix!.summary).toMatch(/^Remove 0-dns: it is a malicious package/);
  });
});
