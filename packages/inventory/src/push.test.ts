import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryConfigSchema, ownersFromCodeowners, readSbomFile } from './push.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dsf-inventory-push-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ownersFromCodeowners', () => {
  it('takes the last catch-all rule of the first CODEOWNERS found', async () => {
    await mkdir(join(dir, '.github'));
    await writeFile(
      join(dir, '.github/CODEOWNERS'),
      '# owners\n*       @org/old\n/docs/  @org/docs\n*       @org/platform  ops@example.com  # the default\n',
    );
    await writeFile(join(dir, 'CODEOWNERS'), '* @ignored\n');
    expect(await ownersFromCodeowners(dir)).toEqual({
      owners: ['@org/platform', 'ops@example.com'],
      file: '.github/CODEOWNERS',
    });
  });

  it('uses GitLab section default owners for a rule without owners', async () => {
    await writeFile(join(dir, 'CODEOWNERS'), '[Backend] @backend-team\n*\n/api/ @api\n');
    expect((await ownersFromCodeowners(dir)).owners).toEqual(['@backend-team']);
  });

  it('is empty without a file or a catch-all rule', async () => {
    expect(await ownersFromCodeowners(dir)).toEqual({ owners: [] });
    await writeFile(join(dir, 'CODEOWNERS'), '/src/ @dev\n');
    expect(await ownersFromCodeowners(dir)).toEqual({ owners: [], file: 'CODEOWNERS' });
  });
});

describe('readSbomFile', () => {
  it('names the file on bad input', async () => {
    await writeFile(join(dir, 'bad.json'), '{"bomFormat": ');
    await expect(readSbomFile(join(dir, 'bad.json'))).rejects.toThrow(
      `${join(dir, 'bad.json')}: not a CycloneDX JSON SBOM`,
    );
    await expect(readSbomFile(join(dir, 'none.json'))).rejects.toThrow(/cannot read the SBOM \(ENOENT\)/);
    await writeFile(join(dir, 'ok.json'), '{"bomFormat":"CycloneDX","specVersion":"1.6"}');
    expect(await readSbomFile(join(dir, 'ok.json'))).toEqual({ bomFormat: 'CycloneDX', specVersion: '1.6' });
  });
});

describe('InventoryConfigSchema', () => {
  it('rejects unknown keys', () => {
    expect(InventoryConfigSchema.safeParse({ store: 'x.sqlite', owners: ['@a'] }).success).toBe(true);
    expect(InventoryConfigSchema.safeParse({ stor: 'x' }).success).toBe(false);
  });
});
