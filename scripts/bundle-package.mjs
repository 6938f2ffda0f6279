#!/usr/bin/env node
// The second half of every package's build (after `tsc`, which emits the type declarations only):
// bundles the package's entry points with esbuild into dist/, one ESM file per entry plus shared
// chunks. Node loads ESM one file at a time; with a file per source module, starting the CLI read
// ~130 files (zod alone is ~100), which cost more than scanning megabytes for secrets.
//
//   node ../../scripts/bundle-package.mjs [--inline dep,dep] [src/extra-entry.ts ...]
//
// Entries: every `exports` entry and `bin` of package.json, from its `@devsecflow/source` file (or
// src/<name>.ts for a bin), plus the extra entries given (e.g. a worker a module loads by URL).
// Dependencies stay imports (one copy of each workspace package, native addons, patching by the
// lockfile) except those named by --inline: small pure-JS libraries on the start path.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import * as esbuild from 'esbuild';

const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const inlineAt = args.indexOf('--inline');
const inline = new Set(inlineAt >= 0 ? args.splice(inlineAt, 2)[1].split(',') : []);

/** dist/<name>.js -> <name> (the entry name esbuild writes to dist/<name>.js). */
const outName = (distPath) => {
  const rel = relative('dist', distPath.replace(/^\.\//, ''));
  if (rel.startsWith('..') || !rel.endsWith('.js'))
    throw new Error(`${pkg.name}: ${distPath} is not under dist/`);
  return rel.slice(0, -3);
};
const entryPoints = {};
for (const target of Object.values(pkg.exports ?? {})) {
  if (typeof target !== 'object' || !target['@devsecflow/source']) continue;
  entryPoints[outName(target.default)] = target['@devsecflow/source'];
}
for (const bin of Object.values(pkg.bin ?? {})) entryPoints[outName(bin)] = `src/${basename(bin, '.js')}.ts`;
for (const extra of args) entryPoints[basename(extra, '.ts')] = extra;

const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies });
for (const name of inline) {
  if (!deps.includes(name)) throw new Error(`${pkg.name}: --inline ${name} is not a dependency`);
}
const external = deps.filter((d) => !inline.has(d)).flatMap((d) => [d, `${d}/*`]);

const result = await esbuild.build({
  absWorkingDir: pkgDir,
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  // Chunks beside the entries: modules find files relative to themselves (../package.json, ./worker.js).
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // Some packages' `main` is a UMD build esbuild cannot follow (jsonc-parser); their `module` is ESM.
  mainFields: ['module', 'main'],
  // Inlined CommonJS requires node built-ins.
  banner: {
    js: "import { createRequire as __dsfCreateRequire } from 'node:module';\nconst require = __dsfCreateRequire(import.meta.url);",
  },
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});

// JavaScript an earlier build left in dist/ (before tsc emitted declarations only) is not the package.
const written = new Set(Object.keys(result.metafile.outputs).map((o) => join(pkgDir, o)));
for (const entry of readdirSync(join(pkgDir, 'dist'), { recursive: true, withFileTypes: true })) {
  const path = join(entry.parentPath, entry.name);
  if (entry.isFile() && /\.js(\.map)?$/.test(entry.name) && !written.has(path)) rmSync(path);
}
const entries = Object.keys(entryPoints).map((e) => `dist/${e}.js`);
console.log(
  `${pkg.name}: bundled ${entries.join(', ')}${inline.size ? ` (inlined: ${[...inline].join(', ')})` : ''}`,
);
