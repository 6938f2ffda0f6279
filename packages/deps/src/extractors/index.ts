import type { Extractor } from '../types.js';
import { bunExtractor } from './bun.js';
import { npmExtractor } from './npm.js';
import {
  cargoLockExtractor,
  composerLockExtractor,
  gemfileLockExtractor,
  goModExtractor,
  gradleLockfileExtractor,
  mixLockExtractor,
  nugetLockExtractor,
  pomXmlExtractor,
  pubspecLockExtractor,
} from './others.js';
import { pnpmExtractor } from './pnpm.js';
import {
  pdmLockExtractor,
  pipfileLockExtractor,
  poetryLockExtractor,
  requirementsExtractor,
  uvLockExtractor,
} from './python.js';
import { yarnExtractor } from './yarn.js';

export {
  bunExtractor,
  cargoLockExtractor,
  composerLockExtractor,
  gemfileLockExtractor,
  goModExtractor,
  gradleLockfileExtractor,
  mixLockExtractor,
  npmExtractor,
  nugetLockExtractor,
  pdmLockExtractor,
  pipfileLockExtractor,
  pnpmExtractor,
  poetryLockExtractor,
  pomXmlExtractor,
  pubspecLockExtractor,
  requirementsExtractor,
  uvLockExtractor,
  yarnExtractor,
};

/** Every extractor, in the order lockfiles are tried. */
export const EXTRACTORS: Extractor[] = [
  npmExtractor,
  pnpmExtractor,
  yarnExtractor,
  bunExtractor,
  requirementsExtractor,
  pipfileLockExtractor,
  poetryLockExtractor,
  uvLockExtractor,
  pdmLockExtractor,
  goModExtractor,
  cargoLockExtractor,
  gemfileLockExtractor,
  composerLockExtractor,
  gradleLockfileExtractor,
  pomXmlExtractor,
  nugetLockExtractor,
  pubspecLockExtractor,
  mixLockExtractor,
];

/** The extractor that reads `path`, chosen by file name. */
export function extractorFor(path: string, extractors: Extractor[] = EXTRACTORS): Extractor | undefined {
  return extractors.find((e) => e.matches(path));
}
