/**
 * The PostgreSQL store: the same tables, rules and answers as the SQLite store, in a database that
 * several gateway instances (and the CLI) share. Opening it here: the pool, migrations, a write
 * probe, the org id and the signing key, which lives in the database so every instance verifies the
 * tokens any of them minted. The only module that imports `pg`.
 */
import pg from 'pg';
import { assembleStore } from './mfa-store.js';
import { migratePostgres, POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
import { createPostgresDriver, sqlState } from './postgres-statements.js';
import { generateSigningKeyPem, signingKeyFromPem } from './signing-key.js';
import { StoreOpenError, type StoreErrorCode } from './store-errors.js';
import { StoreLockTimeout } from './store-lock.js';
import { resolveStoreSettings, storeUrlLocation, type CommonStoreOptions } from './store-options.js';
import { createStoreTokens } from './store-tokens.js';
import type { StoreBackend } from './store-types.js';

export interface PostgresStoreOptions extends CommonStoreOptions {
  /**
   * `postgres://user[:password]@host[:port]/database`; libpq's query parameters apply, e.g.
   * `?options=-c%20search_path%3Dmfa` to keep the tables in the schema `mfa` (which must exist).
   */
  readonly url: URL;
  /** Connections this process keeps to the database at most. Defaults to 10. */
  readonly poolSize?: number;
  /** How long getting a connection may take before a call answers `UPSTREAM_UNAVAILABLE`. Defaults to 5000. */
  readonly connectTimeoutMs?: number;
  /** Server-side bound on one statement (`statement_timeout`). Defaults to 10_000. */
  readonly statementTimeoutMs?: number;
}

const KEY_ROW = 'jwt_signing_key';

function openErrorFor(location: string, error: unknown): StoreOpenError {
  if (error instanceof StoreOpenError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code =
    sqlState(error) ??
    sqlState(cause) ??
    ((error as { code?: unknown } | null)?.code as string | undefined) ??
    ((cause as { code?: unknown } | null)?.code as string | undefined);
  const at = `the MFA store at ${location}`;
  const refuse = (kind: StoreErrorCode, message: string) =>
    new StoreOpenError(kind, location, message, { cause: error });
  if (error instanceof StoreLockTimeout || code === '55P03') {
    return refuse('STORE_LOCKED', `${at} is locked by another connection; try again once it lets go`);
  }
  // A hot standby, a read-only transaction default, or a role that may read but not write.
  if (code === '25006' || code === '42501') {
    return refuse('STORE_READ_ONLY', `${at} cannot be written (read-only server or role)`);
  }
  // Tables of the same names but another shape: another program's, not an MFA store.
  if (code === '42P07' || code === '42710' || code === '42723' || code === '42P01' || code === '42703') {
    return refuse('STORE_CORRUPT', `${at} is not a valid MFA store (its tables belong to something else)`);
  }
  return refuse(
    'STORE_UNAVAILABLE',
    `${at} cannot be opened (${typeof code === 'string' ? code : 'unknown error'})`,
  );
}

/** Reads the signing key, creating it on first start; one instance wins when several start at once. */
async function loadOrCreateKeyPem(client: pg.PoolClient): Promise<string> {
  const read = async () =>
    (await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [KEY_ROW])).rows[0]
      ?.value;
  const existing = await read();
  if (existing !== undefined) return existing;
  const pem = await generateSigningKeyPem();
  await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    KEY_ROW,
    pem,
  ]);
  const stored = await read();
  if (stored === undefined) throw new Error('the signing key row vanished after it was written');
  return stored;
}

/** Migrates, proves the database writable, and reads the org id and the signing key. */
async function prepareDatabase(
  client: pg.PoolClient,
  location: string,
): Promise<{ orgId: string; keyPem: string }> {
  const migrated = await migratePostgres(client);
  if (!migrated.ok) {
    throw new StoreOpenError(
      'STORE_SCHEMA_TOO_NEW',
      location,
      `the MFA store at ${location} has schema version ${migrated.found}; this program knows up to ${POSTGRES_SCHEMA_VERSION}`,
    );
  }
  // A standby or a read-only role fails here, at start, rather than on the first user's request.
  await client.query('BEGIN');
  try {
    await client.query("UPDATE meta SET value = value WHERE key = 'org_id'");
  } finally {
    await client.query('ROLLBACK');
  }
  const org = (await client.query<{ value: string }>("SELECT value FROM meta WHERE key = 'org_id'")).rows[0];
  if (!org) throw new StoreOpenError('STORE_CORRUPT', location, `the MFA store at ${location} has no org id`);
  return { orgId: org.value, keyPem: await loadOrCreateKeyPem(client) };
}

/** Connects to (creating and migrating as needed) the store at `options.url`; throws `StoreOpenError` when it cannot. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<StoreBackend> {
  const poolSize = options.poolSize ?? 10;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const settings = resolveStoreSettings(options, 'createPostgresStore', [
    poolSize - 1,
    connectTimeoutMs,
    statementTimeoutMs,
  ]);
  const location = storeUrlLocation(options.url);
  const pool = new pg.Pool({
    connectionString: options.url.href,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    // 0 would mean "wait forever" to PostgreSQL.
    lock_timeout: Math.max(1, settings.lockWaitMs),
    statement_timeout: statementTimeoutMs,
    // A client that stalls inside a transaction must not hold a principal's row lock for long.
    idle_in_transaction_session_timeout: Math.max(10_000, statementTimeoutMs),
    application_name: 'csp-mfa-graphql',
  });
  // An idle connection the server dropped (restart, failover) is replaced on next use; without a
  // listener the 'error' event would end the process.
  pool.on('error', (error) =>
    settings.logger.warn?.(
      { err: error, storePath: location },
      'PostgreSQL store: an idle connection was lost',
    ),
  );

  let prepared: { orgId: string; keyPem: string };
  try {
    const client = await pool.connect();
    try {
      prepared = await prepareDatabase(client, location);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw openErrorFor(location, error);
  }

  try {
    const tokens = await createStoreTokens({
      key: signingKeyFromPem(prepared.keyPem, location, `the signing key stored in ${location}`),
      issuer: settings.issuer,
      orgId: prepared.orgId,
      ttlSeconds: settings.tokenTtlSeconds,
      now: settings.now,
    });
    const driver = createPostgresDriver(pool, {
      location,
      schemaVersion: POSTGRES_SCHEMA_VERSION,
      lockWaitMs: settings.lockWaitMs,
    });
    return assembleStore(driver, tokens, settings);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
