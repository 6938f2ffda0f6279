import { createHash } from 'node:crypto';
import { cpSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNativeModules, type NativePin } from './native.js';
import { tmp } from './test-helpers.js';

/*
 * The loading path of the actions' native modules on this machine (linux-x64): pinned tarballs
 * served by a local registry, verified, unpacked into a tool cache, then @ast-grep/napi loaded from
 * there and used to parse code. The tarballs are packed from the installed packages, so the test
 * needs no network; the pins' integrity is computed from them the way the registry computes it.
 */

const require = createRequire(import.meta.url);
const pkgDir = (name: string, from?: string) =>
  realpathSync(dirname(createRequire(from ?? import.meta.url).resolve(`${name}/package.json`)));

const napiDir = pkgDir('@ast-grep/napi');
const napiVersion = require('@ast-grep/napi/package.json').version as string;
const platformPkg = `@ast-grep/napi-${process.platform}-${process.arch}-gnu`;
const packages = [
  { name: '@ast-grep/napi', dir: napiDir },
  {
    name: platformPkg,
    dir: pkgDir(platformPkg, join(napiDir, 'index.js')),
    os: process.platform,
    cpu: process.arch,
  },
];

const tarballs = new Map<string, Buffer>();
let registry = '';
let requests: string[] = [];
const pins: NativePin[] = [];
let server: ReturnType<typeof createServer>;

beforeAll(async () => {
  for (const p of packages) {
    const stage = tmp('dsf-pack-');
    // npm tarballs hold the package under `package/`.
    cpSync(p.dir, join(stage, 'package'), { recursive: true, dereference: true });
    const final = join(stage, 'pkg.tgz');
    await tar.c({ gzip: true, file: final, cwd: stage, portable: true }, ['package']);
    const body = readFileSync(final);
    const base = p.name.split('/').pop()!;
    tarballs.set(`/${p.name}/-/${base}-${napiVersion}.tgz`, body);
    pins.push({
      name: p.name,
      version: napiVersion,
      integrity: `sha512-${createHash('sha512').update(body).digest('base64')}`,
      ...(p.os ? { os: p.os, cpu: p.cpu } : {}),
    });
  }
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = tarballs.get(req.url ?? '');
    res.writeHead(body ? 200 : 404);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function pinsFile(list: NativePin[]): string {
  const file = join(tmp('dsf-pins-'), 'native.json');
  writeFileSync(file, JSON.stringify({ packages: list }));
  return file;
}

describe('ensureNativeModules', () => {
  it('installs verified tarballs into the tool cache once, then loads @ast-grep/napi from there', async () => {
    const env: Record<string, string | undefined> = { RUNNER_TOOL_CACHE: tmp('dsf-toolcache-') };
    requests = [];
    const dir = await ensureNativeModules(pinsFile(pins), { env, registry });
    expect(dir).toMatch(
      new RegExp(`devsecflow-native/[0-9a-f]{16}/${process.platform}-${process.arch}/node_modules$`),
    );
    expect(requests).toHaveLength(2);
    const napi = globalThis.__devsecflowNativeRequire!('@ast-grep/napi') as typeof import('@ast-grep/napi');
    expect(globalThis.__devsecflowNativeRequire!.resolve('@ast-grep/napi')).toContain(dir!);
    const root = napi.parse(napi.Lang.JavaScript, 'const a = eval(input);').root();
    expect(root.find('eval($X)')?.getMatch('X')?.text()).toBe('input');
    expect(env.NODE_PATH?.split(':')[0]).toBe(dir);

    requests = [];
    expect(await ensureNativeModules(pinsFile(pins), { env, registry })).toBe(dir);
    expect(requests).toEqual([]);
  });

  it('refuses a tarball whose integrity does not match', async () => {
    const bad = pins.map((p, i) =>
      i === 0 ? { ...p, integrity: `sha512-${Buffer.alloc(64).toString('base64')}` } : p,
    );
    const env = { RUNNER_TOOL_CACHE: tmp('dsf-toolcache-') };
    await expect(ensureNativeModules(pinsFile(bad), { env, registry })).rejects.toThrow(
      /@ast-grep\/napi@.*integrity mismatch/,
    );
  });

  it('says which platforms exist when this one has no binaries', async () => {
    const env = { RUNNER_TOOL_CACHE: tmp('dsf-toolcache-') };
    await expect(
      ensureNativeModules(pinsFile(pins), { env, registry, platform: 'sunos', arch: 'x64' }),
    ).rejects.toThrow(
      `no prebuilt native modules for sunos-x64 (available: ${process.platform}-${process.arch})`,
    );
  });

  it('does nothing for an action without a native list', async () => {
    expect(await ensureNativeModules('/nonexistent/native.json')).toBeUndefined();
  });
});
