import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExtractResult } from '../types.js';
import { extractorFor } from './index.js';

const root = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** Extracts a fixture as if the fixtures directory were the scan root. */
async function extract(path: string): Promise<ExtractResult> {
  const ex = extractorFor(path);
  if (!ex) throw new Error(`no extractor for ${path}`);
  return ex.extract({
    path,
    text: await readFile(root + path, 'utf8'),
    readSibling: (p) => readFile(root + p, 'utf8').catch(() => undefined),
  });
}

const brief = (r: ExtractResult) =>
  r.packages
    .map(
      (p) =>
        `${p.name}@${p.version} ${p.direct ? 'direct' : 'transitive'} ${p.scope}${p.source ? ` ${p.source}` : ''}`,
    )
    .sort();

describe('Python', () => {
  it('requirements.txt: pins, hashes, extras, markers, -r/-c includes; unpinned lines are unresolved, not dropped', async () => {
    const r = await extract('python/req/requirements.txt');
    expect(brief(r)).toEqual([
      'Jinja2@2.10 direct prod',
      'django@3.2.0 direct prod',
      'requests@2.19.1 direct prod',
      'six@1.16.0 direct prod',
      'urllib3@1.26.18 direct prod',
    ]);
    expect(r.packages.find((p) => p.name === 'six')!.manifest).toBe('python/req/requirements-base.txt');
    expect(r.packages.find((p) => p.name === 'requests')!.line).toBe(6);
    expect(r.unresolved!.map((u) => `${u.name}:${u.line}:${u.reason}`)).toEqual([
      'git+https://github.com/pallets/click.git#egg=click:12:editable install',
      'flask:10:a range, not a pin',
      'pkg:13:direct URL reference',
    ]);
  });

  it('requirements-dev.txt is dev scope', async () => {
    expect(brief(await extract('python/req/requirements-dev.txt'))).toEqual(['pytest@7.4.0 direct dev']);
  });

  it('Pipfile.lock with its Pipfile', async () => {
    const r = await extract('python/pipenv/Pipfile.lock');
    expect(brief(r)).toEqual([
      'certifi@2018.8.24 transitive prod',
      'pytest@7.4.0 direct dev',
      'requests@2.19.1 direct prod',
    ]);
    expect(r.unresolved!.map((u) => u.name)).toEqual(['mylib']);
  });

  it('poetry.lock (Poetry 2.0 groups)', async () => {
    const r = await extract('python/poetry/poetry.lock');
    expect(r.packages.length).toBe(10);
    expect(r.packages.find((p) => p.name === 'protobuf')).toMatchObject({
      version: '4.25.5',
      scope: 'prod',
      line: 69,
    });
    expect(r.packages.find((p) => p.name === 'faker')!.scope).toBe('dev');
    // six is in both groups: prod wins
    expect(r.packages.find((p) => p.name === 'six')!.scope).toBe('prod');
  });

  it('uv.lock: the editable project gives direct and dev deps', async () => {
    const r = await extract('python/uv/uv.lock');
    expect(brief(r)).toEqual([
      'certifi@2024.8.30 transitive prod',
      'pytest@7.4.0 direct dev',
      'requests@2.19.1 direct prod',
      'urllib3@1.23 transitive prod',
    ]);
    expect(r.packages.find((p) => p.name === 'urllib3')!.dependencyPath).toEqual([
      'requests@2.19.1',
      'urllib3@1.23',
    ]);
  });

  it('pdm.lock with pyproject.toml', async () => {
    const r = await extract('python/pdm/pdm.lock');
    expect(brief(r)).toEqual([
      'certifi@2024.8.30 transitive prod',
      'pytest@7.4.0 direct dev',
      'requests@2.19.1 direct prod',
      'urllib3@1.23 transitive prod',
    ]);
  });
});

