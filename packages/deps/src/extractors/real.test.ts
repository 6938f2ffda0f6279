// Extractors run on real lockfiles committed by real projects (sources in test/fixtures/SOURCES.md).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExtractedPackage, ExtractResult } from '../types.js';
import { extractorFor } from './index.js';

const root = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

async function extract(path: string): Promise<ExtractResult> {
  const ex = extractorFor(path);
  if (!ex) throw new Error(`no extractor for ${path}`);
  return ex.extract({
    path,
    text: await readFile(root + path, 'utf8'),
    readSibling: (p) => readFile(root + p, 'utf8').catch(() => undefined),
  });
}

function find(r: ExtractResult, name: string, version?: string): ExtractedPackage {
  const p = r.packages.find((x) => x.name === name && (version === undefined || x.version === version));
  if (!p) throw new Error(`${name}${version ? `@${version}` : ''} not extracted from ${r.manifest}`);
  return p;
}

const names = (ps: ExtractedPackage[]) => ps.map((p) => `${p.name}@${p.version}`).sort();

describe('Cargo.lock (Knapptr/WavReader, lockfile v4)', () => {
  it('17 registry crates; the wav_reader crate itself is not a package, its dependency is direct', async () => {
    const r = await extract('cargo/real/Cargo.lock');
    expect(r.format).toBe('Cargo.lock v4');
    expect(r.packages.length).toBe(17);
    expect(r.packages.some((p) => p.name === 'wav_reader')).toBe(false);
    expect(names(r.packages.filter((p) => p.direct))).toEqual(['textplots@0.8.7']);
    expect(find(r, 'windows_x86_64_msvc')).toMatchObject({ version: '0.52.6', direct: false, scope: 'prod' });
    expect(find(r, 'bytemuck').dependencyPath).toEqual(['textplots@0.8.7', 'rgb@0.8.53', 'bytemuck@1.25.0']);
  });

  it('each crate carries the line of its own [[package]] header', async () => {
    const r = await extract('cargo/real/Cargo.lock');
    expect(find(r, 'bytemuck').line).toBe(5);
    expect(find(r, 'colored').line).toBe(11);
    expect(find(r, 'textplots').line).toBe(52);
    expect(find(r, 'windows_x86_64_msvc').line).toBe(136);
  });
});

describe('Gemfile.lock (dblooman/eva)', () => {
  it('41 gems; the 10 DEPENDENCIES are direct, the rest reached through them', async () => {
    const r = await extract('ruby/real/Gemfile.lock');
    expect(r.packages.length).toBe(41);
    expect(names(r.packages.filter((p) => p.direct))).toEqual([
      'docker-api@1.17.0',
      'filesize@0.0.4',
      'pry@0.10.1',
      'rake@10.4.2',
      'rspec@3.1.0',
      'rubocop@0.29.0',
      'sidekiq@3.3.2',
      'sinatra-contrib@1.4.2',
      'sinatra@1.4.5',
      'thin@1.6.3',
    ]);
    expect(find(r, 'rack')).toMatchObject({ version: '1.6.0', direct: false, line: 33 });
    expect(find(r, 'hitimes').dependencyPath).toEqual([
      'sidekiq@3.3.2',
      'celluloid@0.16.0',
      'timers@4.0.1',
      'hitimes@1.2.2',
    ]);
  });
});

describe('mix.lock (Rosetjau/elixir_ls_format_on_save, pre-1.8 entries without outer checksum)', () => {
  it('20 Hex packages with the line of each entry', async () => {
    const r = await extract('mix/real/mix.lock');
    expect(r.packages.length).toBe(20);
    expect(r.packages.every((p) => p.ecosystem === 'Hex' && !p.source)).toBe(true);
    expect(find(r, 'absinthe')).toMatchObject({ version: '1.4.9', line: 2 });
    expect(find(r, 'phoenix')).toMatchObject({ version: '1.3.2', line: 12 });
    expect(find(r, 'ranch')).toMatchObject({ version: '1.3.2', line: 21 });
  });
});

