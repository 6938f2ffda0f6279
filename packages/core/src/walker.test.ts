import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from './errors.js';
import { parseShard, readTextFile, recordSkip, shardOf, walkFiles } from './walker.js';
import { emptyWalkStats, type WalkOptions, type WalkStats } from './walker-types.js';

const tmpRoots: string[] = [];
afterAll(async () => {
  for (const dir of tmpRoots) await rm(dir, { recursive: true, force: true });
});

/** Builds a tree from `{ 'a/b.txt': 'text' }`; a trailing slash makes an empty directory. */
async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dsf-walker-'));
  tmpRoots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) {
      await mkdir(abs, { recursive: true });
    } else {
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, content);
    }
  }
  return root;
}

async function walk(
  options: WalkOptions,
  stats: WalkStats = emptyWalkStats(),
): Promise<{ paths: string[]; stats: WalkStats }> {
  const paths: string[] = [];
  for await (const file of walkFiles(options, stats)) paths.push(file.path);
  return { paths, stats };
}

const skipsOf = (stats: WalkStats) =>
  Object.fromEntries(stats.skippedFiles.map((s) => [s.path, s.reason] as const));

function expectConsistent(stats: WalkStats): void {
  const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
  expect(stats.filesSeen).toBe(stats.filesYielded + skipped);
  expect(stats.skippedFiles).toHaveLength(skipped);
}

describe('walkFiles: ignore rules', () => {
  it('honours root and nested .gitignore files with git semantics', async () => {
    const root = await tree({
      '.gitignore': ['*.log', '!keep.log', '/top-only.txt', 'build/', 'docs/*.md', '!docs/README.md'].join(
        '\n',
      ),
      'a.log': '',
      'keep.log': '',
      'top-only.txt': '',
      'src/top-only.txt': '', // anchored pattern: only the root one is ignored
      'src/x.log': '',
      'src/build/out.js': '', // directory-only pattern matches at any depth
      build: '', // ...but not a plain file called build
      'docs/guide.md': '',
      'docs/README.md': '',
      'pkg/.gitignore': ['secret.txt', '!*.log', '/generated/', 'tmp'].join('\n'),
      'pkg/secret.txt': '',
      'pkg/debug.log': '', // re-included by the deeper file, which wins
      'pkg/generated/g.ts': '',
      'pkg/sub/generated/kept.ts': '', // '/generated/' is anchored to pkg/
      'pkg/sub/tmp/x.ts': '',
      'secret.txt': '', // pkg's rules do not apply above pkg/
      'node_modules/dep/index.js': '',
      '.git/config': '',
      '.github/workflows/ci.yml': '',
    });
    const { paths } = await walk({ root });
    expect(paths).toEqual([
      '.github/workflows/ci.yml',
      '.gitignore',
      'build',
      'docs/README.md',
      'keep.log',
      'pkg/.gitignore',
      'pkg/debug.log',
      'pkg/sub/generated/kept.ts',
      'secret.txt',
      'src/top-only.txt',
    ]);
  });

  it('reads .git/info/exclude and the .gitignore files of the enclosing repository', async () => {
    const repo = await tree({
      '.git/info/exclude': 'local-notes.md\n',
      '.gitignore': '*.secret\n',
      'packages/.gitignore': 'app/dist/\n!keep.secret\n',
      'packages/app/a.ts': '',
      'packages/app/x.secret': '',
      'packages/app/keep.secret': '',
      'packages/app/dist/bundle.js': '',
      'packages/app/local-notes.md': '',
    });
    const { paths } = await walk({ root: path.join(repo, 'packages', 'app') });
    expect(paths).toEqual(['a.ts', 'keep.secret']);
  });

  it('walks ignored paths with gitignore: false but still skips .git and node_modules', async () => {
    const root = await tree({
      '.gitignore': '*.log\n',
      'a.log': '',
      '.git/HEAD': '',
      'node_modules/x.js': '',
      'deep/node_modules/y.js': '',
    });
    const { paths } = await walk({ root, gitignore: false });
    expect(paths).toEqual(['.gitignore', 'a.log']);
  });

  it('applies exclude and include globs relative to the root, dotfiles included', async () => {
    const root = await tree({
      '.github/workflows/ci.yml': '',
      'config.yml': '',
      'src/app.ts': '',
      'src/app.test.ts': '',
      'vendor/lib/v.yml': '',
      'test/fixtures/f.yml': '',
    });
    const excluded = await walk({ root, exclude: ['vendor/**', '**/fixtures/**', '**/*.test.ts'] });
    expect(excluded.paths).toEqual(['.github/workflows/ci.yml', 'config.yml', 'src/app.ts']);
    const included = await walk({ root, include: ['**/*.yml'], exclude: ['vendor'] });
    expect(included.paths).toEqual(['.github/workflows/ci.yml', 'config.yml', 'test/fixtures/f.yml']);
  });
});