describe('other ecosystems', () => {
  it('go.mod: indirect, replace (module and local path), exclude, toolchain as stdlib', async () => {
    const r = await extract('go/go.mod');
    expect(brief(r)).toEqual([
      'github.com/docker/docker@v20.10.7+incompatible transitive prod',
      'github.com/gin-gonic/gin@v1.7.0 direct prod',
      'github.com/go-playground/validator/v10@v10.4.1 transitive prod',
      'github.com/old/thing@v1.0.0 direct prod file',
      'golang.org/x/net@v0.7.0 transitive prod',
      'golang.org/x/text@v0.3.5 direct prod',
      'stdlib@1.21.3 direct prod',
    ]);
  });

  it('go.mod of a real project (satorunooshie/go-tools): toolchain, local replace, indirect', async () => {
    expect(brief(await extract('go/real/go.mod'))).toEqual([
      'golang.org/x/mod@v0.29.0 transitive prod',
      'golang.org/x/sync@v0.17.0 transitive prod',
      'golang.org/x/tools@v0.37.0 direct prod file',
      'stdlib@1.24.6 direct prod',
    ]);
  });

  it('Cargo.lock: the workspace crate is not a package, its deps are direct', async () => {
    const r = await extract('cargo/Cargo.lock');
    expect(brief(r)).toEqual([
      'libc@0.2.155 transitive prod',
      'smallvec@1.6.0 direct prod',
      'time@0.1.43 direct prod',
      'winapi@0.3.9 transitive prod',
    ]);
    expect(r.packages.find((p) => p.name === 'libc')!.dependencyPath).toEqual([
      'time@0.1.43',
      'libc@0.2.155',
    ]);
  });

  it('Gemfile.lock: GEM and GIT specs, platform versions, DEPENDENCIES as direct', async () => {
    const r = await extract('ruby/Gemfile.lock');
    expect(brief(r)).toEqual([
      'loofah@2.2.2 transitive prod',
      'mini_portile2@2.3.0 transitive prod',
      'nokogiri@1.8.2 transitive prod',
      'rack@2.0.4 direct prod',
      'rails-html-sanitizer@1.4.2 direct prod git',
    ]);
    expect(r.packages.find((p) => p.name === 'nokogiri')!.dependencyPath).toEqual([
      'rails-html-sanitizer@1.4.2',
      'loofah@2.2.2',
      'nokogiri@1.8.2',
    ]);
  });

  it('composer.lock with composer.json', async () => {
    expect(brief(await extract('php/composer.lock'))).toEqual([
      'guzzlehttp/guzzle@6.3.0 direct prod',
      'guzzlehttp/psr7@1.4.2 transitive prod',
      'phpunit/phpunit@9.5.0 direct dev',
    ]);
  });

  it('gradle.lockfile: test-only configurations are dev', async () => {
    expect(brief(await extract('gradle/gradle.lockfile'))).toEqual([
      'com.fasterxml.jackson.core:jackson-databind@2.9.8 transitive prod',
      'junit:junit@4.12 transitive dev',
      'org.apache.logging.log4j:log4j-core@2.14.1 transitive prod',
    ]);
  });

  it('pom.xml: property interpolation, ranges unresolved, and the transitive-deps note', async () => {
    const r = await extract('maven/pom.xml');
    expect(brief(r)).toEqual([
      'org.mine:my.package@2.3.4 direct prod',
      'org.mine:mypackage@1.0.0 direct prod',
    ]);
    expect(r.unresolved!.map((u) => `${u.name} ${u.spec}`)).toEqual([
      'org.mine:ranged-package [9.4.35.v20201120,9.5)',
    ]);
    expect(r.notes![0]).toMatch(/transitive Maven dependencies are not resolved/);
  });

  it('packages.lock.json: Direct and Transitive, Project entries skipped', async () => {
    const r = await extract('nuget/packages.lock.json');
    expect(brief(r)).toEqual([
      'Newtonsoft.Json@12.0.1 direct prod',
      'System.Memory@4.5.4 transitive prod',
      'System.Text.Encodings.Web@4.7.1 direct prod',
    ]);
  });

  it('pubspec.lock: direct main/dev, transitive, sdk packages are not registry packages', async () => {
    expect(brief(await extract('pub/pubspec.lock'))).toEqual([
      'flutter@0.0.0 direct prod other',
      'http@0.13.3 direct prod',
      'http_parser@4.0.2 transitive prod',
      'lints@2.1.1 direct dev',
    ]);
  });

  it('mix.lock: hex packages and git deps', async () => {
    expect(brief(await extract('mix/mix.lock'))).toEqual([
      'cowboy@2.9.0 transitive prod',
      'cowlib@2.11.0 transitive prod',
      'plug@1.11.0 transitive prod',
      'private_dep@0f1c2d3e4b5a69788796a5b4c3d2e1f00f1e2d3c transitive prod git',
    ]);
  });
});
