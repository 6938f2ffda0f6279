#!/usr/bin/env node
// Scaffolds a workspace package with the repo's shared build, typecheck, lint and test setup:
//   node scripts/new-package.mjs packages/secrets @devsecflow/secrets "Secret detection stage"
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [dir, name, description = ''] = process.argv.slice(2);
if (!dir || !name) {
  console.error('usage: node scripts/new-package.mjs <dir> <package-name> [description]');
  process.exit(2);
}
if (existsSync(join(dir, 'package.json'))) {
  console.error(`${dir}/package.json already exists`);
  process.exit(2);
}
const up = relative(dir, '.') || '.';
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test', 'fixtures'), { recursive: true });
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  exports: {
    '.': {
      '@devsecflow/source': './src/index.ts',
      types: './dist/index.d.ts',
      default: './dist/index.js',
    },
  },
  files: ['dist', 'README.md'],
  scripts: {
    build: 'tsc -p tsconfig.build.json && node ../../scripts/bundle-package.mjs',
    typecheck: 'tsc -p tsconfig.json --noEmit',
    lint: 'biome check .',
    test: 'vitest run',
  },
  dependencies: {},
};
const json = (o) => `${JSON.stringify(o, null, 2)}\n`;
writeFileSync(join(dir, 'package.json'), json(pkg));
writeFileSync(
  join(dir, 'tsconfig.json'),
  json({
    extends: `${up}/tsconfig.base.json`,
    compilerOptions: { noEmit: true, allowImportingTsExtensions: true },
    include: ['src', 'test', '*.ts'],
  }),
);
writeFileSync(
  join(dir, 'tsconfig.build.json'),
  json({
    extends: `${up}/tsconfig.base.json`,
    // Builds resolve sibling packages through their built dist/, not their sources.
    compilerOptions: { rootDir: 'src', outDir: 'dist', emitDeclarationOnly: true, customConditions: [] },
    include: ['src'],
    exclude: ['src/**/*.test.ts', 'src/**/test-*.ts'],
  }),
);
writeFileSync(
  join(dir, 'vitest.config.ts'),
  `import shared from '${up}/vitest.shared.ts';\n\nexport default shared;\n`,
);
writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
writeFileSync(join(dir, 'README.md'), `# ${name}\n\n${description}\n`);
console.log(`created ${dir}`);
