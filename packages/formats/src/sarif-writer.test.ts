import { describe, expect, it } from 'vitest';
import { pathToUri, toSarif } from './sarif-writer.js';
import { depsReport, emptyReport, sastReport, secretsReport } from './test-reports.js';
import { validateSarif } from './test-validate.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk loose SARIF JSON
type Json = Record<string, any>;

describe('toSarif', () => {
  const log = toSarif([sastReport(), depsReport(), secretsReport()]) as Json;

  it('validates against the official SARIF 2.1.0 schema', () => {
    expect(validateSarif(log)).toEqual([]);
    expect(validateSarif(toSarif([emptyReport()]))).toEqual([]);
    expect(validateSarif(toSarif([]))).toEqual([]);
  });

  it('the validator rejects invalid SARIF (it can fail)', () => {
    const bad = toSarif([sastReport()]) as Json;
    bad.runs[0].results[0].level = 'fatal';
    bad.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validateSarif(bad).length).toBeGreaterThanOrEqual(2);
  });

  it('writes one run per report with the stage as category', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(3);
    expect(log.runs.map((r: Json) => r.automationDetails.id)).toEqual([
      'devsecflow/sast/',
      'devsecflow/deps/',
      'devsecflow/secrets/',
    ]);
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///work/app/');
  });

  it('describes rules for GitHub code scanning', () => {
    const rule = log.runs[0].tool.driver.rules[0];
    expect(rule).toMatchObject({
      id: 'js/sql-injection',
      shortDescription: { text: 'SQL built from user input' },
      defaultConfiguration: { level: 'error' },
      helpUri: 'https://owasp.org/Top10/A03_2021-Injection/',
    });
    expect(rule.properties.tags).toEqual(
      expect.arrayContaining(['security', 'external/cwe/cwe-89', 'external/owasp/a03:2021']),
    );
    expect(rule.properties['security-severity']).toBe('9.5');
    expect(rule.properties.precision).toBe('high');
    expect(rule.help.text).toContain('Fix: Pass values as query parameters');
    expect(rule.help.markdown).toContain('## References');
    // A CVSS score drives the score when it agrees with the severity.
    expect(log.runs[1].tool.driver.rules[0].properties['security-severity']).toBe('9.1');
  });

  it('writes results with locations, fingerprints, suppressions and baseline state', () => {
    const [sqli, evalResult, noLoc] = log.runs[0].results;
    expect(sqli).toMatchObject({
      ruleId: 'js/sql-injection',
      ruleIndex: 0,
      level: 'error',
      baselineState: 'new',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/db.js', uriBaseId: '%SRCROOT%' },
            region: { startLine: 12, startColumn: 3, endLine: 12, endColumn: 48 },
          },
        },
      ],
    });
    expect(sqli.partialFingerprints).toEqual({ 'devsecflow/v1': sastReport().findings[0]!.fingerprint });
    expect(sqli.partialFingerprints.primaryLocationLineHash).toBeUndefined();
    expect(evalResult.locations[0].physicalLocation.artifactLocation.uri).toBe('src/my%20file%20%231.js');
    expect(evalResult.suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'input is a constant here' },
    ]);
    expect(evalResult.baselineState).toBe('unchanged');
    // GitHub rejects a whole upload when one result has no location: anchor it at the policy file.
    expect(noLoc.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'devsecflow.yml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1 },
    });
    expect(noLoc.properties.devsecflow.location).toBeUndefined();
    const anchored = toSarif([sastReport()], { anchorPath: 'config/devsecflow.yml' }) as Json;
    expect(anchored.runs[0].results[2].locations[0].physicalLocation.artifactLocation.uri).toBe(
      'config/devsecflow.yml',
    );
    for (const run of log.runs) {
      for (const r of run.results)
        expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^[^\s]+$/);
    }
    expect(noLoc.message.text).toBe('No LICENSE file at the root.');
  });

  it('points dependency findings at the manifest with the package as a logical location', () => {
    const [lodash, minimist] = log.runs[1].results;
    expect(lodash.locations[0].physicalLocation.artifactLocation.uri).toBe('package-lock.json');
    expect(lodash.locations[0].physicalLocation.region).toBeUndefined();
    expect(lodash.locations[0].logicalLocations[0]).toEqual({
      name: 'lodash@4.17.4',
      fullyQualifiedName: 'pkg:npm/lodash@4.17.4',
      kind: 'package',
    });
    expect(minimist.locations[0].physicalLocation.region.startLine).toBe(120);
    expect(lodash.properties.devsecflow.package.name).toBe('lodash');
    expect(lodash.properties.devsecflow.fix.versions).toEqual(['4.17.12']);
  });

  it('reports errors as failed invocations with notifications', () => {
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications[0]).toMatchObject({
      level: 'error',
      message: { text: 'could not parse: Unexpected token' },
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'src/broken.js' }, region: { startLine: 7 } } },
      ],
    });
    expect(log.runs[1].invocations[0].executionSuccessful).toBe(true);
  });

  it('encodes paths as URI references', () => {
    expect(pathToUri('a b/c#d%e.js')).toBe('a%20b/c%23d%25e.js');
    expect(pathToUri('node_modules/@scope/x.js')).toBe('node_modules/@scope/x.js');
    expect(pathToUri('win\\path.js')).toBe('win/path.js');
  });
});
