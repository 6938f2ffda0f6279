import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '@devsecflow/core';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { validateGitlab, validateSarif } from './test-schemas.js';

const here = dirname(fileURLToPath(import.meta.url));
const SARIF_FIXTURES = join(here, '../../formats/test/fixtures/sarif');

function capture() {
  let text = '';
  const write = (s: string) => {
    text += s;
    return true;
  };
  const stream = { write, isTTY: false } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = capture();
  const err = capture();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, cwd, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dsf-cli-'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

const realSarif = readdirSync(SARIF_FIXTURES).filter((f) => f.endsWith('.sarif'));

describe('devsecflow import', () => {
  it('has real SARIF from at least four scanners to work with', () => {
    expect(realSarif.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of realSarif) {
    it(`imports ${file}, gates it, and writes SARIF and GitLab SAST that validate`, async () => {
      const root = tree({});
      copyFileSync(join(SARIF_FIXTURES, file), join(root, file));
      const r = await cli(
        [
          'import',
          file,
          '--format',
          'sarif,gitlab-sast,gitlab-code-quality',
          '-o',
          'out',
          '--fail-on',
          'none',
        ],
        root,
      );
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code, r.stderr).toBe(0);
      const report = ReportSchema.parse(
        JSON.parse(readFileSync(join(root, 'out/devsecflow-sast.json'), 'utf8')),
      );
      expect(report.findings.length).toBeGreaterThan(0);
      // Each finding names the scanner that found it (the report's tool, or its own when runs differ).
      expect(report.findings.every((f) => (f.tool?.name ?? report.tool.name) !== 'devsecflow')).toBe(true);
      const sarif = JSON.parse(readFileSync(join(root, 'out', sarifFileName(root)), 'utf8'));
      expect(validateSarif(sarif)).toEqual([]);
      const gl = JSON.parse(readFileSync(join(root, 'out/gl-sast-report.json'), 'utf8'));
      expect(validateGitlab('sast', gl)).toEqual([]);
      expect(gl.vulnerabilities).toHaveLength(report.findings.filter((f) => !f.suppression).length);
    });
  }

  it('fails the gate on imported findings at the threshold', async () => {
    const root = tree({});
    const file = realSarif.find((f) => f.startsWith('eslint'))!;
    copyFileSync(join(SARIF_FIXTURES, file), join(root, file));
    const r = await cli(['import', file, '-o', 'out', '--fail-on', 'low'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gate failed: \d+ violation/);
  });

  it('rejects a truncated SARIF file with one line naming it', async () => {
    const root = tree({ 'bad.sarif': '{"version": "2.1.0", "runs": [ {"tool": ' });
    const r = await cli(['import', 'bad.sarif'], root);
    expect(r.code).toBe(2);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('devsecflow:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/bad\.sarif:1:\d+: invalid JSON: expected a value \(is the file truncated\?\)/);
    expect(r.stderr).not.toMatch(/\s+at /);
  });

  it('says when a file is missing', async () => {
    const r = await cli(['import', 'nope.sarif'], tree({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.sarif: cannot read SARIF file: ENOENT/);
  });
});

function sarifFileName(root: string): string {
  return readdirSync(join(root, 'out')).find((f) => f.endsWith('.sarif'))!;
}

describe('configuration errors', () => {
  it('are one line with file, line, column and key, exit 2', async () => {
    const root = tree({ 'devsecflow.yml': 'stages:\n  sast:\n    failOn: severe\n' });
    const r = await cli(['run'], root);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^devsecflow: \S*devsecflow\.yml:3:5: stages\.sast\.failOn: expected one of/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('name an unknown key', async () => {
    const root = tree({ 'devsecflow.yml': 'failon: high\n' });
    const r = await cli(['run'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/devsecflow\.yml:1:1: unknown key 'failon'/);
  });

  it('reject bad flags', async () => {
    const root = tree({});
    expect((await cli(['run', 'sast', '--fail-on', 'severe'], root)).stderr).toMatch(
      /--fail-on expects one of/,
    );
    expect((await cli(['run', 'sast', '--shard', '3/2'], root)).code).toBe(2);
    expect((await cli(['run', 'nonsense'], root)).stderr).toMatch(/unknown stage 'nonsense'/);
    expect((await cli(['frobnicate'], root)).code).toBe(2);
    expect((await cli(['run', '--diff-base', '--output=/tmp/x'], root)).code).toBe(2);
  });

  it('say what to do when nothing is configured', async () => {
    const r = await cli(['run'], tree({}));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no devsecflow\.yml found/);
  });
});

describe('merge, gate, convert, baseline', () => {
  async function importedReport(root: string, name: string, out: string) {
    const file = realSarif.find((f) => f.startsWith(name))!;
    copyFileSync(join(SARIF_FIXTURES, file), join(root, file));
    const r = await cli(['import', file, '-o', out, '--fail-on', 'none'], root);
    expect(r.code, r.stderr).toBe(0);
    return join(out, 'devsecflow-sast.json');
  }

  it('merges reports of two tools without losing findings, and gates them', async () => {
    const root = tree({});
    const a = await importedReport(root, 'eslint', 'a');
    const b = await importedReport(root, 'flawfinder', 'b');
    const countA = JSON.parse(readFileSync(join(root, a), 'utf8')).findings.length;
    const countB = JSON.parse(readFileSync(join(root, b), 'utf8')).findings.length;
    const r = await cli(['merge', a, b, a, '-o', 'merged', '--json', '--fail-on', 'none'], root);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reports).toHaveLength(1);
    expect(out.reports[0].findings).toHaveLength(countA + countB);
    expect(new Set(out.reports[0].findings.map((f: { tool?: { name: string } }) => f.tool?.name)).size).toBe(
      2,
    );
  });

  it('re-evaluates saved reports with gate, and reads them strictly', async () => {
    const root = tree({});
    const a = await importedReport(root, 'eslint', 'a');
    expect((await cli(['gate', a, '--fail-on', 'none'], root)).code).toBe(0);
    expect((await cli(['gate', a, '--fail-on', 'info'], root)).code).toBe(1);
    writeFileSync(join(root, 'not-a-report.json'), '{"hello": 1}');
    const bad = await cli(['gate', 'not-a-report.json'], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /not-a-report\.json:1:1: schemaVersion: .*expected a DevSecFlow report, schema v1/,
    );
  });

  it('converts saved reports to another format on stdout', async () => {
    const root = tree({});
    const a = await importedReport(root, 'eslint', 'a');
    const r = await cli(['convert', a, '--to', 'gitlab-sast'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(validateGitlab('sast', JSON.parse(r.stdout))).toEqual([]);
    expect((await cli(['convert', a, '--to', 'pdf'], root)).stderr).toMatch(/unknown format 'pdf'/);
  });

  it('records a baseline so --new-only passes on the same findings', async () => {
    const root = tree({});
    const a = await importedReport(root, 'eslint', 'a');
    const b = await cli(['baseline', '--from', a], root);
    expect(b.code, b.stderr).toBe(0);
    const baseline = JSON.parse(readFileSync(join(root, '.devsecflow/baseline.json'), 'utf8'));
    expect(baseline.fingerprints.length).toBeGreaterThan(0);
    writeFileSync(join(root, 'devsecflow.yml'), 'baseline: .devsecflow/baseline.json\nfailOn: info\n');
    const file = realSarif.find((f) => f.startsWith('eslint'))!;
    expect((await cli(['import', file, '-o', 'c'], root)).code).toBe(1);
    expect((await cli(['import', file, '-o', 'c', '--new-only'], root)).code).toBe(0);
  });
});

describe('run with stages.<id>.import', () => {
  it('runs a stage made only of imported SARIF, with inline suppressions applied', async () => {
    const file = realSarif.find((f) => f.startsWith('eslint'))!;
    const root = tree({ 'devsecflow.yml': `failOn: none\nstages:\n  sast:\n    import: [${file}]\n` });
    copyFileSync(join(SARIF_FIXTURES, file), join(root, file));
    const r = await cli(['run', '--json'], root);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reports[0].stage).toBe('sast');
    expect(out.reports[0].findings.length).toBeGreaterThan(0);
  });
});

describe('import from a flag', () => {
  it('merges SARIF named on the command line into the native stage, through the runner only', async () => {
    const file = realSarif.find((f) => f.startsWith('eslint'))!;
    const root = tree({ 'app.js': 'const x = 1;\n' });
    copyFileSync(join(SARIF_FIXTURES, file), join(root, file));
    const r = await cli(['sast', '--set', `sast.import=["${file}"]`, '--fail-on', 'none', '--json'], root);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout).reports;
    expect(report.stage).toBe('sast');
    const eslint = report.findings.filter((f: { tool?: { name: string } }) => f.tool?.name === 'ESLint');
    expect(eslint.length).toBeGreaterThan(0);
    // One copy of each imported result, not one from the runner and one from the stage.
    expect(new Set(eslint.map((f: { fingerprint: string }) => f.fingerprint)).size).toBe(eslint.length);
  });
});

describe('init', () => {
  it('prints a GitHub workflow and a GitLab include for the configured stages', async () => {
    const root = tree({ 'devsecflow.yml': 'stages:\n  sast: {}\n  deps: {}\n' });
    const gh = await cli(['init', '--github'], root);
    expect(gh.stdout).toMatch(/uses: devsecflow\/devsecflow\/actions\/sast@/);
    expect(gh.stdout).toMatch(/actions\/dependency-scan@/);
    const gl = await cli(['init', '--gitlab'], root);
    expect(gl.stdout).toMatch(/components\/dependency-scan@/);
    expect((await cli(['init'], root)).code).toBe(2);
  });
});

describe('the built bin', () => {
  const bin = join(here, '../dist/devsecflow.js');
  it('prints the version and exits 2 on a usage error without a stack', () => {
    expect(execFileSync(process.execPath, [bin, '--version']).toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
    try {
      execFileSync(process.execPath, [bin, 'run', '--fail-on', 'nope'], { stdio: 'pipe' });
      throw new Error('expected exit 2');
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      expect(err.status).toBe(2);
      expect(err.stderr.toString()).not.toMatch(/\n\s+at /);
    }
  });
});

describe('sbom and db update', () => {
  const examples = join(here, '../../../examples');

  it('writes a CycloneDX 1.6 SBOM of the example lockfiles', async () => {
    const root = tree({});
    const r = await cli(['sbom', '--root', join(examples, 'deps'), '--output', 'sbom.json'], root);
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(readFileSync(join(root, 'sbom.json'), 'utf8'));
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const purls = bom.components.map((c: { purl?: string }) => c.purl);
    expect(purls).toContain('pkg:npm/lodash@4.17.20');
    expect(purls).toContain('pkg:pypi/requests@2.19.1');
  });

  it('downloads OSV dumps from a mirror, and rejects unknown ecosystems', async () => {
    const { createServer } = await import('node:http');
    const { zipSync } = await import('fflate');
    // A real OSV record (lodash's GHSA) in the dump layout: one JSON file per advisory.
    const record = readFileSync(join(here, '../../deps/test/fixtures/osv/GHSA-35jh-r3h4-6jhm.json'));
    const zip = Buffer.from(zipSync({ 'GHSA-35jh-r3h4-6jhm.json': new Uint8Array(record) }));
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/zip', etag: '"v1"' }).end(zip);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    try {
      const root = tree({});
      const r = await cli(
        ['db', 'update', '--dir', 'osv', '--ecosystem', 'npm', '--url', `http://127.0.0.1:${port}`],
        root,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(seen).toEqual(['/npm/all.zip']);
      expect(readFileSync(join(root, 'osv/npm/all.zip')).length).toBe(zip.length);
    } finally {
      server.close();
    }
    const bad = await cli(['db', 'update', '--dir', 'osv', '--ecosystem', 'Npm!'], tree({}));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown ecosystem 'Npm!'/);
  });
});

describe('deploy approval', () => {
  const policyYaml = [
    'failOn: none',
    'stages:',
    '  deploy-approval:',
    '    evidenceLog: .devsecflow/evidence.jsonl',
    '    environments:',
    '      staging:',
    '        requiredStages: [sast]',
    '      production:',
    '        requiredStages: [sast]',
    '        maxSeverity: low',
  ].join('\n');

  async function scanned() {
    const file = realSarif.find((f) => f.startsWith('eslint'))!;
    const root = tree({ 'devsecflow.yml': policyYaml, '.gitignore': '.devsecflow/\nout/\n' });
    copyFileSync(join(SARIF_FIXTURES, file), join(root, file));
    // Reports and approvals are tied to the commit being deployed.
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], {
        cwd: root,
        stdio: 'pipe',
      });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'app');
    const r = await cli(['import', file, '-o', '.devsecflow/reports'], root);
    expect(r.code, r.stderr).toBe(0);
    return root;
  }

  it('approves staging, blocks production even with --fail-on none, and verifies the evidence chain', async () => {
    const root = await scanned();
    const staging = await cli(
      ['deploy', '--environment', 'staging', '--reports', '.devsecflow/reports/*.json', '-o', 'out'],
      root,
    );
    expect(staging.code, staging.stderr).toBe(0);
    const prod = await cli(
      [
        'deploy',
        '--environment',
        'production',
        '--reports',
        '.devsecflow/reports/*.json',
        '-o',
        'out',
        '--fail-on',
        'none',
      ],
      root,
    );
    expect(prod.code, prod.stderr).toBe(1);
    expect(prod.stderr).toMatch(/deployment blocked/);
    const ok = await cli(['evidence', 'verify', '.devsecflow/evidence.jsonl'], root);
    expect(ok.code, ok.stderr).toBe(0);
    const log = join(root, '.devsecflow/evidence.jsonl');
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    writeFileSync(log, `${lines[0]!.replace('"staging"', '"production"')}\n${lines[1]}\n`);
    const tampered = await cli(['evidence', 'verify', '.devsecflow/evidence.jsonl'], root);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(
      /evidence\.jsonl:1: record digest does not match its content: the record was edited/,
    );
  });

  it('is left out of a plain run, and needs an environment when named', async () => {
    const root = await scanned();
    const r = await cli(['deploy', '--reports', '.devsecflow/reports/*.json'], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environment/);
  });
});

describe('inventory and monitor', () => {
  const examples = join(here, '../../../examples');
  const osvDb = join(examples, 'deps/osv-db');

  it('records a deployment, answers who runs a package, and tells owners once', async () => {
    const root = tree({});
    const store = join(root, 'inv.sqlite');
    const push = await cli(
      [
        'inventory',
        'push',
        '--application',
        'shop',
        '--environment',
        'production',
        '--commit',
        'a'.repeat(40),
        '--owner',
        '@acme/shop',
        '--root',
        join(examples, 'deps'),
        '--store',
        store,
      ],
      root,
    );
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toMatch(/recorded shop in production/);

    const byName = await cli(['inventory', 'query', '--name', 'lodash', '--json', '--store', store], root);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toContain('"shop"');
    expect(byName.stdout).toContain('4.17.20');

    const byAdvisory = await cli(
      ['inventory', 'query', '--advisory', 'CVE-2021-23337', '--offline-db', osvDb, '--store', store],
      root,
    );
    expect(byAdvisory.code, byAdvisory.stderr).toBe(0);
    expect(byAdvisory.stdout).toMatch(/shop/);

    const { createServer } = await import('node:http');
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const hook = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook/secret-path`;
    try {
      const first = await cli(
        ['monitor', '--offline-db', osvDb, '--store', store, '--webhook', hook, '--json'],
        root,
      );
      expect(first.code, first.stderr).toBe(0);
      const events = JSON.parse(first.stdout).events as { type: string; advisory: { id: string } }[];
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.type === 'opened')).toBe(true);
      expect(events.map((e) => e.advisory.id)).toContain('GHSA-35jh-r3h4-6jhm');
      expect(received.length).toBeGreaterThan(0);
      const again = await cli(
        ['monitor', '--offline-db', osvDb, '--store', store, '--webhook', hook, '--json'],
        root,
      );
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).events).toEqual([]);
      expect(first.stderr + again.stderr).not.toContain('secret-path');
    } finally {
      server.close();
    }
  });

  it('says what is missing', async () => {
    const root = tree({});
    const q = await cli(['inventory', 'query', '--store', join(root, 'x.sqlite')], root);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/give --purl, --name or --advisory/);
    const p = await cli(
      ['inventory', 'push', '--application', 'a', '--environment', 'e', '--root', root],
      root,
    );
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/no --commit given/);
  });
});

describe('fix', () => {
  it('plans the smallest npm upgrades offline and says what a dry run would clear', async () => {
    const examples = join(here, '../../../examples');
    const root = tree({});
    for (const f of ['package.json', 'package-lock.json'])
      copyFileSync(join(examples, 'deps', f), join(root, f));
    const r = await cli(
      ['fix', '--dry-run', '--offline-db', join(examples, 'deps/osv-db'), '--markdown', 'fix.md'],
      root,
    );
    expect([0, 1]).toContain(r.code);
    const md = readFileSync(join(root, 'fix.md'), 'utf8');
    expect(md).toMatch(/lodash/);
    expect(md).toMatch(/4\.17\.21/);
    // A dry run says what it would clear; it does not claim that what it would fix stays vulnerable.
    expect(md).toMatch(/^Would clear .*GHSA-35jh-r3h4-6jhm/m);
    expect(md).not.toMatch(/Still vulnerable/);
    // A dry run changes nothing.
    expect(readFileSync(join(root, 'package-lock.json'), 'utf8')).toBe(
      readFileSync(join(examples, 'deps/package-lock.json'), 'utf8'),
    );
  });
});
