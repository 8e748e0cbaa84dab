/**
 * Opens the store a target names, loading the database driver only when a store is used (a CSP
 * deployment never loads the native SQLite module).
 */
import type { CommonStoreOptions } from './store-options.js';
import type { StoreBackend } from './store-types.js';

export type StoreTarget = { readonly path: string };

export interface OpenStoreOptions extends CommonStoreOptions {
  /** SQLite only: see `SqliteStoreOptions.busyTimeoutMs`. */
  readonly busyTimeoutMs?: number;
}

export async function openStore(target: StoreTarget, options: OpenStoreOptions = {}): Promise<StoreBackend> {
  const { createSqliteStore } = await import('./sqlite-store.js');
  return createSqliteStore({ ...options, path: target.path });
}
