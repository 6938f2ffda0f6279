import { OsvApi } from '@devsecflow/deps';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatMonitorText, issueDraft, type MonitorOptions, monitor, monitorExitCode } from './monitor.js';
import { openSqliteStore } from './sqlite.js';
import { osvRecord, realSbom, sbomOf } from './test-fixtures.js';
import { type FakeServer, fakeOsv, fakeTracker, fakeWebhook, fetchTracker } from './test-servers.js';
import type { InventoryStore } from './types.js';

let osv: Awaited<ReturnType<typeof fakeOsv>>;
let tracker: Awaited<ReturnType<typeof fakeTracker>>;
let hook: Awaited<ReturnType<typeof fakeWebhook>>;
let store: InventoryStore;
const servers: FakeServer[] = [];

beforeAll(async () => {
  osv = await fakeOsv();
  tracker = await fakeTracker();
  hook = await fakeWebhook();
  servers.push(osv, tracker, hook);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

beforeEach(async () => {
  osv.records.clear();
  osv.state.failing = false;
  tracker.issues.length = 0;
  tracker.state.failCreate = false;
  hook.received.length = 0;
  hook.state.status = 200;
  store = await openSqliteStore();
  // app-a: a real npm lockfile (lodash 4.17.20, lodash-old = lodash 4.17.15, minimist 1.2.5, qs 6.7.0).
  await store.recordDeployment({
    application: 'app-a',
    environment: 'prod',
    commit: 'aaaa1111',
    time: '2026-11-01T00:00:00Z',
    owners: ['@alice', '@org/team-a'],
    sbom: await realSbom(),
  });
  // app-b: lodash already fixed, minimist vulnerable, in two environments.
  for (const environment of ['prod', 'staging']) {
    await store.recordDeployment({
      application: 'app-b',
      environment,
      commit: `bbbb-${environment}`,
      time: '2026-11-01T00:00:00Z',
      owners: ['b-team@example.com'],
      sbom: sbomOf([
        ['npm', 'lodash', '4.17.21'],
        ['npm', 'minimist', '1.2.5'],
      ]),
    });
  }
});
afterEach(async () => {
  await store.close();
});

const serve = async (id: string, modified?: string) => {
  const r = await osvRecord(id);
  osv.records.set(id, modified ? { ...r, modified } : r);
};

const run = (extra: Partial<MonitorOptions> = {}) =>
  monitor({
    store,
    // A new client per run, as a scheduled job would have; no retries so failures are quick.
    source: new OsvApi({ baseUrl: osv.url, retries: 0, timeoutMs: 5000 }),
    tracker: fetchTracker(tracker.url),
    webhook: { url: `${hook.url}/hooks/T000/SECRET-TOKEN` },
    now: new Date('2026-11-22T00:00:00Z'),
    ...extra,
  });

describe('monitor', () => {
  it('opens one issue per affected application + advisory, and none on a second run', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    const first = await run();
    expect(first.errors).toEqual([]);
    expect(first.deployments).toBe(3);
    expect(first.events.map((e) => `${e.type} ${e.application} ${e.advisory.id}`)).toEqual([
      'opened app-a GHSA-35jh-r3h4-6jhm',
    ]);
    expect(tracker.issues).toHaveLength(1);
    const issue = tracker.issues[0]!;
    expect(issue.title).toBe('GHSA-35jh-r3h4-6jhm (high) affects app-a: Command Injection in lodash');
    expect(issue.body).toContain('| prod | aaaa1111 | npm:lodash | 4.17.15 | 4.17.21 |');
    expect(issue.body).toContain('| prod | aaaa1111 | npm:lodash | 4.17.20 | 4.17.21 |');
    expect(issue.body).toContain('Also known as CVE-2021-23337.');
    expect(issue.body).toContain('Owners: @alice @org/team-a');
    expect(issue.assignees).toEqual(['alice']);
    expect(first.events[0]!.issue).toEqual({ id: '1', url: `${tracker.url}/issues/1` });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({
      source: 'devsecflow',
      type: 'opened',
      application: 'app-a',
      text: `[high] GHSA-35jh-r3h4-6jhm (Command Injection in lodash) affects app-a in prod. ${tracker.url}/issues/1`,
    });

    expect(formatMonitorText(first)).toBe(
      `opened   app-a GHSA-35jh-r3h4-6jhm [high] in prod (issue ${tracker.url}/issues/1)\n3 deployments checked: 1 change(s), 0 already reported\n`,
    );
    expect(monitorExitCode(first)).toBe(0);
    const second = await run();
    expect(second.events).toEqual([]);
    expect(second.unchanged).toBe(1);
    expect(tracker.issues).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
  });

  it('tells each application about a new advisory, updates on a modified advisory, closes after a fixed deploy', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    await run();
    await serve('GHSA-xvch-5gv4-984h');
    const added = await run();
    expect(
      added.events.map(
        (e) => `${e.type} ${e.application} ${e.advisory.id} ${e.environments.map((x) => x.environment)}`,
      ),
    ).toEqual(['opened app-a GHSA-xvch-5gv4-984h prod', 'opened app-b GHSA-xvch-5gv4-984h prod,staging']);
    expect(tracker.issues).toHaveLength(3);
    expect(tracker.issues[2]!.body).toContain('Owners: b-team@example.com');

    await serve('GHSA-35jh-r3h4-6jhm', '2026-11-20T00:00:00Z');
    const updated = await run();
    expect(updated.events.map((e) => `${e.type} ${e.application} ${e.advisory.id}`)).toEqual([
      'updated app-a GHSA-35jh-r3h4-6jhm',
    ]);
    expect(tracker.issues).toHaveLength(3);
    expect(tracker.issues[0]!.body).toContain('last modified 2026-11-20T00:00:00Z');
    expect((await run()).events).toEqual([]);

    // A new environment deployed with the flaw is news for the owners: the issue is updated.
    await store.recordDeployment({
      application: 'app-b',
      environment: 'canary',
      commit: 'bbbb-canary',
      time: '2026-11-20T00:00:00Z',
      owners: ['b-team@example.com'],
      sbom: sbomOf([['npm', 'minimist', '1.2.5']]),
    });
    const canary = await run();
    expect(
      canary.events.map((e) => `${e.type} ${e.application} ${e.environments.map((x) => x.environment)}`),
    ).toEqual(['updated app-b canary,prod,staging']);
    expect(tracker.issues[2]!.body).toContain('| canary | bbbb-canary | npm:minimist | 1.2.5 | 1.2.6 |');
    expect(tracker.issues).toHaveLength(3);
    expect((await run()).events).toEqual([]);

    await store.recordDeployment({
      application: 'app-a',
      environment: 'prod',
      commit: 'aaaa2222',
      time: '2026-11-21T00:00:00Z',
      owners: ['@alice'],
      sbom: sbomOf([
        ['npm', 'lodash', '4.17.21'],
        ['npm', 'minimist', '1.2.6'],
      ]),
    });
    const fixed = await run();
    expect(fixed.events.map((e) => `${e.type} ${e.application} ${e.advisory.id}`)).toEqual([
      'closed app-a GHSA-35jh-r3h4-6jhm',
      'closed app-a GHSA-xvch-5gv4-984h',
    ]);
    expect(tracker.issues.map((i) => i.state)).toEqual(['closed', 'closed', 'open']);
    expect(tracker.issues[0]!.comments[0]).toMatch(
      /no longer contain a version affected by GHSA-35jh-r3h4-6jhm/,
    );
    expect(hook.received.at(-1)).toMatchObject({
      type: 'closed',
      text: expect.stringMatching(/^\[resolved\] .* no longer affects app-a/),
    });
    expect((await run()).events).toEqual([]);
    expect(tracker.issues).toHaveLength(3);

    // The flaw comes back with a later deploy: the same issue is reopened, not a new one.
    await store.recordDeployment({
      application: 'app-a',
      environment: 'prod',
      commit: 'aaaa3333',
      time: '2026-11-21T12:00:00Z',
      owners: ['@alice'],
      sbom: sbomOf([['npm', 'lodash', '4.17.20']]),
    });
    const back = await run();
    expect(back.events.map((e) => `${e.type} ${e.advisory.id} ${e.issue?.id}`)).toEqual([
      'reopened GHSA-35jh-r3h4-6jhm 1',
    ]);
    expect(tracker.issues.map((i) => i.state)).toEqual(['open', 'closed', 'open']);
  });

  it('does not close anything when the advisory source fails, and reports partial', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    await run();
    await store.recordDeployment({
      application: 'app-a',
      environment: 'prod',
      commit: 'fixed',
      time: '2026-11-21T00:00:00Z',
      owners: [],
      sbom: sbomOf([['npm', 'lodash', '4.17.21']]),
    });
    osv.state.failing = true;
    const down = await run();
    expect(down.partial).toBe(true);
    expect(down.errors.length).toBeGreaterThan(0);
    expect(down.events).toEqual([]);
    expect(tracker.issues[0]!.state).toBe('open');
    expect(monitorExitCode(down)).toBe(3);
    expect(formatMonitorText(down)).toContain(
      '3 deployments checked: 0 change(s), 0 already reported, PARTIAL',
    );
    osv.state.failing = false;
    expect((await run()).events.map((e) => e.type)).toEqual(['closed']);
  });

  it('never duplicates: a lost state store finds the existing issue by its key', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    await run();
    // A fresh store with the same deployment but no monitor state (e.g. a wiped SQLite file).
    const fresh = await openSqliteStore();
    await fresh.recordDeployment({
      application: 'app-a',
      environment: 'prod',
      commit: 'aaaa1111',
      time: '2026-11-01T00:00:00Z',
      owners: ['@alice'],
      sbom: await realSbom(),
    });
    const again = await run({ store: fresh });
    expect(again.events.map((e) => `${e.type} ${e.issue?.id}`)).toEqual(['opened 1']);
    expect(tracker.issues).toHaveLength(1);
    await fresh.close();
  });

  it('retries a failed issue creation on the next run, once', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    tracker.state.failCreate = true;
    const failed = await run();
    expect(failed.events).toEqual([]);
    expect(failed.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^issue for app-a \/ GHSA-35jh-r3h4-6jhm: .*HTTP 502/),
    ]);
    expect(hook.received).toEqual([]);
    tracker.state.failCreate = false;
    expect((await run()).events.map((e) => e.type)).toEqual(['opened']);
    expect((await run()).events).toEqual([]);
    expect(tracker.issues).toHaveLength(1);
  });

  it('reports a failing webhook without its secret path', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    hook.state.status = 500;
    const r = await run();
    expect(r.events).toHaveLength(1);
    expect(r.errors.map((e) => e.message)).toEqual([`webhook ${hook.url}/…: HTTP 500`]);
    expect(JSON.stringify(r.errors)).not.toContain('SECRET-TOKEN');
  });

  it('changes nothing in a dry run', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    const dry = await run({ dryRun: true });
    expect(dry.events.map((e) => e.type)).toEqual(['opened']);
    expect(tracker.issues).toEqual([]);
    expect(hook.received).toEqual([]);
    expect(await store.listSeen()).toEqual([]);
  });

  it('works without a tracker: state and webhook only, still once', async () => {
    await serve('GHSA-35jh-r3h4-6jhm');
    expect((await run({ tracker: undefined })).events).toHaveLength(1);
    expect((await run({ tracker: undefined })).events).toEqual([]);
    expect(hook.received).toHaveLength(1);
    expect(tracker.issues).toEqual([]);
  });
});

describe('issueDraft', () => {
  it('escapes table cells and carries the key marker', () => {
    const d = issueDraft({
      type: 'opened',
      application: 'a|b',
      advisory: { id: 'X-1', aliases: [], severity: 'low', modified: 'm', url: 'u', summary: 'pipe | here' },
      environments: [],
      packages: [
        { environment: 'p|q', commit: 'c', deployedAt: 't', ecosystem: 'npm', name: 'n', version: '1' },
      ],
      owners: [],
    });
    expect(d.body).toContain('| p\\|q | c | npm:n | 1 | no fix yet |');
    expect(d.body.endsWith('<!-- devsecflow-monitor:a|b:X-1 -->')).toBe(true);
  });
});
