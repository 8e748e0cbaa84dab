/**
 * Opens the store a target names, a SQLite file or a PostgreSQL URL, loading only that database's
 * driver (a PostgreSQL deployment never loads the native SQLite module, nor SQLite `pg`).
 */
import type { CommonStoreOptions } from './store-options.js';
import type { StoreBackend } from './store-types.js';

export type StoreTarget = { readonly path: string } | { readonly url: URL };

export interface OpenStoreOptions extends CommonStoreOptions {
  /** SQLite only: see `SqliteStoreOptions.busyTimeoutMs`. */
  readonly busyTimeoutMs?: number;
}

export async function openStore(target: StoreTarget, options: OpenStoreOptions = {}): Promise<StoreBackend> {
  const { busyTimeoutMs, ...common } = options;
  if ('url' in target) {
    const { createPostgresStore } = await import('./postgres-store.js');
    return createPostgresStore({ ...common, url: target.url });
  }
  const { createSqliteStore } = await import('./sqlite-store.js');
  return createSqliteStore({
    ...common,
    path: target.path,
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
  });
}
