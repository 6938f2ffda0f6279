import type { Extractor } from '../types.js';
import { bunExtractor } from './bun.js';
import { npmExtractor } from './npm.js';
import { pnpmExtractor } from './pnpm.js';
import { yarnExtractor } from './yarn.js';

export { bunExtractor, npmExtractor, pnpmExtractor, yarnExtractor };

/** Every extractor, in the order lockfiles are tried. */
export const EXTRACTORS: Extractor[] = [npmExtractor, pnpmExtractor, yarnExtractor, bunExtractor];

/** The extractor that reads `path`, chosen by file name. */
export function extractorFor(path: string, extractors: Extractor[] = EXTRACTORS): Extractor | undefined {
  return extractors.find((e) => e.matches(path));
}
