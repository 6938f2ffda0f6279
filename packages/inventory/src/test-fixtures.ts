// Test helper: SBOMs made by @devsecflow/deps' real extractor + CycloneDX writer.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CycloneDxBom,
  type Ecosystem,
  type ExtractResult,
  npmExtractor,
  toCycloneDx,
} from '@devsecflow/deps';

export const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures');

/** A CycloneDX SBOM listing the given packages (one pseudo-lockfile). */
export function sbomOf(
  packages: [ecosystem: Ecosystem, name: string, version: string][],
  name = 'app',
): CycloneDxBom {
  const result: ExtractResult = {
    manifest: 'lockfile',
    ecosystem: packages[0]?.[0] ?? 'npm',
    format: 'test',
    packages: packages.map(([ecosystem, n, version]) => ({
      ecosystem,
      name: n,
      version,
      manifest: 'lockfile',
      direct: true,
      scope: 'prod',
    })),
  };
  return toCycloneDx([result], {
    name,
    serialNumber: 'urn:uuid:00000000-0000-4000-8000-000000000000',
    timestamp: '2026-11-22T00:00:00.000Z',
  });
}

/** The SBOM of test/fixtures/app-a.package-lock.json (a real npm 11 lockfile). */
export async function realSbom(): Promise<CycloneDxBom> {
  const path = 'app-a.package-lock.json';
  const text = await readFile(join(FIXTURES, path), 'utf8');
  const result = await npmExtractor.extract({ path: 'package-lock.json', text });
  return toCycloneDx([result], { name: 'app-a' });
}

/** A real OSV record from test/fixtures/osv. */
export async function osvRecord(
  id: string,
): Promise<Record<string, unknown> & { id: string; modified: string }> {
  return JSON.parse(await readFile(join(FIXTURES, 'osv', `${id}.json`), 'utf8'));
}
