import { describe, expect, it } from 'vitest';
import { UserError } from './errors.js';
import {
  branchNameProblem,
  type ChangeProposal,
  fitChangeBody,
  hasIssueMarker,
  issueMarker,
  prepareChangeProposal,
} from './platform.js';

const KEY = 'devsecflow-monitor:shop:GHSA-35jh-r3h4-6jhm';

describe('hasIssueMarker', () => {
  const m = issueMarker(KEY);
  it('matches the marker on a line of its own', () => {
    expect(hasIssueMarker(`text\n\n${m}`, KEY)).toBe(true);
    expect(hasIssueMarker(`text\r\n${m}\r\n`, KEY)).toBe(true);
  });
  it('ignores the marker quoted in a fenced block, inline code, a blockquote or an indented block', () => {
    expect(hasIssueMarker(`see:\n\`\`\`\n${m}\n\`\`\`\n`, KEY)).toBe(false);
    expect(hasIssueMarker(`see:\n~~~md\n${m}\n~~~`, KEY)).toBe(false);
    expect(hasIssueMarker(`the marker \`${m}\` finds it`, KEY)).toBe(false);
    expect(hasIssueMarker(`> ${m}`, KEY)).toBe(false);
    expect(hasIssueMarker(`    ${m}`, KEY)).toBe(false);
    // After the fence closes, a real marker counts again.
    expect(hasIssueMarker(`\`\`\`\n${m}\n\`\`\`\n${m}`, KEY)).toBe(true);
  });
  it('does not match another key that shares a prefix, or no body', () => {
    expect(hasIssueMarker(issueMarker(`${KEY}-other`), KEY)).toBe(false);
    expect(hasIssueMarker(null, KEY)).toBe(false);
  });
});

describe('branchNameProblem', () => {
  it('accepts branch names git accepts, odd characters included', () => {
    for (const ok of ['devsecflow/fix/lodash', 'fix/@types+node#2%41', 'a-b_c.d', 'x@y', 'ünïcode']) {
      expect(branchNameProblem(ok)).toBeUndefined();
    }
  });
  it('names what git check-ref-format refuses', () => {
    expect(branchNameProblem('')).toBe('it is empty');
    expect(branchNameProblem('-x')).toBe('it starts with "-"');
    expect(branchNameProblem('a//b')).toBe('it has an empty path component');
    expect(branchNameProblem('a/')).toBe('it has an empty path component');
    expect(branchNameProblem('a..b')).toBe('it contains ".."');
    expect(branchNameProblem('a b')).toBe('it contains " "');
    expect(branchNameProblem('a~1')).toBe('it contains "~"');
    expect(branchNameProblem('a:b')).toBe('it contains ":"');
    expect(branchNameProblem('a\nb')).toBe('it contains "\\n"');
    expect(branchNameProblem('x@{1}')).toBe('it is "@" or contains "@{"');
    expect(branchNameProblem('a/.hidden')).toBe('its component ".hidden" starts with "."');
    expect(branchNameProblem('a/b.lock')).toBe('its component "b.lock" ends with ".lock"');
    expect(branchNameProblem('a.')).toBe('it ends with "."');
  });
});

describe('prepareChangeProposal', () => {
  const proposal = (extra: Partial<ChangeProposal> = {}): ChangeProposal => ({
    key: 'devsecflow-fix:shop:lodash',
    branch: 'devsecflow/fix/lodash',
    title: 'fix: lodash 4.17.21',
    body: 'Fixes GHSA-35jh-r3h4-6jhm.',
    labels: ['security', 'dependencies', 'security'],
    commitMessage: 'fix(deps): lodash 4.17.21',
    files: [{ path: 'package-lock.json', content: '{}\n' }],
    ...extra,
  });
  const error = (p: ChangeProposal): string => {
    try {
      prepareChangeProposal(p);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return (e as Error).message;
    }
    throw new Error('expected a UserError');
  };

  it('adds the marker once and deduplicates labels', () => {
    const p = prepareChangeProposal(proposal());
    expect(p.body).toBe(`Fixes GHSA-35jh-r3h4-6jhm.\n\n${issueMarker('devsecflow-fix:shop:lodash')}\n`);
    expect(p.labels).toEqual(['security', 'dependencies']);
    expect(prepareChangeProposal(p).body).toBe(p.body);
  });

  it('refuses paths outside the repository, duplicates and no files, naming the path', () => {
    expect(error(proposal({ files: [{ path: '../etc/passwd', content: '' }] }))).toContain('"../etc/passwd"');
    expect(error(proposal({ files: [{ path: '/abs', content: '' }] }))).toContain('"/abs"');
    expect(error(proposal({ files: [{ path: 'a\\b', content: '' }] }))).toContain('"a\\\\b"');
    expect(error(proposal({ files: [{ path: 'C:x', content: '' }] }))).toContain('"C:x"');
    expect(error(proposal({ files: [{ path: '.git/config', content: '' }] }))).toContain('".git"');
    expect(error(proposal({ files: [{ path: 'a/./b', content: '' }] }))).toContain('"a/./b"');
    expect(
      error(
        proposal({
          files: [
            { path: 'x', content: '' },
            { path: 'x', content: '' },
          ],
        }),
      ),
    ).toContain('file x is given twice');
    expect(error(proposal({ files: [] }))).toContain('no files to commit');
    // Odd but legal characters pass untouched: there is no shell anywhere on the way.
    const odd = '$(touch pwned); `id` \'q\' "dq" & | > *.json';
    expect(prepareChangeProposal(proposal({ files: [{ path: odd, content: '' }] })).files[0]!.path).toBe(odd);
  });

  it('refuses a bad branch, base, key, title or commit message', () => {
    expect(error(proposal({ branch: 'fix me' }))).toContain('branch "fix me" is not a valid branch name');
    expect(error(proposal({ base: '-main' }))).toContain('base "-main"');
    expect(error(proposal({ base: 'devsecflow/fix/lodash' }))).toContain('branch and base are both');
    expect(error(proposal({ key: 'a --> b' }))).toContain('key must be one line');
    expect(error(proposal({ title: ' ' }))).toContain('title is empty');
    expect(error(proposal({ commitMessage: '' }))).toContain('commit message is empty');
  });
});

describe('fitChangeBody', () => {
  const KEY_FIX = 'devsecflow-fix:.';
  const marker = issueMarker(KEY_FIX);
  it('leaves a body within the limit alone', () => {
    const body = `short\n\n${marker}\n`;
    expect(fitChangeBody(body, KEY_FIX, 1000)).toBe(body);
  });
  it('cuts at a line, closes an open fence and keeps the marker findable', () => {
    const output = Array.from({ length: 5000 }, (_, i) => `test line ${i}`).join('\n');
    const body = `## Fix\n\nTests failed:\n\n\`\`\`\`text\n${output}\n\`\`\`\`\n\n${marker}\n`;
    const fitted = fitChangeBody(body, KEY_FIX, 2000);
    expect(fitted.length).toBeLessThanOrEqual(2000);
    expect(fitted.startsWith('## Fix\n\nTests failed:\n\n````text\ntest line 0\n')).toBe(true);
    expect(fitted).toMatch(
      /\ntest line \d+\n````\n\n_Cut to fit the platform's 2,000-character limit \(the full text is [\d,]+ characters\)\._\n\n/,
    );
    expect(hasIssueMarker(fitted, KEY_FIX)).toBe(true);
    expect(fitted.endsWith(`${marker}\n`)).toBe(true);
  });
});