describe('walkFiles: skips', () => {
  it('skips files over maxFileSize and counts them', async () => {
    const root = await tree({ 'small.txt': 'x'.repeat(10), 'big.txt': 'x'.repeat(11) });
    const { paths, stats } = await walk({ root, maxFileSize: 10 });
    expect(paths).toEqual(['small.txt']);
    expect(stats.skipped['too-large']).toBe(1);
    expect(stats.skippedFiles).toEqual([
      { path: 'big.txt', reason: 'too-large', detail: '11 bytes > limit of 10' },
    ]);
    expectConsistent(stats);
  });

  it('skips binaries by NUL byte in the first 8 KiB and by extension', async () => {
    const lateNul = Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]);
    const root = await tree({
      'nul.dat': Buffer.from([0x61, 0x00, 0x62]),
      'late-nul.txt': lateNul, // NUL after 8 KiB: treated as text, like git
      'logo.PNG': 'not really a png',
      'empty.txt': '',
      'text.txt': 'héllo',
    });
    const { paths, stats } = await walk({ root });
    expect(paths).toEqual(['empty.txt', 'late-nul.txt', 'text.txt']);
    expect(skipsOf(stats)).toEqual({ 'logo.PNG': 'binary', 'nul.dat': 'binary' });
    expect(stats.skipped.binary).toBe(2);
    expectConsistent(stats);

    const all = await walk({ root, skipBinary: false });
    expect(all.paths).toEqual(['empty.txt', 'late-nul.txt', 'logo.PNG', 'nul.dat', 'text.txt']);
  });

  it('records unreadable files and directories instead of throwing', async () => {
    const root = await tree({ 'locked.txt': 'x', 'locked-dir/inner.txt': 'x', 'ok.txt': 'x' });
    await chmod(path.join(root, 'locked.txt'), 0o000);
    await chmod(path.join(root, 'locked-dir'), 0o000);
    // As root, chmod 000 does not deny reads: then both must be walked normally.
    const denied = await access(path.join(root, 'locked.txt'), constants.R_OK).then(
      () => false,
      () => true,
    );
    const { paths, stats } = await walk({ root });
    await chmod(path.join(root, 'locked-dir'), 0o755);
    if (denied) {
      expect(paths).toEqual(['ok.txt']);
      expect(skipsOf(stats)).toEqual({ 'locked-dir': 'unreadable', 'locked.txt': 'unreadable' });
    } else {
      expect(paths).toEqual(['locked-dir/inner.txt', 'locked.txt', 'ok.txt']);
      expect(stats.skippedFiles).toEqual([]);
    }
    expectConsistent(stats);
  });

  it('never opens FIFOs or sockets, and reports dangling symlinks', async () => {
    const root = await tree({ 'a.txt': 'x' });
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
    await symlink(path.join(root, 'missing.txt'), path.join(root, 'dangling'));
    try {
      const { paths, stats } = await walk({ root });
      expect(paths).toEqual(['a.txt']);
      expect(skipsOf(stats)).toEqual({ dangling: 'unreadable', pipe: 'unreadable', sock: 'unreadable' });
      expect(stats.skippedFiles.find((s) => s.path === 'dangling')?.detail).toMatch(/dangling/);
      // Without the binary sniff the walker only stats, which must not hang either.
      expect((await walk({ root, skipBinary: false })).paths).toEqual(['a.txt']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('walkFiles: symlinks', () => {
  it('skips links outside the root, follows file links inside it, and does not descend directory links', async () => {
    const outside = await tree({ 'secret.txt': 'x', 'dir/f.txt': 'x' });
    const root = await tree({ 'real/f.txt': 'x', 'a.txt': 'x' });
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'out-file'));
    await symlink(path.join(outside, 'dir'), path.join(root, 'out-dir'));
    await symlink('a.txt', path.join(root, 'link.txt'));
    await symlink('real', path.join(root, 'alias'));
    const { paths, stats } = await walk({ root });
    expect(paths).toEqual(['a.txt', 'link.txt', 'real/f.txt']);
    expect(skipsOf(stats)).toEqual({ 'out-dir': 'outside-root', 'out-file': 'outside-root' });
    expectConsistent(stats);
  });

  it('reports symlink loops and terminates', async () => {
    const root = await tree({ 'd/sub/f.txt': 'x' });
    await symlink('..', path.join(root, 'd', 'up')); // a directory linked to its parent
    await symlink(root, path.join(root, 'd', 'sub', 'to-root'));
    await symlink('ping', path.join(root, 'pong'));
    await symlink('pong', path.join(root, 'ping')); // a chain that never resolves (ELOOP)
    const { paths, stats } = await walk({ root });
    expect(paths).toEqual(['d/sub/f.txt']);
    expect(skipsOf(stats)).toEqual({
      'd/sub/to-root': 'symlink-loop',
      'd/up': 'symlink-loop',
      ping: 'symlink-loop',
      pong: 'symlink-loop',
    });
    expectConsistent(stats);
  });
});

describe('walkFiles: order and sharding', () => {
  const files = Object.fromEntries(
    [
      'a-b.txt',
      'a/x.txt',
      'a/y/z.txt',
      'B.txt',
      'b.txt',
      'é.txt',
      'e.txt',
      ...Array.from({ length: 40 }, (_, i) => `many/f${i}.ts`),
    ].map((p) => [p, p]),
  );

  it('yields paths in code-unit order, the same on every run', async () => {
    const root = await tree(files);
    const first = await walk({ root });
    const second = await walk({ root });
    expect(first.paths).toEqual(second.paths);
    expect(first.paths.slice(0, 7)).toEqual([
      'B.txt',
      'a-b.txt',
      'a/x.txt',
      'a/y/z.txt',
      'b.txt',
      'e.txt',
      'many/f0.ts',
    ]);
    expect(first.paths.at(-1)).toBe('é.txt');
    expect(first.paths).toEqual([...first.paths].sort());
  });

  it('splits the tree into disjoint shards whose union is the whole tree', async () => {
    const root = await tree(files);
    const full = (await walk({ root })).paths;
    const shards = await Promise.all([1, 2, 3].map((index) => walk({ root, shard: { index, total: 3 } })));
    const union = shards.flatMap((s) => s.paths).sort();
    expect(union).toEqual([...full].sort());
    expect(new Set(union).size).toBe(union.length);
    for (const s of shards) {
      expect(s.paths.length).toBeGreaterThan(5);
      for (const p of s.paths) expect(shardOf(p, 3)).toBe(shards.indexOf(s) + 1);
    }
  });

  it('counts each skip in exactly one shard', async () => {
    const root = await tree({ 'x.png': '', 'y.bin': Buffer.from([0]), 'z.jpg': '', 'w.gif': '' });
    const all = await walk({ root });
    const shards = await Promise.all([1, 2].map((index) => walk({ root, shard: { index, total: 2 } })));
    expect(shards.map((s) => s.stats.skipped.binary).reduce((a, b) => a + b)).toBe(all.stats.skipped.binary);
    expect(all.stats.skipped.binary).toBe(4);
  });

  it('hashes paths with FNV-1a so shard numbers never change', () => {
    // Published FNV-1a 32-bit test vectors: with 2^32 shards the shard is the hash + 1.
    expect(shardOf('', 2 ** 32)).toBe(0x811c9dc5 + 1);
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c + 1);
    expect(shardOf('foobar', 2 ** 32)).toBe(0xbf9cf968 + 1);
    expect(shardOf('src/index.ts', 4)).toBe(2);
    expect(shardOf('packages/core/src/walker.ts', 7)).toBe(3);
    expect(shardOf('README.md', 2)).toBe(1);
    // Normalised: separators, a leading ./ and Unicode form do not move a file.
    expect(shardOf('./src\\index.ts', 4)).toBe(2);
    expect(shardOf('e\u0301.txt', 1000)).toBe(shardOf('\u00e9.txt', 1000));
    expect(shardOf('anything', 1)).toBe(1);
    expect(() => shardOf('a', 0)).toThrow(RangeError);
  });
});

describe('parseShard', () => {
  it('parses i/n', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, total: 3 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, total: 3 });
    expect(parseShard('1/1')).toEqual({ index: 1, total: 1 });
  });

  it.each(['0/3', '4/3', '1/0', '1', '1/3/5', 'a/b', '-1/3', '1.5/3', '', '1/'])('rejects %j', (text) => {
    expect(() => parseShard(text)).toThrow(UserError);
    expect(() => parseShard(text)).toThrow(`--shard expects i/n with 1 <= i <= n, got '${text}'`);
  });
});

