import { describe, expect, it } from 'vitest';
import { emptyScanStats, FileScanner } from './files.js';
import { hashSecret, maskSecret, redactLine } from './redact.js';
import { Scanner, scanText } from './scanner.js';
import { CS, checksummed, FAKES, mixed, rng, str } from './test-fakes.js';

describe('masking', () => {
  it('shows 4 characters of long values, 2 of medium ones, none of short ones, and the length', () => {
    expect(maskSecret('ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe('ghp_****…(40)');
    expect(maskSecret('Tr0ub4dor&3xy')).toBe('Tr****…(13)');
    expect(maskSecret('hunter22')).toBe('****…(8)');
  });
  it('redacts every range on a line and trims long lines around the first one', () => {
    expect(
      redactLine('a=SECRET1 b=SECRET2', [
        { start: 2, end: 9, mask: 'M1' },
        { start: 12, end: 19, mask: 'M2' },
      ]),
    ).toBe('a=M1 b=M2');
    const long = `${'x'.repeat(500)}KEY${'y'.repeat(500)}`;
    const out = redactLine(long, [{ start: 500, end: 503, mask: '[K]' }], 100);
    expect(out).toContain('[K]');
    expect(out.length).toBeLessThanOrEqual(102);
  });
});

describe('Scanner', () => {
  const r = rng(5);
  const ghp = checksummed(r, 'ghp');

  it('reports line and column of the secret and a redacted snippet', () => {
    const [m] = scanText(`line one\n  const t = "${ghp}"; // ci\n`, 'a.ts');
    expect(m).toMatchObject({
      ruleId: 'github-pat',
      startLine: 2,
      startColumn: 14,
      endLine: 2,
      endColumn: 53,
    });
    expect(m!.snippet).toBe('const t = "ghp_****…(40)"; // ci');
    expect(JSON.stringify(m)).not.toContain(ghp);
  });

  it('masks every candidate on the snippet line, even ones it does not report', () => {
    // The second value is below the generic entropy floor so it is not a finding, but it is still masked.
    const m = scanText(`const a = "${ghp}", password = "aaaaaaab1";`, 'a.ts');
    expect(m).toHaveLength(1);
    expect(m[0]!.snippet).not.toContain('aaaaaaab1');
  });

  it('ignores documented example keys and configured values and hashes', () => {
    expect(
      scanText(
        'aws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ),
    ).toEqual([]);
    const s = new Scanner({ allowHashes: [hashSecret(ghp)] });
    expect(s.scanText(`x = '${ghp}'`)).toEqual([]);
    expect(new Scanner({ allowValues: [ghp] }).scanText(`x = '${ghp}'`)).toEqual([]);
    expect(new Scanner({ allowRegexes: ['^ghp_'] }).scanText(`x = '${ghp}'`)).toEqual([]);
    expect(new Scanner({ disable: ['github-pat'] }).scanText(`x = '${ghp}'`)).toEqual([]);
  });

  it('pairs an AWS key id with a secret key a few lines away, labelled or not', () => {
    const id = `AKIA${str(r, CS.base32, 16)}`;
    const secret = mixed(r, CS.b64, 40);
    const labelled = scanText(`key_id: ${id}\n\n\naws_secret_access_key: ${secret}\n`);
    expect(labelled.map((m) => [m.ruleId, m.severity, m.paired])).toEqual([
      ['aws-access-key-id', 'critical', true],
      ['aws-secret-access-key', 'critical', true],
    ]);
    const unlabelled = scanText(`creds = ("${id}",\n         "${secret}")\n`);
    expect(unlabelled.map((m) => m.ruleId)).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    const alone = scanText(`key_id: ${id}\n`);
    expect(alone.map((m) => [m.ruleId, m.severity, m.paired])).toEqual([
      ['aws-access-key-id', 'high', undefined],
    ]);
  });

  it('lets the more specific rule win when two rules match the same value', () => {
    const m = scanText(`api_token = "${ghp}"`, 'a.ts');
    expect(m.map((x) => x.ruleId)).toEqual(['github-pat']);
  });

  it('finds nothing in ordinary code that merely mentions tokens and passwords', () => {
    const code = [
      'const token = tokenizer.next();',
      'if (password.length < 8) throw new Error("password too short");',
      'const secretName = process.env.SECRET_NAME;',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test
      'headers.Authorization = `Bearer ${token}`;',
      'const apiKey = config.get("apiKey");',
      'integrity: "sha512-Zq8mN2vLx5tQ9Xv2LmT8rPz4KsW7nYb3HdJ6fGc1AeQ=="',
      'id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301"',
    ].join('\n');
    expect(scanText(code, 'src/app.ts')).toEqual([]);
  });
});

describe('FileScanner', () => {
  const fake = FAKES['github-pat']!.fake(rng(11));
  const stats = () => emptyScanStats();

  it('skips lockfiles, minified bundles and allowlisted paths by default, counting each', () => {
    const fs = new FileScanner(new Scanner(), { allowPaths: ['test/fixtures/**'] });
    const s = stats();
    const buf = Buffer.from(fake.text);
    expect(fs.scanBuffer(buf, 'package-lock.json', s)).toEqual({ kind: 'skipped', reason: 'lockfile' });
    expect(fs.scanBuffer(buf, 'web/pnpm-lock.yaml', s)).toEqual({ kind: 'skipped', reason: 'lockfile' });
    expect(fs.scanBuffer(buf, 'dist/app.min.js', s)).toEqual({ kind: 'skipped', reason: 'minified' });
    expect(fs.scanBuffer(buf, 'test/fixtures/a.txt', s)).toEqual({ kind: 'skipped', reason: 'allowlisted' });
    expect(s).toMatchObject({
      skippedLockfile: 2,
      skippedMinified: 1,
      skippedAllowlistedPath: 1,
      filesScanned: 0,
    });
    const withLocks = new FileScanner(new Scanner(), { includeLockfiles: true });
    expect(withLocks.scanBuffer(buf, 'package-lock.json', s).kind).toBe('scanned');
  });

  it('treats a file with very long average lines as minified', () => {
    const s = stats();
    const text = `var a=1;${'x'.repeat(6000)}${fake.text}`;
    const out = new FileScanner(new Scanner()).scanBuffer(Buffer.from(text), 'dist/bundle.js', s);
    expect(out).toEqual({ kind: 'skipped', reason: 'minified' });
    expect(s.skippedMinified).toBe(1);
  });

  it('skips binary content and files over the size limit', () => {
    const s = stats();
    const fs = new FileScanner(new Scanner(), { maxFileSize: 100 });
    expect(fs.scanBuffer(Buffer.from([0x89, 0x50, 0x00, 0x01]), 'a.png', s)).toEqual({
      kind: 'skipped',
      reason: 'binary',
    });
    expect(fs.scanBuffer(Buffer.alloc(200, 0x61), 'big.txt', s)).toEqual({
      kind: 'skipped',
      reason: 'too-large',
    });
    expect(s).toMatchObject({ skippedBinary: 1, skippedTooLarge: 1 });
  });

  it('scans invalid UTF-8 as Latin-1 and counts it', () => {
    const s = stats();
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a]), Buffer.from(fake.text)]);
    const out = new FileScanner(new Scanner()).scanBuffer(buf, 'legacy.ini', s);
    expect(out.kind === 'scanned' && out.matches.map((m) => [m.ruleId, m.startLine])).toEqual([
      ['github-pat', 2],
    ]);
    expect(s.filesInvalidUtf8).toBe(1);
  });

  it('skips over-long lines but scans the rest of the file with the right line numbers', () => {
    const s = stats();
    const text = `${'a'.repeat(30_000)}\nshort\n${fake.text}\n`;
    const out = new FileScanner(new Scanner()).scanBuffer(Buffer.from(text), 'notes.txt', s);
    expect(out.kind === 'scanned' && out.matches.map((m) => m.startLine)).toEqual([3]);
    expect(s.linesSkippedTooLong).toBe(1);
  });

  it('reports an unreadable file as an error outcome without its content', () => {
    const s = stats();
    const out = new FileScanner(new Scanner()).scanFile('/nonexistent/dsf/file.txt', 'file.txt', s);
    expect(out).toEqual({ kind: 'error', message: 'could not read the file (ENOENT)' });
    expect(s.skippedUnreadable).toBe(1);
  });
});

