import { describe, expect, it } from 'vitest';
import { hasIssueMarker, issueMarker } from './platform.js';

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
