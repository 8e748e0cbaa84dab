/**
 * The SQLite store: one file holding principals and their append-only MFA audit trail, for one
 * machine (one gateway, plus the CLI). Opening it here: the file and its folder, the connection's
 * settings, the integrity check, migrations, a write probe and the signing key next to it.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { assembleStore } from './mfa-store.js';
import { loadOrCreateKeyFile } from './signing-key.js';
import { migrate, SCHEMA_VERSION } from './sqlite-migrations.js';
import { createSqliteDriver } from './sqlite-statements.js';
import { StoreOpenError, type StoreErrorCode } from './store-errors.js';
import { LockWait, StoreLockTimeout } from './store-lock.js';
import { resolveStoreSettings, type CommonStoreOptions } from './store-options.js';
import { createStoreTokens } from './store-tokens.js';
import type { StoreBackend } from './store-types.js';

export interface SqliteStoreOptions extends CommonStoreOptions {
  /** The SQLite file; its folder is created on demand (mode 0700). */
  readonly path: string;
  /** The RS256 signing key (PKCS#8 PEM, mode 0600), created on first start. Defaults to `<path>.jwt-key.pem`. */
  readonly keyPath?: string;
  /**
   * SQLite's own busy timeout, which sleeps on the calling thread and so stops the whole process
   * (every other request, /health) while it waits; every waiting request pays it on every retry.
   * Defaults to 0: a server waits with `lockWaitMs` instead. The store CLI, which serves nobody
   * else, sets it to wait in SQLite.
   */
  readonly busyTimeoutMs?: number;
}

const sqliteCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';

function openErrorFor(dbPath: string, error: unknown): StoreOpenError {
  if (error instanceof StoreOpenError) return error;
  if (error instanceof StoreLockTimeout) {
    return new StoreOpenError(
      'STORE_LOCKED',
      dbPath,
      `the MFA store at ${dbPath} is locked by another process (a store command, a sqlite3 shell, a backup); try again once it lets go`,
      { cause: error },
    );
  }
  const code = sqliteCode(error);
  const kind: StoreErrorCode =
    code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')
      ? 'STORE_CORRUPT'
      : code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'STORE_READ_ONLY'
        : 'STORE_UNAVAILABLE';
  const reason =
    kind === 'STORE_CORRUPT'
      ? 'is not a valid MFA store (corrupted, or not a SQLite database)'
      : kind === 'STORE_READ_ONLY'
        ? 'cannot be written (read-only file, folder or file system)'
        : `cannot be opened (${code || 'unknown error'})`;
  return new StoreOpenError(kind, dbPath, `the MFA store at ${dbPath} ${reason}`, { cause: error });
}

/** Creates the folder and an empty 0600 file, so the hashes inside are never world-readable, even briefly. */
async function prepareFile(dbPath: string): Promise<void> {
  await fs.mkdir(path.dirname(dbPath), { recursive: true, mode: 0o700 });
  const handle = await fs.open(dbPath, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600);
  await handle.close();
}

class ProbeRollback extends Error {}

/**
 * SQLite silently opens a file it may not write (immutable, read-only media, root ignoring mode bits)
 * read-only, and even BEGIN IMMEDIATE succeeds; only a real write fails. Write and roll back now, so
 * the operator hears about it at start rather than from the first user's request.
 */
function probeWrite(db: Database.Database): void {
  try {
    db.transaction(() => {
      db.prepare("UPDATE meta SET value = value WHERE key = 'org_id'").run();
      throw new ProbeRollback();
    })();
  } catch (error) {
    if (!(error instanceof ProbeRollback)) throw error;
  }
}

/** Sets the connection up, checks and migrates the file, proves it writable; returns the org id. */
function prepareDatabase(db: Database.Database, dbPath: string): string {
  db.pragma('journal_mode = WAL');
  // FULL: every committed audit event survives a power cut, not only a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('trusted_schema = OFF');
  // Reads every page once; the store is small, and a damaged file is better refused at start than mid-request.
  const check = db.pragma('quick_check(1)', { simple: true });
  if (check !== 'ok') {
    throw new StoreOpenError(
      'STORE_CORRUPT',
      dbPath,
      `the MFA store at ${dbPath} failed its integrity check`,
    );
  }
  const migrated = migrate(db);
  if (!migrated.ok) {
    throw new StoreOpenError(
      'STORE_SCHEMA_TOO_NEW',
      dbPath,
      `the MFA store at ${dbPath} has schema version ${migrated.found}; this program knows up to ${SCHEMA_VERSION}`,
    );
  }
  probeWrite(db);
  const org = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'org_id'").get();
  if (!org) throw new StoreOpenError('STORE_CORRUPT', dbPath, `the MFA store at ${dbPath} has no org id`);
  return org.value;
}

/** Opens (creating and migrating as needed) the store at `options.path`; throws `StoreOpenError` when it cannot. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<StoreBackend> {
  const dbPath = path.resolve(options.path);
  const busyTimeoutMs = options.busyTimeoutMs ?? 0;
  const settings = resolveStoreSettings(options, 'createSqliteStore', [busyTimeoutMs]);
  const keyPath = options.keyPath ?? `${dbPath}.jwt-key.pem`;

  let db: Database.Database | undefined;
  let orgId: string;
  try {
    const stat = await fs.stat(dbPath).catch(() => null);
    if (stat && !stat.isFile()) {
      throw new StoreOpenError('STORE_UNAVAILABLE', dbPath, `the MFA store path ${dbPath} is not a file`);
    }
    if (stat) {
      // WAL needs to create its -wal and -shm files next to the database, so the folder must be writable too.
      await fs.access(dbPath, fsConstants.R_OK | fsConstants.W_OK);
      await fs.access(path.dirname(dbPath), fsConstants.W_OK);
    } else {
      await prepareFile(dbPath);
    }
    const opened = new Database(dbPath, { timeout: busyTimeoutMs });
    db = opened;
    // Each step is safe to repeat, so a lock held by another process is waited out from the top.
    orgId = await new LockWait(settings.lockWaitMs).run(() => prepareDatabase(opened, dbPath));
  } catch (error) {
    db?.close();
    throw openErrorFor(dbPath, error);
  }

  try {
    const tokens = await createStoreTokens({
      key: await loadOrCreateKeyFile(keyPath),
      issuer: settings.issuer,
      orgId,
      ttlSeconds: settings.tokenTtlSeconds,
      now: settings.now,
    });
    const driver = createSqliteDriver(db, {
      location: dbPath,
      schemaVersion: SCHEMA_VERSION,
      lockWaitMs: settings.lockWaitMs,
    });
    return assembleStore(driver, tokens, settings);
  } catch (error) {
    db.close();
    throw error;
  }
}