describe('packages.lock.json (Aldaviva/GitHubActionPinner, CRLF, empty RID targets)', () => {
  it('5 Direct packages of net10.0; prerelease versions kept verbatim', async () => {
    const r = await extract('nuget/real/packages.lock.json');
    expect(names(r.packages)).toEqual([
      'McMaster.Extensions.CommandLineUtils@5.0.1',
      'Octokit@14.0.0',
      'Unfucked.Caching@0.0.1-beta.3',
      'Unfucked@0.0.1-beta.34',
      'fasterflect@3.0.0',
    ]);
    expect(r.packages.every((p) => p.direct && p.scope === 'prod')).toBe(true);
    expect(find(r, 'Octokit').line).toBe(17);
  });
});

describe('pubspec.lock (Mixpeal/flutter_paypal)', () => {
  it('35 entries: direct main, direct dev, transitive; Flutter SDK packages are not registry packages', async () => {
    const r = await extract('pub/real/pubspec.lock');
    expect(r.packages.length).toBe(35);
    const direct = r.packages.filter((p) => p.direct);
    expect(direct.map((p) => `${p.name} ${p.scope}`).sort()).toEqual([
      'flutter prod',
      'flutter_lints dev',
      'flutter_spinkit prod',
      'flutter_test dev',
      'http prod',
      'http_auth prod',
      'webview_flutter prod',
    ]);
    expect(find(r, 'http')).toMatchObject({ version: '0.13.4', line: 91 });
    expect(find(r, 'webview_flutter_android')).toMatchObject({ version: '2.8.8', direct: false });
    expect(names(r.packages.filter((p) => p.source))).toEqual([
      'flutter@0.0.0',
      'flutter_test@0.0.0',
      'sky_engine@0.0.99',
    ]);
  });
});

describe('pdm.lock + pyproject.toml (540/gilded-rose-python, lock_version 4.4.1)', () => {
  it('21 packages, all dev; the coverage[toml] extras entry is the same package, not a second one', async () => {
    const r = await extract('python/pdm/real/pdm.lock');
    expect(r.packages.length).toBe(21);
    expect(r.packages.filter((p) => p.name === 'coverage')).toHaveLength(1);
    expect(r.packages.every((p) => p.scope === 'dev')).toBe(true);
    expect(names(r.packages.filter((p) => p.direct))).toEqual([
      'black@24.4.0',
      'pyhamcrest@2.1.0',
      'pylint@3.1.0',
      'pytest-cov@5.0.0',
      'pytest-watcher@0.4.2',
      'pytest@8.1.1',
    ]);
    expect(find(r, 'coverage')).toMatchObject({ version: '7.4.4', line: 69 });
    expect(find(r, 'coverage').dependencyPath).toEqual(['pytest-cov@5.0.0', 'coverage@7.4.4']);
    expect(find(r, 'watchdog').dependencyPath).toEqual(['pytest-watcher@0.4.2', 'watchdog@4.0.0']);
  });
});

describe('gradle.lockfile (ADarko22/JDKCertsTool, Kotlin JVM with ktlint and jacoco)', () => {
  it('131 entries; only main compile/runtime classpaths are prod, build tooling and tests are dev', async () => {
    const r = await extract('gradle/real/gradle.lockfile');
    expect(r.packages.length).toBe(131);
    expect(r.packages.filter((p) => p.scope === 'prod')).toHaveLength(25);
    // the same artifact at two versions: one on the app's classpath, one only in the ktlint tool
    expect(find(r, 'com.github.ajalt.clikt:clikt-jvm', '5.1.0')).toMatchObject({ scope: 'prod', line: 10 });
    expect(find(r, 'com.github.ajalt.clikt:clikt-jvm', '5.0.3')).toMatchObject({ scope: 'dev', line: 9 });
    expect(find(r, 'net.java.dev.jna:jna').scope).toBe('prod');
    expect(find(r, 'ch.qos.logback:logback-classic')).toMatchObject({ version: '1.3.16', scope: 'dev' });
    expect(find(r, 'org.jacoco:org.jacoco.agent').scope).toBe('dev');
    expect(find(r, 'org.jetbrains.kotlin:kotlin-compiler-embeddable').scope).toBe('dev');
    expect(find(r, 'org.bouncycastle:bcprov-jdk18on')).toMatchObject({ version: '1.80.2', scope: 'dev' });
    expect(find(r, 'org.junit.jupiter:junit-jupiter-api').scope).toBe('dev');
    expect(find(r, 'org.jetbrains.kotlinx:atomicfu').scope).toBe('prod');
    expect(r.packages.some((p) => p.name.startsWith('empty'))).toBe(false);
  });
});

