/**
 * Shared set-up for the store tests: real SQLite files in temporary folders, real PostgreSQL schemas
 * (postgres-fixtures.ts), a controllable clock.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresStore } from '../../src/backend/store/postgres-store.js';
import { createSqliteStore, type SqliteStoreOptions } from '../../src/backend/store/sqlite-store.js';
import type { StoreBackend, StoreEngine } from '../../src/backend/store/store-types.js';
import type { ScryptParams } from '../../src/backend/store/password-hash.js';
import { createTestSchema, dropTestSchemas, postgresUnavailable } from './postgres-fixtures.js';

/** Cheap parameters for tests that are not about hashing cost; the hash string records them. */
export const FAST_SCRYPT: ScryptParams = { N: 2 ** 12, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';
export const START_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

export interface TestClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export function createClock(start = START_MS): TestClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Temporary folders created by a test file, removed by `removeTempDirs` in `afterAll`. */
const created: string[] = [];

export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mfa-store-test-'));
  created.push(dir);
  return dir;
}

/** Removes the temporary folders and drops the PostgreSQL schemas the file's stores used; for `afterAll`. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  await dropTestSchemas();
}

/**
 * The databases this machine can test a store on: SQLite always, PostgreSQL when a server answers
 * (otherwise one printed line says why its tests are skipped).
 */
export async function testEngines(): Promise<StoreEngine[]> {
  const reason = await postgresUnavailable();
  if (reason === null) return ['sqlite', 'postgres'];
  console.log(`skipping the PostgreSQL side of the store tests: ${reason}`);
  return ['sqlite'];
}

export type TestStoreOptions = Partial<SqliteStoreOptions> & {
  /** Defaults to 'sqlite', or 'postgres' when `url` is given. */
  readonly engine?: StoreEngine;
  /** A PostgreSQL store to open again; a fresh schema when absent. */
  readonly url?: URL;
};

/** Where a second handle on the same store points: the SQLite file or the PostgreSQL URL. */
export async function newTestLocation(engine: StoreEngine): Promise<{ path: string } | { url: URL }> {
  return engine === 'postgres'
    ? { url: (await createTestSchema()).url }
    : { path: path.join(await makeTempDir(), 'store.sqlite') };
}

export async function openTestStore(options: TestStoreOptions = {}): Promise<StoreBackend> {
  const { engine, url, path: storePath, keyPath, busyTimeoutMs, ...common } = options;
  if (engine === 'postgres' || url !== undefined) {
    const target = url ?? (await createTestSchema()).url;
    return createPostgresStore({ scryptParams: FAST_SCRYPT, ...common, url: target });
  }
  return createSqliteStore({
    scryptParams: FAST_SCRYPT,
    ...common,
    ...(keyPath === undefined ? {} : { keyPath }),
    ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
    path: storePath ?? path.join(await makeTempDir(), 'store.sqlite'),
  });
}

/** A user with a password and (unless told otherwise) an activated device, and a token for it. */
export async function addUser(
  store: StoreBackend,
  options: { name?: string; activated?: boolean; password?: string } = {},
): Promise<{ name: string; token: string }> {
  const name = options.name ?? `user-${randomUUID()}@example.com`;
  await store.admin.addPrincipal({ kind: 'user', name, password: options.password ?? PASSWORD });
  if (options.activated ?? true) await store.admin.activateDevice(name, 'Phone');
  return { name, token: await store.admin.mintToken(name) };
}

export const newCall = (token: string): { token: string; requestId: string } => ({
  token,
  requestId: randomUUID(),
});
