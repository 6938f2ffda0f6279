import { createMemoryLogger } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { hostFromApiUrl, isGitLabCi, readJobInfo, toPlatformContext } from './env.js';
import { createGitLabLogger, sectionName, withGitLabSections } from './logger.js';
import { cell, noteMarker, renderStageNote } from './note.js';
import { finding, report } from './test-reports.js';

describe('job context', () => {
  it('detects GitLab CI only from GITLAB_CI=true', () => {
    expect(isGitLabCi({ GITLAB_CI: 'true' })).toBe(true);
    expect(isGitLabCi({ GITLAB_CI: 'false', CI: 'true' })).toBe(false);
    expect(isGitLabCi({})).toBe(false);
  });

  it('derives gitbeaker host from CI_API_V4_URL, keeping a relative URL root', () => {
    expect(hostFromApiUrl('https://gitlab.com/api/v4')).toBe('https://gitlab.com');
    expect(hostFromApiUrl('https://example.com/gitlab/api/v4/')).toBe('https://example.com/gitlab');
    expect(readJobInfo({ CI_SERVER_URL: 'https://git.example.org/' }).host).toBe('https://git.example.org');
    expect(readJobInfo({}).apiUrl).toBe('https://gitlab.com/api/v4');
  });

  it('maps the MR variables into the platform context', () => {
    const ctx = toPlatformContext(
      readJobInfo({
        CI_PROJECT_ID: '42',
        CI_PROJECT_PATH: 'group/project',
        CI_PROJECT_URL: 'https://gitlab.example.com/group/project',
        CI_COMMIT_SHA: 'merge-commit',
        CI_COMMIT_REF_NAME: 'refs/merge-requests/7/merge',
        CI_PIPELINE_SOURCE: 'merge_request_event',
        CI_DEFAULT_BRANCH: 'main',
        CI_MERGE_REQUEST_IID: '7',
        CI_MERGE_REQUEST_PROJECT_ID: '42',
        CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '42',
        CI_MERGE_REQUEST_TITLE: 'Add $(rm -rf /) feature',
        CI_MERGE_REQUEST_DIFF_BASE_SHA: 'base',
        CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: 'head',
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feat',
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      }),
    );
    expect(ctx).toEqual({
      platform: 'gitlab',
      repository: 'group/project',
      commit: 'merge-commit',
      ref: 'refs/merge-requests/7/merge',
      event: 'merge_request_event',
      defaultBranch: 'main',
      untrustedCode: false,
      change: {
        id: 7,
        url: 'https://gitlab.example.com/group/project/-/merge_requests/7',
        title: 'Add $(rm -rf /) feature',
        baseSha: 'base',
        headSha: 'head',
        baseRef: 'main',
        headRef: 'feat',
      },
    });
  });

  it('flags a fork MR whose pipeline runs in the parent project as untrusted code', () => {
    const env = { CI_PROJECT_ID: '42', CI_MERGE_REQUEST_IID: '7', CI_MERGE_REQUEST_PROJECT_ID: '42' };
    expect(
      toPlatformContext(readJobInfo({ ...env, CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99' })).untrustedCode,
    ).toBe(true);
    // The same MR's pipeline in the fork itself runs with the fork's own (non-parent) variables.
    expect(
      toPlatformContext(
        readJobInfo({ ...env, CI_PROJECT_ID: '99', CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99' }),
      ).untrustedCode,
    ).toBe(false);
  });
});

describe('GitLab logger', () => {
  it('wraps a group in a collapsible section and masks secrets', async () => {
    const out: string[] = [];
    const logger = createGitLabLogger({
      write: (t) => out.push(t),
      now: () => 1700000000,
      secrets: ['s3cr3t-token'],
    });
    const value = await logger.group('SAST: 3 findings\nfake line', async () => {
      logger.info('token is s3cr3t-token');
      return 5;
    });
    expect(value).toBe(5);
    expect(out).toEqual([
      '\u001b[0Ksection_start:1700000000:devsecflow_1_sast_3_findings_fake_line[collapsed=true]\r\u001b[0KSAST: 3 findings fake line\n',
      'token is [MASKED]\n',
      '\u001b[0Ksection_end:1700000000:devsecflow_1_sast_3_findings_fake_line\r\u001b[0K\n',
    ]);
  });

  it('closes the section when the body throws', async () => {
    const out: string[] = [];
    const logger = createGitLabLogger({ write: (t) => out.push(t), now: () => 1 });
    await expect(
      logger.group('x', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(out[1]).toContain('section_end:1:devsecflow_1_x');
  });

  it('adds sections and masking to a logger handed in (the CLI terminal logger)', async () => {
    const base = createMemoryLogger();
    const logger = withGitLabSections(base, { now: () => 7, secrets: ['glpat-abcdef'] });
    await logger.group('Findings', async () => logger.warn('bad token glpat-abcdef'));
    expect(base.lines).toEqual([
      '\u001b[0Ksection_start:7:devsecflow_1_findings[collapsed=true]\r\u001b[0KFindings',
      'warning: bad token [MASKED]',
      '\u001b[0Ksection_end:7:devsecflow_1_findings\r\u001b[0K',
    ]);
  });

  it('makes section names GitLab accepts', () => {
    expect(sectionName('Dépendances / npm!', 2)).toBe('devsecflow_2_d_pendances_npm');
    expect(sectionName('', 3)).toBe('devsecflow_3');
  });
});

describe('MR note body', () => {
  it('starts with the marker and neutralises Markdown and HTML from findings', () => {
    const body = renderStageNote(
      report('sast', [
        finding({ title: '<img src=x onerror=alert(1)> | [link](http://evil)', ruleId: 'r`1' }),
      ]),
      noteMarker('sast'),
      { commit: '0123456789abcdef', jobUrl: 'https://gitlab.example.com/g/p/-/jobs/1' },
    );
    expect(body.split('\n')[0]).toBe('<!-- devsecflow:sast -->');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt; \\| \\[link\\](http://evil)');
    expect(body).toContain("`r'1`");
    expect(body).toContain('commit 01234567');
    expect(body).not.toContain('<img');
  });

  it('caps the table and says how many more there are', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      finding({ title: `t${i}`, severity: i < 5 ? 'critical' : 'low' }),
    );
    const body = renderStageNote(report('sast', many), noteMarker('sast'));
    expect(body.match(/^\| (critical|low) \|/gm)).toHaveLength(50);
    expect(body).toContain('… and 10 more');
    expect(body.indexOf('| critical |')).toBeLessThan(body.indexOf('| low |'));
    expect(body).toContain('(5 critical, 55 low)');
  });

  it('sanitises the note key in the marker', () => {
    expect(noteMarker('deps', 'team a --> x')).toBe('<!-- devsecflow:deps:team-a-x -->');
    expect(cell('a\nb')).toBe('a b');
  });
});
