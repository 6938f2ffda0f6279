import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLocalPlatform,
  createMemoryLogger,
  defaultPolicy,
  describeError,
  emptyWalkStats,
  type Report,
  runStage,
} from '@devsecflow/core';
import { appliesTo, FORMAT_IDS, render } from '@devsecflow/formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsStage } from './stage.js';
import { examplePlantedFiles } from './test-fixtures.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '../../../examples/secrets');
const { planted, values } = examplePlantedFiles();

async function run(root: string, options: Record<string, unknown> = {}) {
  const logger = createMemoryLogger();
  const report = await runStage(secretsStage, {
    root,
    policy: defaultPolicy(root),
    platform: createLocalPlatform(root, logger),
    logger,
    options,
    tool: { name: 'devsecflow', version: '0.0.0-test' },
  });
  return { report, logger };
}

let work: string;
beforeAll(() => {
  // A copy, so the walker sees the tree without the monorepo's .gitignore around it.
  work = mkdtempSync(join(tmpdir(), 'dsf-secrets-stage-'));
  cpSync(examples, work, { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('secretsStage on examples/secrets', () => {
  it('finds exactly the planted secrets, redacted, and nothing in the lockfile or the bait', async () => {
    const { report } = await run(work);
    expect(report.status).toBe('ok');
    const found = report.findings.map((f) => ({
      path: f.location!.path,
      line: f.location!.startLine,
      rule: f.ruleId,
    }));
    const sort = (a: { path: string; line: number }, b: { path: string; line: number }) =>
      a.path.localeCompare(b.path) || a.line - b.line;
    expect(found.sort(sort)).toEqual([...planted].sort(sort));
    for (const f of report.findings) {
      expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(f.identifiers).toContainEqual(expect.objectContaining({ value: 'CWE-798' }));
      expect(f.properties).toMatchObject({
        maskedPreview: expect.stringMatching(/\*\*\*\*…\(\d+\)$/),
        secretHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(f.location!.snippet).toContain('****…(');
    }
    expect(report.stats).toMatchObject({ skippedLockfile: 1 });
    expect(report.gate?.passed).toBe(false);
  });

  it('reports nothing new when lockfiles are scanned too (integrity hashes are not secrets)', async () => {
    const { report } = await run(work, { includeLockfiles: true });
    expect(report.findings).toHaveLength(planted.length);
    expect(report.findings.some((f) => f.location?.path === 'package-lock.json')).toBe(false);
  });

  it('keeps fingerprints when lines move (they hash the value, not the line)', async () => {
    const a = await run(work);
    const moved = mkdtempSync(join(tmpdir(), 'dsf-secrets-moved-'));
    try {
      cpSync(work, moved, { recursive: true });
      const { writeFileSync, readFileSync } = await import('node:fs');
      const p = join(moved, 'src/github-client.ts');
      writeFileSync(p, `// a new first line\n\n${readFileSync(p, 'utf8')}`);
      const b = await run(moved);
      expect(b.report.findings.map((f) => f.fingerprint).sort()).toEqual(
        a.report.findings.map((f) => f.fingerprint).sort(),
      );
    } finally {
      rmSync(moved, { recursive: true, force: true });
    }
  });

  it('never writes a raw secret into any output format, log line or error', async () => {
    const { report, logger } = await run(work, { includeLockfiles: true });
    const reports: Report[] = [report];
    const outputs: Record<string, string> = {
      logs: logger.lines.join('\n'),
      errors: JSON.stringify(report.errors),
    };
    for (const id of FORMAT_IDS) {
      if (!appliesTo(id, reports)) continue;
      outputs[id] = render(id, reports);
    }
    // Every format the registry knows that applies to a secrets report was rendered.
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'json',
        'sarif',
        'gitlab-secret-detection',
        'gitlab-code-quality',
        'junit',
        'markdown',
        'html',
      ]),
    );
    for (const [format, text] of Object.entries(outputs)) {
      for (const v of values) {
        expect(text.includes(v), `${format} leaks a planted value`).toBe(false);
        // Also no long slice of it (a snippet cut in the middle of a value would still leak).
        const core = v.length > 24 ? v.slice(6, 22) : v;
        expect(text.includes(core), `${format} leaks part of a planted value`).toBe(false);
      }
    }
  });

  it('rejects options it does not know and unknown rule ids with a clear message', async () => {
    await expect(run(work, { rules: { disable: ['no-such-rule'] } })).rejects.toThrow(/rule id/);
    await expect(run(work, { colour: 'blue' })).rejects.toThrow();
    await expect(run(work, { since: 'main', staged: true })).rejects.toThrow(/at most one/);
    const err = await run(work, { since: '-rf' }).catch((e: unknown) => e);
    expect(describeError(err)).not.toMatch(/internal error/);
  });

  it('honours allowlisted paths and disabled rules', async () => {
    const { report } = await run(work, {
      allowlist: { paths: ['config/**', 'deploy/**'] },
      rules: { disable: ['github-pat'] },
    });
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual([
      'npm-access-token',
      'openai-api-key',
      'slack-webhook-url',
      'stripe-secret-key',
    ]);
    expect(report.stats).toMatchObject({ skippedAllowlistedPath: 3 });
  });

  it('reports a file it could not read as an error that names the file and holds no content', async () => {
    const root = work;
    const ctx = {
      root,
      policy: defaultPolicy(root),
      logger: createMemoryLogger(),
      platform: createLocalPlatform(root),
      signal: new AbortController().signal,
      walkStats: emptyWalkStats(),
      async *files() {
        yield { path: 'src/github-client.ts', absolutePath: join(root, 'src/github-client.ts'), size: 300 };
        // Deleted between the walk and the read.
        yield { path: 'gone.txt', absolutePath: join(root, 'gone.txt'), size: 10 };
      },
    };
    const out = await secretsStage.run(ctx, { threads: 1 });
    expect(out.errors).toEqual([
      { path: 'gone.txt', message: 'could not read the file (ENOENT)', kind: 'error' },
    ]);
    expect(out.findings.map((f) => f.ruleId)).toEqual(['github-pat']);
  });
});

describe('secretsStage history and staged modes', () => {
  it('reports a secret added and removed in the commits since a revision, with the commit', async () => {
    const { execFileSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const repo = mkdtempSync(join(tmpdir(), 'dsf-secrets-stage-git-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x.invalid',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x.invalid',
          GIT_CONFIG_GLOBAL: '/dev/null',
        },
      }).trim();
    try {
      git('init', '-q', '-b', 'main');
      writeFileSync(join(repo, 'a.txt'), 'hello\n');
      git('add', '.');
      git('commit', '-q', '-m', 'root');
      const base = git('rev-parse', 'HEAD');
      writeFileSync(join(repo, 'a.txt'), `hello\nkey=${values[0]}\n`);
      git('commit', '-q', '-am', 'oops');
      const oops = git('rev-parse', 'HEAD');
      writeFileSync(join(repo, 'a.txt'), 'hello\n');
      git('commit', '-q', '-am', 'remove');
      const { report } = await run(repo, { since: base });
      expect(report.findings).toHaveLength(1);
      const f = report.findings[0]!;
      expect(f).toMatchObject({
        ruleId: 'github-pat',
        location: { path: 'a.txt', startLine: 2 },
        properties: { commit: oops, source: 'history' },
      });
      expect(f.message).toContain(oops.slice(0, 12));
      expect(JSON.stringify(report)).not.toContain(values[0]);
      // The working tree no longer has it.
      expect((await run(repo)).report.findings).toEqual([]);
      // The same range from the platform's PR/MR base.
      const platform = {
        ...createLocalPlatform(repo),
        context: async () => ({ platform: 'test', change: { id: 1, baseSha: base } }),
      };
      const viaChange = await runStage(secretsStage, {
        root: repo,
        policy: defaultPolicy(repo),
        platform,
        logger: createMemoryLogger(),
        options: { changeCommits: true },
        tool: { name: 'devsecflow', version: 't' },
      });
      expect(viaChange.findings.map((x) => x.properties?.commit)).toEqual([oops]);
      await expect(run(repo, { changeCommits: true })).rejects.toThrow(/needs a PR\/MR/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
