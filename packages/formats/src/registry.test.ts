import { UserError } from '@devsecflow/core';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { appliesTo, defaultFileName, FORMAT_IDS, FORMATS, isFormatId, render } from './registry.js';
import { fromSarif } from './sarif-reader.js';
import { depsReport, emptyReport, sastReport, secretsReport } from './test-reports.js';
import { validateGitlab, validateSarif } from './test-validate.js';

const all = [sastReport(), depsReport(), secretsReport()];

describe('FORMATS registry', () => {
  it('lists the formats with unique ids and file names', () => {
    expect(FORMAT_IDS).toEqual([
      'json',
      'sarif',
      'gitlab-sast',
      'gitlab-dependency-scanning',
      'gitlab-secret-detection',
      'gitlab-code-quality',
      'junit',
      'markdown',
      'html',
    ]);
    expect(new Set(FORMATS.map((f) => f.file)).size).toBe(FORMATS.length);
    expect(isFormatId('sarif')).toBe(true);
    expect(isFormatId('pdf')).toBe(false);
  });

  it('names files per stage where the format has a per-stage name', () => {
    expect(defaultFileName('sarif', [sastReport()])).toBe('devsecflow-sast.sarif');
    expect(defaultFileName('sarif', all)).toBe('devsecflow.sarif');
    expect(defaultFileName('json', [depsReport()])).toBe('devsecflow-deps.json');
    expect(defaultFileName('gitlab-sast', all)).toBe('gl-sast-report.json');
    expect(defaultFileName('gitlab-code-quality')).toBe('gl-code-quality-report.json');
    expect(defaultFileName('html', all)).toBe('devsecflow-report.html');
  });
});

describe('render', () => {
  it('renders every format for every stage it applies to, each output valid', () => {
    for (const id of FORMAT_IDS) {
      if (!appliesTo(id, all)) throw new Error(`${id} should apply`);
      const text = render(id, all);
      expect(text.length, id).toBeGreaterThan(0);
      switch (id) {
        case 'json':
          expect(JSON.parse(text)).toEqual(all);
          break;
        case 'sarif':
          expect(validateSarif(JSON.parse(text))).toEqual([]);
          expect(fromSarif(text, { file: 'x.sarif' })).toEqual(all);
          break;
        case 'gitlab-sast':
          expect(validateGitlab('sast', JSON.parse(text))).toEqual([]);
          break;
        case 'gitlab-dependency-scanning':
          expect(validateGitlab('dependency-scanning', JSON.parse(text))).toEqual([]);
          break;
        case 'gitlab-secret-detection':
          expect(validateGitlab('secret-detection', JSON.parse(text))).toEqual([]);
          break;
        case 'gitlab-code-quality':
          expect(validateGitlab('code-quality', JSON.parse(text))).toEqual([]);
          break;
        case 'junit':
          expect(XMLValidator.validate(text)).toBe(true);
          break;
        case 'markdown':
          expect(text).toContain('## DevSecFlow report');
          break;
        case 'html':
          expect(text).toContain('<!DOCTYPE html>');
          break;
      }
    }
  });

  it('writes a single report as an object and several as an array', () => {
    expect(JSON.parse(render('json', [sastReport()]))).toEqual(sastReport());
    expect(Array.isArray(JSON.parse(render('json', all)))).toBe(true);
  });

  it('only renders GitLab per-stage formats when a report of that stage exists', () => {
    expect(appliesTo('gitlab-secret-detection', [sastReport()])).toBe(false);
    expect(() => render('gitlab-secret-detection', [sastReport()])).toThrow(UserError);
    expect(() => render('gitlab-secret-detection', [sastReport()])).toThrow(
      'format gitlab-secret-detection needs a secrets report, and there is none (stages: sast)',
    );
  });

  it('merges shard reports of one stage into one SARIF run (GitHub rejects duplicate categories)', () => {
    const a = sastReport();
    const b = { ...emptyReport(), target: a.target, findings: [sastReport().findings[0]!] };
    const log = JSON.parse(render('sarif', [a, depsReport(), b]));
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs.map((r: { automationDetails: { id: string } }) => r.automationDetails.id)).toEqual([
      'devsecflow/sast/',
      'devsecflow/deps/',
    ]);
    expect(log.runs[0].results).toHaveLength(3);
  });

  it('merges shard reports of one stage into one GitLab report', () => {
    const a = sastReport();
    const b = { ...emptyReport(), target: a.target, findings: [sastReport().findings[0]!] };
    const gl = JSON.parse(render('gitlab-sast', [a, b]));
    expect(validateGitlab('sast', gl)).toEqual([]);
    expect(gl.vulnerabilities).toHaveLength(2);
  });
});