describe('readTextFile and the root', () => {
  it('decodes UTF-8, drops a BOM, and reports invalid UTF-8 and vanished files', async () => {
    const root = await tree({
      'ok.txt': 'héllo',
      'bom.txt': Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]),
      'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    });
    const file = (p: string) => ({ path: p, absolutePath: path.join(root, p), size: 0 });
    expect(await readTextFile(file('ok.txt'))).toEqual({ text: 'héllo' });
    expect(await readTextFile(file('bom.txt'))).toEqual({ text: 'hi' });
    expect(await readTextFile(file('latin1.txt'))).toEqual({
      skip: 'invalid-utf8',
      detail: 'not valid UTF-8',
    });
    expect(await readTextFile(file('gone.txt'))).toEqual({ skip: 'unreadable', detail: 'ENOENT' });

    const stats = emptyWalkStats();
    recordSkip(stats, 'latin1.txt', 'invalid-utf8', 'not valid UTF-8');
    expect(stats.skipped['invalid-utf8']).toBe(1);
    expect(stats.skippedFiles).toEqual([
      { path: 'latin1.txt', reason: 'invalid-utf8', detail: 'not valid UTF-8' },
    ]);
  });

  it('throws a UserError for a missing root or a root that is a file', async () => {
    const root = await tree({ 'f.txt': 'x' });
    await expect(walk({ root: path.join(root, 'nope') })).rejects.toThrow(UserError);
    await expect(walk({ root: path.join(root, 'f.txt') })).rejects.toThrow(/cannot walk this directory/);
  });
});
