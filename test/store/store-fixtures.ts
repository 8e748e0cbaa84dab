/** Shared set-up for the store tests: real database files in temporary folders, a controllable clock. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqliteStore, type SqliteStoreOptions } from '../../src/backend/store/sqlite-store.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import type { ScryptParams } from '../../src/backend/store/password-hash.js';

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

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function openTestStore(options: Partial<SqliteStoreOptions> = {}): Promise<StoreBackend> {
  const storePath = options.path ?? path.join(await makeTempDir(), 'store.sqlite');
  return createSqliteStore({ scryptParams: FAST_SCRYPT, ...options, path: storePath });
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
