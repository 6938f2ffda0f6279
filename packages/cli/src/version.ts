import { readFileSync } from 'node:fs';

/** The CLI's own version, read once from its package.json (works from src and from dist). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const TOOL = { name: 'devsecflow', version: VERSION } as const;
