import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, z } from '@devsecflow/core';

/**
 * The `inventory:` section the CLI reads from devsecflow.yml (to be merged into core's policy
 * schema). Every value can be overridden by a flag.
 */
export const InventoryConfigSchema = z
  .object({
    /** SQLite file path or `postgres://` URL; a URL's password belongs in an env var (`${VAR}` in CLI). */
    store: z.string().min(1).optional(),
    /** Application name; default: the repository name. */
    application: z.string().min(1).optional(),
    /** Owners to tell; default: the CODEOWNERS default owners. */
    owners: z.array(z.string().min(1)).optional(),
    /** Webhook for chat tools (monitor). */
    webhook: z.string().url().optional(),
  })
  .strict();
export type InventoryConfig = z.infer<typeof InventoryConfigSchema>;

/** Reads a CycloneDX JSON SBOM file; InputError naming the file when it is missing or not JSON. */
export async function readSbomFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read the SBOM (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      file: path,
    });
  }
  try {
    const doc = JSON.parse(text) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
    return doc as Record<string, unknown>;
  } catch (e) {
    throw new InputError(`not a CycloneDX JSON SBOM (${(e as Error).message})`, { file: path });
  }
}

/** Where GitHub and GitLab look for CODEOWNERS, in their order. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS'];

/**
 * The default owners from CODEOWNERS: the owners of the last `*` (or `/`, `/**`) rule, which both
 * platforms treat as the owners of everything else. GitLab section headers (`[Section] @owner`)
 * give their default owners to the rules below them. Empty when there is no such rule or file.
 */
export async function ownersFromCodeowners(root: string): Promise<{ owners: string[]; file?: string }> {
  for (const rel of CODEOWNERS_PATHS) {
    const text = await readFile(join(root, rel), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let owners: string[] = [];
    let sectionOwners: string[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (!line) continue;
      const section = /^\^?\[[^\]]+\](?:\[\d+\])?\s*(.*)$/.exec(line);
      if (section) {
        sectionOwners = section[1]!.split(/\s+/).filter(Boolean);
        continue;
      }
      const [pattern, ...rest] = line.split(/\s+/);
      if (pattern === '*' || pattern === '/' || pattern === '/**' || pattern === '**') {
        owners = rest.length ? rest : sectionOwners;
      }
    }
    return { owners, file: rel };
  }
  return { owners: [] };
}
