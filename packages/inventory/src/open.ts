import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { InventoryStore } from './types.js';

/** Where the inventory lives when nothing is configured. */
export const DEFAULT_INVENTORY = '.devsecflow/inventory.sqlite';

/**
 * Opens the inventory at `location`: a `postgres://` / `postgresql://` URL, or a SQLite file path
 * (an optional `sqlite:` prefix is accepted). Default: `.devsecflow/inventory.sqlite`.
 */
export function openInventoryStore(location: string = DEFAULT_INVENTORY): Promise<InventoryStore> {
  if (/^postgres(ql)?:\/\//i.test(location)) return openPostgresStore(location);
  return openSqliteStore(location.replace(/^sqlite:(\/\/)?/i, ''));
}
