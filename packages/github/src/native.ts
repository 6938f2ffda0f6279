import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

/*
 * Native addons (@ast-grep/napi and its grammars) cannot be bundled into an action's dist. The
 * action ships a list of pinned npm tarballs with their sha512 integrity (dist/native.json, written
 * by the build from actions/native-pins.json); on the first run on a runner they are downloaded
 * from the npm registry, verified, unpacked into the runner's tool cache and reused by later runs.
 * The bundle then loads them through `globalThis.__devsecflowNativeRequire` and NODE_PATH.
 */

export interface NativePin {
  name: string;
  version: string;
  /** Subresource-integrity string as the registry gives it (`sha512-<base64>`). */
  integrity: string;
  /** Only for this `process.platform` / `process.arch` (platform packages). */
  os?: string;
  cpu?: string;
}

export interface NativeOptions {
  env?: Record<string, string | undefined>;
  platform?: string;
  arch?: string;
  /** Registry base URL. Default: DEVSECFLOW_NPM_REGISTRY, then https://registry.npmjs.org. */
  registry?: string;
  log?: (line: string) => void;
}

declare global {
  var __devsecflowNativeRequire: NodeRequire | undefined;
}

/** Makes `dir/node_modules` resolvable by the bundle's shim and by createRequire-based lookups. */
function activate(nodeModules: string, env: Record<string, string | undefined>): void {
  globalThis.__devsecflowNativeRequire = createRequire(join(nodeModules, 'noop.js'));
  env.NODE_PATH = env.NODE_PATH ? `${nodeModules}${delimiter}${env.NODE_PATH}` : nodeModules;
  process.env.NODE_PATH = env.NODE_PATH;
  // Node reads NODE_PATH at start-up; _initPaths re-reads it for modules resolved from now on.
  (createRequire(import.meta.url)('node:module') as { _initPaths?: () => void })._initPaths?.();
}

function tarballUrl(registry: string, pin: NativePin): string {
  const base = pin.name.split('/').pop()!;
  return `${registry.replace(/\/+$/, '')}/${pin.name}/-/${base}-${pin.version}.tgz`;
}

/**
 * Ensures the pinned native packages for this OS and CPU are installed and loadable; returns their
 * node_modules directory, or undefined when the list is absent (an action without native code).
 * Throws with the reason (network, integrity mismatch) when they cannot be installed.
 */
export async function ensureNativeModules(
  pinsFile: string | URL,
  options: NativeOptions = {},
): Promise<string | undefined> {
  const path = pinsFile instanceof URL ? fileURLToPath(pinsFile) : pinsFile;
  if (!existsSync(path)) return undefined;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const preset = env.DEVSECFLOW_NATIVE_DIR;
  if (preset) {
    activate(preset, env);
    return preset;
  }
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const all = (JSON.parse(readFileSync(path, 'utf8')) as { packages: NativePin[] }).packages;
  const pins = all.filter((p) => (!p.os || p.os === platform) && (!p.cpu || p.cpu === arch));
  if (!all.some((p) => p.os === platform && p.cpu === arch) && all.some((p) => p.os)) {
    throw new Error(
      `no prebuilt native modules for ${platform}-${arch} (available: ${[
        ...new Set(all.filter((p) => p.os).map((p) => `${p.os}-${p.cpu}`)),
      ].join(', ')})`,
    );
  }
  const key = createHash('sha256')
    .update(pins.map((p) => `${p.name}@${p.version}:${p.integrity}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const cacheRoot = env.RUNNER_TOOL_CACHE || join(tmpdir(), 'devsecflow-tool-cache');
  const dir = join(cacheRoot, 'devsecflow-native', key, `${platform}-${arch}`);
  const nodeModules = join(dir, 'node_modules');
  if (existsSync(join(dir, '.complete'))) {
    activate(nodeModules, env);
    return nodeModules;
  }
  const registry = options.registry ?? env.DEVSECFLOW_NPM_REGISTRY ?? 'https://registry.npmjs.org';
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  log(`installing ${pins.length} pinned native packages into the tool cache (first run on this runner)`);
  try {
    for (const pin of pins) {
      const url = tarballUrl(registry, pin);
      const res = await fetch(url).catch((e: Error & { cause?: { code?: string; message?: string } }) => {
        throw new Error(`GET ${url}: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
      });
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      const [algo, expected] = pin.integrity.split('-', 2) as [string, string];
      const actual = createHash(algo).update(body).digest('base64');
      if (actual !== expected) {
        throw new Error(
          `${pin.name}@${pin.version}: integrity mismatch (expected ${pin.integrity}, got ${algo}-${actual})`,
        );
      }
      const target = join(staging, 'node_modules', ...pin.name.split('/'));
      mkdirSync(target, { recursive: true });
      // npm tarballs keep everything under `package/`.
      await pipeline(Readable.from(body), tar.x({ cwd: target, strip: 1 }));
    }
    writeFileSync(join(staging, '.complete'), `${new Date(0).toISOString()}\n`);
    mkdirSync(join(dir, '..'), { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (e) {
      // Another job on this runner finished first: use its copy.
      if (!existsSync(join(dir, '.complete'))) throw e;
      rmSync(staging, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not install the native modules: ${(e as Error).message}`);
  }
  activate(nodeModules, env);
  return nodeModules;
}
