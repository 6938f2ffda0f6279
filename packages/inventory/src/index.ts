export { type AffectedComponent, matchComponents } from './match.js';
export { DEFAULT_INVENTORY, openInventoryStore } from './open.js';
export { openPostgresStore, redactUrl } from './postgres.js';
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
export * from './types.js';
