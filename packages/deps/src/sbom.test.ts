import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { extractorFor } from './extractors/index.js';
import { toCycloneDx } from './sbom.js';
import type { ExtractResult } from './types.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

async function schemaValidator() {
  const load = async (f: string) => JSON.parse(await readFile(`${fixtures}cyclonedx/${f}`, 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // the bom schema refers to its siblings by their file names
  const base = 'http://cyclonedx.org/schema/';
  for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json'])
    ajv.addSchema({ ...(await load(f)), $id: base + f });
  return ajv.compile(await load('bom-1.6.SNAPSHOT.schema.json'));
}

async function extract(path: string, as: string): Promise<ExtractResult> {
  return extractorFor(as)!.extract({
    path: as,
    text: await readFile(fixtures + path, 'utf8'),
    readSibling: (p) => readFile(`${fixtures}js/${p}`, 'utf8').catch(() => undefined),
  });
}

describe('toCycloneDx', () => {
  it('writes a CycloneDX 1.6 document valid against the official schema, with purls and the graph', async () => {
    const validate = await schemaValidator();
    const npm = await extract('js/npm-v3.package-lock.json', 'package-lock.json');
    const go = await extract('go/go.mod', 'go.mod');
    const maven = await extract('gradle/gradle.lockfile', 'gradle.lockfile');
    const bom = toCycloneDx([npm, go, maven], {
      name: 'demo',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      timestamp: '2026-11-22T00:00:00.000Z',
      toolVersion: '0.1.0',
    });
    const ok = validate(bom);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const components = bom.components as {
      purl?: string;
      'bom-ref': string;
      scope: string;
      group?: string;
      name: string;
    }[];
    expect(components.find((c) => c.purl === 'pkg:npm/qs@6.7.0')).toBeDefined();
    expect(components.find((c) => c.purl === 'pkg:npm/minimist@1.2.5')!.scope).toBe('optional');
    expect(components.find((c) => c.purl === 'pkg:golang/golang.org/x/net@v0.7.0')).toBeDefined();
    expect(components.find((c) => c.purl === 'pkg:maven/junit/junit@4.12')).toMatchObject({
      group: 'junit',
      name: 'junit',
    });
    const deps = bom.dependencies as { ref: string; dependsOn: string[] }[];
    expect(deps.find((d) => d.ref === 'root-component')!.dependsOn).toContain('pkg:npm/express@4.17.1');
    expect(deps.find((d) => d.ref === 'pkg:npm/express@4.17.1')!.dependsOn).toContain('pkg:npm/qs@6.7.0');
    // components are unique by bom-ref
    expect(new Set(components.map((c) => c['bom-ref'])).size).toBe(components.length);
  });

  it('an invalid document is caught by the same validator (the test can fail)', async () => {
    const validate = await schemaValidator();
    expect(
      validate({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ type: 'nonsense', name: 'x' }] }),
    ).toBe(false);
  });
});