describe('composer.lock + composer.json (klzchz/php-mailer)', () => {
  it('one package, direct from composer.json; the "v" of v5.2.26 is dropped for advisory matching', async () => {
    const r = await extract('php/real/composer.lock');
    expect(r.packages).toHaveLength(1);
    expect(r.packages[0]).toMatchObject({
      ecosystem: 'Packagist',
      name: 'phpmailer/phpmailer',
      version: '5.2.26',
      direct: true,
      scope: 'prod',
      line: 10,
    });
  });
});

describe('Pipfile.lock (Gilbertly/sam-starter-py, pipfile-spec 6, no Pipfile of the same commit)', () => {
  it('10 default + 22 develop-only packages; certifi and urllib3 listed in both sections count once, as prod', async () => {
    const r = await extract('python/pipenv/real/Pipfile.lock');
    expect(r.packages).toHaveLength(32);
    expect(r.packages.filter((p) => p.scope === 'prod')).toHaveLength(10);
    expect(r.packages.filter((p) => p.name === 'certifi')).toEqual([
      expect.objectContaining({ version: '2020.12.5', scope: 'prod', line: 35 }),
    ]);
    expect(r.packages.filter((p) => p.name === 'urllib3')).toEqual([
      expect.objectContaining({ version: '1.26.4', scope: 'prod', line: 86 }),
    ]);
    expect(find(r, 'boto3')).toMatchObject({ version: '1.16.33', scope: 'prod', line: 19 });
    // the line of a develop entry is found inside "develop", after the default section
    expect(find(r, 'coverage')).toMatchObject({ version: '5.5', scope: 'dev', line: 132 });
    expect(find(r, 'typing-extensions')).toMatchObject({ version: '3.7.4.3', scope: 'dev', line: 298 });
    // without the Pipfile nothing can be called direct
    expect(r.packages.some((p) => p.direct)).toBe(false);
  });
});

describe('poetry.lock + pyproject.toml (Kutukas/python-project-lvl1, Poetry 1.1 lock with category)', () => {
  it('8 packages: prompt is the only prod one, flake8 the dev root of the rest', async () => {
    const r = await extract('python/poetry/real/poetry.lock');
    expect(r.packages).toHaveLength(8);
    expect(r.packages.filter((p) => p.scope === 'prod').map((p) => p.name)).toEqual(['prompt']);
    expect(names(r.packages.filter((p) => p.direct))).toEqual(['flake8@3.8.4', 'prompt@0.4.1']);
    expect(find(r, 'prompt').line).toBe(39);
    expect(find(r, 'zipp')).toMatchObject({ version: '3.4.0', scope: 'dev', line: 71 });
    expect(find(r, 'typing-extensions').dependencyPath).toEqual([
      'flake8@3.8.4',
      'importlib-metadata@3.3.0',
      'typing-extensions@3.7.4.3',
    ]);
  });
});

describe('uv.lock (tdejager/test-uv-versions, a workspace of local packages)', () => {
  it('workspace members and the project are not packages; a non-member editable path dependency is, as a local one', async () => {
    const r = await extract('python/uv/real/workspace/uv.lock');
    expect(r.format).toBe('uv.lock v1');
    expect(r.packages).toEqual([
      expect.objectContaining({
        name: 'pkg-editable',
        version: '0.1.0',
        direct: true,
        scope: 'prod',
        source: 'file',
        line: 16,
      }),
    ]);
  });
});

