export {
  changedFiles,
  FIX_LEVELS,
  type FixLevel,
  type FixOptions,
  type FixResult,
  type FixStep,
  fixDependencies,
  fixExitCode,
  formatFixMarkdown,
  planFixes,
} from './fix.js';
export {
  ADAPTERS,
  detectManager,
  type ManagerAdapter,
  PACKAGE_MANAGERS,
  type PackageManager,
  type Requirement,
} from './fix-managers.js';
export { fixProposal, proposable } from './fix-proposal.js';
export { type FixTestResult, runTestCommand, splitCommand, TEST_OUTPUT_LINES } from './fix-test.js';
export { type AffectedComponent, matchComponents } from './match.js';
export {
  type AffectedPackage,
  formatMonitorJson,
  formatMonitorText,
  issueDraft,
  issueKey,
  type MonitorEvent,
  type MonitorOptions,
  type MonitorResult,
  monitor,
  monitorExitCode,
} from './monitor.js';
export { type FixTarget, fixTargets } from './monitor-fix.js';
export { DEFAULT_INVENTORY, openInventoryStore } from './open.js';
export { openPostgresStore, redactUrl } from './postgres.js';
export {
  CODEOWNERS_PATHS,
  type InventoryConfig,
  InventoryConfigSchema,
  ownersFromCodeowners,
  readSbomFile,
} from './push.js';
export {
  formatQueryJson,
  formatQueryTable,
  type InventoryQuery,
  type InventoryQueryHit,
  type InventoryQueryResult,
  inVersionRange,
  parseVersionRange,
  queryInventory,
} from './query.js';
export { componentsOf, nameKey, parsePurl } from './sbom.js';
export { type Row, type SqlDriver, SqlInventoryStore } from './sql-store.js';
export { openSqliteStore } from './sqlite.js';
export { type IssueDraft, type IssueTracker, issueMarker, type TrackedIssue } from './tracker.js';
export * from './types.js';
export { eventText, postWebhook, safeWebhookUrl, type WebhookOptions, webhookPayload } from './webhook.js';