describe('keyword prefilter', () => {
  it('runs the rules of keywords contained in or overlapping a longer keyword hit', () => {
    const s = new Scanner();
    // `x-amz-security-token` is a keyword and contains `token` (generic-secret's keyword).
    const ids = s.candidateRules('x-amz-security-token', 'a.ts').map((c) => c.rule.id);
    expect(ids).toEqual(expect.arrayContaining(['aws-session-token', 'generic-secret']));
    // `glpat-` starts inside `aglpat-` and must still be found.
    expect(s.candidateRules('aglpat-', 'a.ts').map((c) => c.rule.id)).toContain('gitlab-pat');
    expect(s.candidateRules('nothing to see here', 'a.ts')).toEqual([]);
  });
});

describe('generic rules and provider formats', () => {
  it('does not report as a generic secret a token whose provider checksum fails', () => {
    // The shape of a GitHub token from a README, with a made-up body: github-pat rejects it on
    // the checksum, and generic-secret must not pick it up instead.
    expect(scanText("token: 'ghp_PersonalAccessTokenValue0123456789AB'", 'README.md')).toEqual([]);
  });

  it('ignores URLs with passwords on documentation hosts', () => {
    expect(scanText("new URL('https://abc:xyz@example.com')", 'a.ts')).toEqual([]);
    expect(scanText("new URL('https://abc:s3cr3tP4ss@db.internal')", 'a.ts').map((m) => m.ruleId)).toEqual([
      'url-with-password',
    ]);
  });
});

describe('binary extensions', () => {
  it('skips known binary extensions without reading them when given the list', () => {
    const s = emptyScanStats();
    const fs = new FileScanner(new Scanner(), { binaryExtensions: ['png', 'zip'] });
    expect(fs.scanFile('/nonexistent/logo.PNG', 'img/logo.PNG', s)).toEqual({
      kind: 'skipped',
      reason: 'binary',
    });
    expect(s.skippedBinary).toBe(1);
    expect(s.skippedUnreadable).toBe(0);
  });
});