describe('pom.xml (spring-guides/gs-rest-service complete/, Spring Boot parent POM)', () => {
  it('explicit versions are packages; parent-managed ones are reported unresolved with their line, never dropped', async () => {
    const r = await extract('maven/real/spring/pom.xml');
    expect(r.packages.map((p) => `${p.name}@${p.version} ${p.scope} L${p.line}`)).toEqual([
      'org.mybatis.spring.boot:mybatis-spring-boot-starter@2.2.2 prod L27',
      'com.h2database:h2@1.4.200 prod L33',
      'org.springframework.experimental:spring-native@0.12.1 prod L39',
    ]);
    expect(r.packages.every((p) => p.direct)).toBe(true);
    // the plugin's <version>0.12.1</version> and the parent's 2.7.1 are not dependencies
    expect(r.packages.some((p) => p.name.includes('plugin') || p.name.includes('parent'))).toBe(false);
    expect(r.unresolved!.map((u) => `${u.name}:${u.line}:${u.reason}`)).toEqual([
      'org.springframework.boot:spring-boot-starter-web:22:no version (managed by a parent POM?)',
      'org.springframework.boot:spring-boot-starter-test:45:no version (managed by a parent POM?)',
    ]);
    expect(r.notes![0]).toContain('transitive Maven dependencies are not resolved');
  });
});

describe('requirements/*.txt from pip-compile (pallets/flask)', () => {
  it('the requirements/ directory layout is read, and its dev/tests files are dev scope', async () => {
    expect(extractorFor('requirements/dev.txt')?.id).toBe('requirements');
    expect(extractorFor('python/requirements/base.txt')?.id).toBe('requirements');
    expect(extractorFor('docs/notes.txt')).toBeUndefined();
    const r = await extract('python/req/real/flask/requirements/tests-min.txt');
    expect(r.packages.map((p) => `${p.name}@${p.version} L${p.line}`)).toEqual([
      'blinker@1.9.0 L7',
      'click@8.1.3 L9',
      'itsdangerous@2.2.0 L11',
      'jinja2@3.1.2 L13',
      'markupsafe@2.1.1 L15',
      'werkzeug@3.1.0 L20',
    ]);
    expect(r.packages.every((p) => p.scope === 'dev')).toBe(true);
    // markupsafe is "via -r tests-min.in" (on a continuation comment line) as well as via jinja2: direct
    expect(r.packages.every((p) => p.direct)).toBe(true);
  });

  it('pip-tools 5 inline "# via": packages pulled in by other packages are transitive, with a path to a direct one', async () => {
    const r = await extract('python/req/real/flask-2020/requirements/dev.txt');
    expect(r.packages).toHaveLength(49);
    expect(names(r.packages.filter((p) => p.direct))).toEqual([
      'blinker@1.4',
      'greenlet@0.4.16',
      'packaging@20.4',
      'pallets-sphinx-themes@1.2.3',
      'pip-tools@5.3.1',
      'pre-commit@2.6.0',
      'pytest@6.0.1',
      'python-dotenv@0.14.0',
      'sphinx-issues@1.2.0',
      'sphinx@3.1.2',
      'sphinxcontrib-log-cabinet@1.0.1',
      'tox@3.18.1',
    ]);
    expect(find(r, 'urllib3')).toMatchObject({ version: '1.25.9', direct: false, line: 54 });
    expect(find(r, 'urllib3').dependencyPath).toEqual(['sphinx@3.1.2', 'requests@2.23.0', 'urllib3@1.25.9']);
    expect(find(r, 'appdirs').dependencyPath).toEqual([
      'pre-commit@2.6.0',
      'virtualenv@20.0.21',
      'appdirs@1.4.4',
    ]);
  });
});

