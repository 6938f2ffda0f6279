import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeGitHub, startFakeGitHub } from '@devsecflow/github/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './main.js';

/**
 * The deploy-approval stage end to end on GitHub: the CLI picks the GitHub platform from the
 * runner's variables, and approvals are read by the real octokit from a fake API on 127.0.0.1.
 */
const here = dirname(fileURLToPath(import.meta.url));
const EVENT = join(here, '../../github/test/fixtures/events/pull_request.opened.json');
/** On pull_request events GITHUB_SHA is the merge commit GitHub built from the PR head. */
const DEPLOYED = '1111111111111111111111111111111111111111';
const HEAD = 'b'.repeat(40);

const CONFIG = `stages:
  deploy-approval:
    evidenceLog: false
    environments:
      production:
        requiredStages: [sast]
        minApprovals: 1
        approvers: { users: [alice, bob, octocat] }
`;

function sastReport(commit: string): string {
  return JSON.stringify({
    schemaVersion: '1',
    stage: 'sast',
    tool: { name: 'devsecflow', version: '0.1.0' },
    target: { root: '/w', commit },
    startedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:01.000Z',
    status: 'ok',
    findings: [],
    errors: [],
    stats: {},
    gate: { passed: true, violations: [] },
  });
}

let server: FakeGitHub | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function deploy(reviews: unknown[], opts: { reportCommit?: string; failReviews?: boolean } = {}) {
  server = await startFakeGitHub({
    pull: { head: { sha: HEAD }, merge_commit_sha: DEPLOYED, user: { login: 'octocat' }, merged_at: null },
    reviews,
  });
  if (opts.failReviews) server.fail('listReviews', 502, 'Bad Gateway');
  const root = mkdtempSync(join(tmpdir(), 'dsf-deploy-gh-'));
  mkdirSync(join(root, 'reports'));
  writeFileSync(join(root, 'devsecflow.yml'), CONFIG);
  writeFileSync(join(root, 'reports', 'devsecflow-sast.json'), sastReport(opts.reportCommit ?? DEPLOYED));
  let err = '';
  let out = '';
  const stream = (append: (s: string) => void) => {
    const write = (s: string) => {
      append(s);
      return true;
    };
    return { write, isTTY: false } as unknown as NodeJS.WriteStream;
  };
  const code = await runCli(
    ['deploy', '--environment', 'production', '--reports', 'reports/*.json', '-o', 'out', '--no-comment'],
    {
      cwd: root,
      stdout: stream((s) => {
        out += s;
      }),
      stderr: stream((s) => {
        err += s;
      }),
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'Codertocat/Hello-World',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: EVENT,
        GITHUB_SHA: DEPLOYED,
        GITHUB_REF: 'refs/pull/2/merge',
        GITHUB_RUN_ID: '77',
        GITHUB_API_URL: server.url,
        GITHUB_WORKSPACE: root,
        GITHUB_TOKEN: 'ghs_deploytoken',
      },
    },
  );
  return { code, err: err + out };
}

const review = (login: string, state: string, commit: string, at: string) => ({
  user: { login },
  state,
  commit_id: commit,
  submitted_at: at,
});

describe('devsecflow deploy on GitHub (real octokit, fake API)', () => {
  it("ignores the author's own approval and an approval of an older commit: blocked", async () => {
    const r = await deploy([
      review('octocat', 'APPROVED', HEAD, '2026-11-20T09:00:00Z'),
      review('bob', 'APPROVED', 'c'.repeat(40), '2026-11-19T09:00:00Z'),
    ]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/deploy-approval\/approvals/);
    expect(r.err).toMatch(/gate failed/);
    expect(server!.requests.map((q) => q.route)).toEqual(expect.arrayContaining(['getPull', 'listReviews']));
    expect(r.err).not.toContain('ghs_deploytoken');
  });

  it("approves with a reviewer's approval of the PR head the deployed commit was built from", async () => {
    const r = await deploy([review('alice', 'APPROVED', HEAD, '2026-11-20T09:00:00Z')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/APPROVED/);
  });

  it('blocks when the report is for another commit', async () => {
    const r = await deploy([review('alice', 'APPROVED', HEAD, '2026-11-20T09:00:00Z')], {
      reportCommit: 'd'.repeat(40),
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/deploy-approval\/commit-mismatch/);
  });

  it('blocks, with the reason, when the reviews cannot be read (never approved by default)', async () => {
    const r = await deploy([review('alice', 'APPROVED', HEAD, '2026-11-20T09:00:00Z')], {
      failReviews: true,
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/502/);
  });
});
