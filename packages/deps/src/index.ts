export {
  bunExtractor,
  EXTRACTORS,
  extractorFor,
  npmExtractor,
  pnpmExtractor,
  yarnExtractor,
} from './extractors/index.js';
export { buildFindings, groupByAlias, type PackageMatch, primaryId } from './findings.js';
export { type GraphNode, type RootDep, resolveGraph } from './graph.js';
export { affectedEntriesFor, fixedVersions, isAffected, rangeAffects, smallestFix } from './osv/match.js';
export { OfflineDb, type OfflineDbOptions } from './osv/offline.js';
export { OsvApi, type OsvApiOptions } from './osv/online.js';
export { bestCvss, cvssScore, vulnSeverity } from './osv/severity.js';
export type { AdvisorySource, OsvVuln, PackageQuery, SourceResult } from './osv/types.js';
export { type UpdateOfflineDbOptions, type UpdateResult, updateOfflineDb } from './osv/update.js';
export { purlFor } from './purl.js';
export { type CycloneDxBom, type CycloneDxOptions, toCycloneDx } from './sbom.js';
export { extractFile, matchPackages, queriesFor } from './scan.js';
export { type DepsOptions, DepsOptionsSchema, depsStage, LOCKFILE_GLOBS, readLockfiles } from './stage.js';
export * from './types.js';
export * from './versions.js';