describe('pip-compile --generate-hashes layout', () => {
  // five whole entries of sigstore/sigstore-python install/requirements.txt @ 00b9222 (the file is 37 KB)
  const text = `dnspython==2.4.2 \\
    --hash=sha256:57c6fbaaeaaf39c891292012060beb141791735dbb4004798328fc2c467402d8 \\
    --hash=sha256:8dcfae8c7460a2f84b4072e26f1c9f4101ca20c071649cb7c34e8b6a93d58984
    # via email-validator
email-validator==2.1.0.post1 \\
    --hash=sha256:a4b0bd1cf55f073b924258d19321b1f3aa74b4b5a71a42c305575dba920e1a44 \\
    --hash=sha256:c973053efbeddfef924dc0bd93f6e77a1ea7ee0fce935aea7103c7a3d6d2d637
    # via pydantic
h2==4.1.0 \\
    --hash=sha256:03a46bcf682256c95b5fd9e9a99c1323584c3eec6440d379b9903d709476bc6d \\
    --hash=sha256:a83aca08fbe7aacb79fec788c9c0bac936343560ed9ec18b82a13a12c28d2abb
    # via grpclib
hpack==4.0.0 \\
    --hash=sha256:84a076fad3dc9a9f8063ccb8041ef100867b1878b25ef0ee63847a5d53818a6c \\
    --hash=sha256:fc41de0c63e687ebffde81187a948221294896f6bdc0ae2312708df339430095
    # via h2
hyperframe==6.0.1 \\
    --hash=sha256:0ec6bafd80d8ad2195c4f03aacba3a8265e57bc4cff261e802bf39970ed02a15 \\
    --hash=sha256:ae510046231dc8e9ecb1a6586f63d2347bf4c8905914aa84ba585ae85f28a914
    # via h2
`;

  it('the "# via" after the hash lines belongs to the requirement above them', async () => {
    const r = await extractorFor('requirements.txt')!.extract({ path: 'requirements.txt', text });
    expect(r.packages.map((p) => `${p.name}@${p.version} L${p.line}`)).toEqual([
      'dnspython@2.4.2 L1',
      'email-validator@2.1.0.post1 L5',
      'h2@4.1.0 L9',
      'hpack@4.0.0 L13',
      'hyperframe@6.0.1 L17',
    ]);
    // every entry names a package parent, so none is direct; parents missing from the excerpt end the path
    expect(r.packages.every((p) => !p.direct)).toBe(true);
    expect(find(r, 'hpack').dependencyPath).toEqual(['h2@4.1.0', 'hpack@4.0.0']);
    expect(find(r, 'dnspython').dependencyPath).toEqual(['email-validator@2.1.0.post1', 'dnspython@2.4.2']);
  });
});

describe('Gemfile.lock with a PATH gem (dblock/strava-ruby-client, Bundler 2.1)', () => {
  it('the gem itself (PATH, "strava-ruby-client!") is a local package; its runtime deps are reached through it', async () => {
    const r = await extract('ruby/real/gem-with-path/Gemfile.lock');
    expect(r.packages).toHaveLength(71);
    expect(find(r, 'strava-ruby-client')).toMatchObject({
      version: '0.4.2',
      direct: true,
      source: 'file',
      line: 4,
    });
    expect(r.packages.filter((p) => p.direct)).toHaveLength(13);
    expect(find(r, 'hashie').dependencyPath).toEqual(['strava-ruby-client@0.4.2', 'hashie@4.1.0']);
    expect(find(r, 'racc')).toMatchObject({ version: '1.5.2', direct: false, line: 115 });
    expect(find(r, 'racc').dependencyPath).toEqual(['gpx@1.0.0', 'nokogiri@1.11.7', 'racc@1.5.2']);
    // "BUNDLED WITH 2.1.4" is not a gem
    expect(r.packages.some((p) => p.version === '2.1.4')).toBe(false);
  });
});

describe('go.mod with exclude and replace of modules it does not require (optimizely/agent)', () => {
  it('19 modules + stdlib; // indirect ones are transitive; exclude/replace of absent modules add nothing', async () => {
    const r = await extract('go/real/agent/go.mod');
    expect(r.packages).toHaveLength(20);
    expect(names(r.packages.filter((p) => !p.direct))).toEqual([
      'github.com/VividCortex/gohistogram@v1.0.0',
      'golang.org/x/sys@v0.0.0-20191105231009-c1f44814a5cd',
    ]);
    expect(find(r, 'github.com/go-chi/chi')).toMatchObject({ version: 'v4.1.1+incompatible', line: 8 });
    expect(find(r, 'github.com/optimizely/go-sdk').version).toBe('v1.6.2-0.20210903184112-9d97c16f5787');
    expect(find(r, 'stdlib').version).toBe('1.13.0');
    expect(r.packages.some((p) => /gorilla|etcd/.test(p.name))).toBe(false);
  });
});

describe('uv.lock of a single editable project (astral-sh/setup-uv __tests__/fixtures/uv-project)', () => {
  it('the editable "." project is the root; its registry dependency is direct', async () => {
    const r = await extract('python/uv/real/setup-uv-project/uv.lock');
    expect(r.packages).toEqual([
      expect.objectContaining({ name: 'ruff', version: '0.6.2', direct: true, scope: 'prod', line: 4 }),
    ]);
    expect(r.packages[0]!.source).toBeUndefined();
  });
});
