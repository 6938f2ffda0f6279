import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Secrets from './index.js';
import { scanFiles as scanFilesFromSource, workerExecArgv, workersAvailable } from './pool.js';
import { FAKES, rng } from './test-fakes.js';

// Worker threads run the built worker (Node 20 cannot load TypeScript in a worker), so this test
// builds dist/ when it is missing or older than the sources and drives the built package. The
// worker imports @devsecflow/core as a user's install would, from core's dist/ (see workerExecArgv).
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

let dist: typeof Secrets;
let root: string;
const jobs: { path: string; absolutePath: string; size: number }[] = [];

beforeAll(async () => {
  const worker = join(pkg, 'dist/worker.js');
  if (!existsSync(worker) || statSync(worker).mtimeMs < newestSource(join(pkg, 'src'))) {
    execFileSync(
      process.execPath,
      [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: pkg },
    );
    execFileSync(process.execPath, [join(pkg, '../../scripts/bundle-package.mjs'), 'src/worker.ts'], {
      cwd: pkg,
    });
  }
  dist = (await import(pathToFileURL(join(pkg, 'dist/index.js')).href)) as typeof Secrets;
  root = mkdtempSync(join(tmpdir(), 'dsf-secrets-pool-'));
  const ids = Object.keys(FAKES);
  for (let i = 0; i < 300; i++) {
    const id = ids[i % ids.length]!;
    const fake = FAKES[id]!.fake(rng(i));
    const path = `d${i % 7}/f${i}-${(fake.path ?? 'x.txt').split('/').pop()}`;
    mkdirSync(join(root, dirname(path)), { recursive: true });
    const text = i % 3 === 0 ? fake.text : `// filler\n${'const x = 1;\n'.repeat(50)}`;
    writeFileSync(join(root, path), text);
    jobs.push({ path, absolutePath: join(root, path), size: Buffer.byteLength(text) });
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('scan pool', () => {
  it('runs inline from TypeScript sources (no compiled worker next to them)', async () => {
    expect(workersAvailable()).toBe(false);
    const r = await scanFilesFromSource(jobs.slice(0, 5), {}, { threads: 4, parallelThreshold: 0 });
    expect(r.threads).toBe(1);
  });

  it('gives the same results and stats on two worker threads as on one thread', async () => {
    expect(dist.workersAvailable()).toBe(true);
    const one = await dist.scanFiles(jobs, {}, { threads: 1 });
    const two = await dist.scanFiles(jobs, {}, { threads: 2, parallelThreshold: 0 });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.results).toEqual(one.results);
    expect(two.stats).toEqual(one.stats);
    // 100 files hold a fake; path-specific rules (docker config.json) miss under the renamed paths.
    expect(
      one.results.filter((r) => r.outcome.kind === 'scanned' && r.outcome.matches.length > 0).length,
    ).toBeGreaterThan(95);
  });
});

describe('scan pool fed by an async walk', () => {
  it('scans every job when the pool starts part-way through the walk', async () => {
    async function* walk() {
      for (const j of jobs) {
        await new Promise((r) => setImmediate(r));
        yield j;
      }
    }
    const one = await dist.scanFiles(jobs, {}, { threads: 1 });
    const streamed = await dist.scanFiles(walk(), {}, { threads: 2, parallelThreshold: 10_000 });
    expect(streamed.threads).toBe(2);
    expect(streamed.results.map((r) => r.path)).toEqual(jobs.map((j) => j.path));
    expect(streamed.results).toEqual(one.results);
  });
});

describe('scan pool failures', () => {
  it('rejects, without hanging, when the walk fails part-way', async () => {
    async function* walk() {
      for (const [i, j] of jobs.entries()) {
        if (i === 200) throw new Error('walk failed');
        await new Promise((r) => setImmediate(r));
        yield j;
      }
    }
    await expect(dist.scanFiles(walk(), {}, { threads: 2, parallelThreshold: 0 })).rejects.toThrow(
      'walk failed',
    );
  });

  it('stops when the signal aborts, on one thread and with workers', async () => {
    for (const threads of [1, 2]) {
      const ac = new AbortController();
      async function* walk() {
        for (const [i, j] of jobs.entries()) {
          if (i === 100) ac.abort();
          await new Promise((r) => setImmediate(r));
          yield j;
        }
      }
      await expect(
        dist.scanFiles(walk(), {}, { threads, parallelThreshold: 0, signal: ac.signal }),
      ).rejects.toThrow(/abort/i);
    }
  });

  it('scans on this thread alone below the threshold', async () => {
    const r = await dist.scanFiles(jobs.slice(0, 20), {}, { threads: 4 });
    expect(r.threads).toBe(1);
    expect(r.results.map((x) => x.path)).toEqual(jobs.slice(0, 20).map((j) => j.path));
  });
});

describe('workerExecArgv', () => {
  it('passes node options on, except the condition that resolves workspace packages to sources', () => {
    expect(
      workerExecArgv([
        '--conditions',
        '@devsecflow/source',
        '-C',
        '@devsecflow/source',
        '--conditions=@devsecflow/source',
        '--conditions',
        'development',
        '--max-old-space-size=512',
      ]),
    ).toEqual(['--conditions', 'development', '--max-old-space-size=512']);
  });
});
