/**
 * The embedded store: a SQLite file holding principals and their append-only MFA audit trail,
 * answering the `MfaBackend` contract with the same outcomes the CSP client maps from CSP's answers.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  fail,
  succeed,
  type BackendCall,
  type MfaBackend,
  type MfaFailure,
  type MfaFailureCode,
  type MfaStatusDto,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from '../mfa-backend.js';
import {
  parseAuditQuery,
  type MfaAuditAction,
  type MfaAuditLogDto,
  type MfaAuditPage,
  type MfaAuditQuery,
} from './mfa-audit.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  isHashablePassword,
  MAX_PASSWORD_LENGTH,
  verifyPassword,
  type ScryptParams,
} from './password-hash.js';
import { checkNewName, lookupName, MAX_DEVICE_NAME_LENGTH, MAX_NAME_LENGTH } from './principal-name.js';
import { StoreAdminError, StoreOpenError, type StoreErrorCode } from './store-errors.js';
import { isLockContention, LockWait, StoreLockTimeout } from './store-lock.js';
import { createStoreTokens, type StoreTokens, type TokenSubject } from './store-tokens.js';

export type StorePrincipalKind = 'user' | 'service-account';

/** The subset of a pino logger the store uses; it never logs a password or token. */
export interface StoreLogger {
  /** Unexpected faults, with their cause. */
  error(details: Record<string, unknown>, message: string): void;
  /** Calls refused because another connection held the lock past `lockWaitMs`: one line per 10 s at most. */
  warn?(details: Record<string, unknown>, message: string): void;
  /** A call that met another connection's lock and waits for it (`storeLock: 'waiting'`). */
  debug?(details: Record<string, unknown>, message: string): void;
}

export interface StoreOptions {
  /** The SQLite file; its folder is created on demand (mode 0700). */
  readonly path: string;
  /** Lifetime of minted tokens. Defaults to 1800 (CSP's 30 minutes). */
  readonly tokenTtlSeconds?: number;
  /** Clock in epoch milliseconds, for token times and audit dates. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** `iss` of minted tokens, and the only issuer accepted. Defaults to `urn:csp-mfa-graphql:store`. */
  readonly issuer?: string;
  /** The RS256 signing key (PKCS#8 PEM, mode 0600), created on first start. Defaults to `<path>.jwt-key.pem`. */
  readonly keyPath?: string;
  /** Cost of new password hashes. Defaults to `DEFAULT_SCRYPT_PARAMS` (N=2^15, r=8, p=3). */
  readonly scryptParams?: ScryptParams;
  /** Wrong passwords tolerated per principal within the window before `RATE_LIMITED`; 0 turns the guard off. Defaults to 5. */
  readonly maxFailedAttempts?: number;
  /** Sliding window of the failed-attempt guard. Defaults to 900_000 (15 minutes). */
  readonly failedAttemptWindowMs?: number;
  /**
   * How long a successful password check is remembered (as a keyed HMAC, in memory only) so a repeat
   * of the same password skips scrypt. Defaults to 0 (off): turn it on for load tests, not for people.
   */
  readonly passwordCacheTtlMs?: number;
  /**
   * How long a call keeps retrying while another connection (a store command, a sqlite3 shell, a
   * second gateway) holds a lock it needs, before it answers `UPSTREAM_UNAVAILABLE` (opening: throws
   * `STORE_LOCKED`). The waiting happens on timers, so the process keeps serving. Defaults to 1000.
   */
  readonly lockWaitMs?: number;
  /**
   * SQLite's own busy timeout, which sleeps on the calling thread and so stops the whole process
   * (every other request, /health) while it waits; every waiting request pays it on every retry.
   * Defaults to 0: a server waits with `lockWaitMs` instead. The store CLI, which serves nobody
   * else, sets it to wait in SQLite.
   */
  readonly busyTimeoutMs?: number;
  /** `modifiedBy` of audit events written by admin operations. Defaults to `store-admin`. */
  readonly adminActor?: string;
  /** Defaults to a logger that drops everything. */
  readonly logger?: StoreLogger;
}

/** A principal as admin tools see it; the password hash never leaves the store. */
export interface PrincipalRecord {
  readonly id: string;
  readonly kind: StorePrincipalKind;
  /** Username of a user, client id of a service account. */
  readonly name: string;
  readonly hasPassword: boolean;
  readonly mfa: { readonly activated: boolean; readonly turnedOn: boolean; readonly deviceName?: string };
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Operations for people (CLI, seeding); they throw `StoreAdminError` with a stable code. */
export interface StoreAdmin {
  addPrincipal(input: {
    kind: StorePrincipalKind;
    name: string;
    password?: string;
  }): Promise<PrincipalRecord>;
  listPrincipals(): PrincipalRecord[];
  countPrincipals(): number;
  getPrincipal(name: string): PrincipalRecord;
  removePrincipal(name: string): void;
  setPassword(name: string, password: string): Promise<void>;
  /** Enrols a device; with a device already enrolled, renames it (`MFA_DEVICE_NAME_UPDATE`). */
  activateDevice(name: string, deviceName: string): PrincipalRecord;
  /** Removes the device, turning MFA off first when it was on (`MFA_DISABLE`, then `MFA_DEACTIVATION`). */
  deactivateDevice(name: string): PrincipalRecord;
  mintToken(name: string, options?: { ttlSeconds?: number }): Promise<string>;
  /** Newest first, across every principal unless `name` is given. */
  readAudit(options?: { name?: string; limit?: number }): MfaAuditLogDto[];
}

export interface StoreBackend extends MfaBackend {
  readonly kind: 'store';
  readonly path: string;
  readonly schemaVersion: number;
  /** Only the authentication step: who the token speaks for, or why not (the simulator uses it to order its answers). */
  authenticate(call: BackendCall): Promise<Outcome<{ readonly username: string }>>;
  readonly admin: StoreAdmin;
}

interface PrincipalRow {
  readonly id: string;
  readonly kind: StorePrincipalKind;
  readonly name: string;
  readonly password_hash: string | null;
  readonly mfa_activated: 0 | 1;
  readonly mfa_turned_on: 0 | 1;
  readonly mfa_device_name: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

interface AuditRow {
  readonly event_id: string;
  readonly action: MfaAuditAction;
  readonly event_date: number;
  readonly device_name: string | null;
  readonly modified_by: string;
  readonly username: string;
}

interface AuditFilter {
  readonly principalId: string;
  readonly startDate: number;
  readonly endDate: number;
  readonly actions: string | null;
  readonly deviceNames: string | null;
  readonly eventIds: string | null;
}

function checkPassword(value: unknown): string {
  if (typeof value !== 'string' || !isHashablePassword(value)) {
    throw new StoreAdminError(
      'INVALID_INPUT',
      `a password must have 1 to ${MAX_PASSWORD_LENGTH} characters and no NUL`,
    );
  }
  return value;
}

function toRecord(row: PrincipalRow): PrincipalRecord {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    hasPassword: row.password_hash !== null,
    mfa: {
      activated: row.mfa_activated === 1,
      turnedOn: row.mfa_turned_on === 1,
      ...(row.mfa_device_name === null ? {} : { deviceName: row.mfa_device_name }),
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAuditDto(row: AuditRow): MfaAuditLogDto {
  return {
    action: row.action,
    details: row.device_name === null ? {} : { deviceName: row.device_name },
    eventDate: row.event_date,
    eventId: row.event_id,
    modifiedBy: row.modified_by,
    username: row.username,
  };
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

const noopLogger: StoreLogger = { error: () => undefined };

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
export async function createStoreBackend(options: StoreOptions): Promise<StoreBackend> {
  const dbPath = path.resolve(options.path);
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 1800;
  const now = options.now ?? Date.now;
  const issuer = options.issuer ?? 'urn:csp-mfa-graphql:store';
  const keyPath = options.keyPath ?? `${dbPath}.jwt-key.pem`;
  const scryptParams = options.scryptParams ?? DEFAULT_SCRYPT_PARAMS;
  const maxFailedAttempts = options.maxFailedAttempts ?? 5;
  const failedAttemptWindowMs = options.failedAttemptWindowMs ?? 900_000;
  const passwordCacheTtlMs = options.passwordCacheTtlMs ?? 0;
  const lockWaitMs = options.lockWaitMs ?? 1000;
  const busyTimeoutMs = options.busyTimeoutMs ?? 0;
  const adminActor = options.adminActor ?? 'store-admin';
  const logger = options.logger ?? noopLogger;
  const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (
    !isCount(tokenTtlSeconds) ||
    tokenTtlSeconds === 0 ||
    ![maxFailedAttempts, failedAttemptWindowMs, passwordCacheTtlMs, lockWaitMs, busyTimeoutMs].every(isCount)
  ) {
    throw new RangeError(
      'createStoreBackend: durations and counts must be whole numbers, the token lifetime positive',
    );
  }

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
    orgId = await new LockWait(lockWaitMs).run(() => prepareDatabase(opened, dbPath));
  } catch (error) {
    db?.close();
    throw openErrorFor(dbPath, error);
  }

  let tokens: StoreTokens;
  try {
    tokens = await createStoreTokens({ keyPath, issuer, orgId, ttlSeconds: tokenTtlSeconds, now });
  } catch (error) {
    db.close();
    throw error;
  }
  return assembleStore(db, tokens, {
    dbPath,
    now,
    lockWaitMs,
    scryptParams,
    maxFailedAttempts,
    failedAttemptWindowMs,
    passwordCacheTtlMs,
    adminActor,
    logger,
  });
}

interface AssembleSettings {
  readonly dbPath: string;
  readonly now: () => number;
  readonly lockWaitMs: number;
  readonly scryptParams: ScryptParams;
  readonly maxFailedAttempts: number;
  readonly failedAttemptWindowMs: number;
  readonly passwordCacheTtlMs: number;
  readonly adminActor: string;
  readonly logger: StoreLogger;
}

/** Runs one synchronous database step, waiting out another connection's lock (see `guarded`). */
type Locked = <R>(step: () => R) => Promise<R>;

// What a lock refusal suggests: locks held by store commands last milliseconds; a shell's, who knows.
const LOCKED_RETRY_AFTER_SECONDS = 1;
const LOCK_REPORT_INTERVAL_MS = 10_000;

type Authenticated =
  { readonly ok: true; readonly row: PrincipalRow } | { readonly ok: false; readonly failure: MfaFailure };

function assembleStore(db: Database.Database, tokens: StoreTokens, settings: AssembleSettings): StoreBackend {
  const {
    dbPath,
    now,
    lockWaitMs,
    scryptParams,
    maxFailedAttempts,
    failedAttemptWindowMs,
    passwordCacheTtlMs,
    adminActor,
    logger,
  } = settings;

  // Prepared once: the simulator is a benchmark target, so a request does no work that could be done here.
  const principalColumns =
    'id, kind, name, password_hash, mfa_activated, mfa_turned_on, mfa_device_name, created_at, updated_at';
  const selectById = db.prepare<[string], PrincipalRow>(
    `SELECT ${principalColumns} FROM principals WHERE id = ?`,
  );
  const selectByName = db.prepare<[string], PrincipalRow>(
    `SELECT ${principalColumns} FROM principals WHERE name = ?`,
  );
  const selectAll = db.prepare<[], PrincipalRow>(`SELECT ${principalColumns} FROM principals ORDER BY name`);
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM principals');
  const insertPrincipal = db.prepare<[string, StorePrincipalKind, string, string | null, number, number]>(
    'INSERT INTO principals (id, kind, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const deletePrincipal = db.prepare<[string]>('DELETE FROM principals WHERE id = ?');
  const updatePasswordHash = db.prepare<[string | null, number, string]>(
    'UPDATE principals SET password_hash = ?, updated_at = ? WHERE id = ?',
  );
  const updateMfaState = db.prepare<[0 | 1, 0 | 1, string | null, number, string]>(
    'UPDATE principals SET mfa_activated = ?, mfa_turned_on = ?, mfa_device_name = ?, updated_at = ? WHERE id = ?',
  );
  const insertEvent = db.prepare<[string, string, string, MfaAuditAction, number, string | null, string]>(
    `INSERT INTO audit_events (event_id, principal_id, username, action, event_date, device_name, modified_by)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectLockingFailure = db.prepare<[string, number, number], { event_date: number }>(
    `SELECT event_date FROM audit_events
     WHERE principal_id = ? AND action = 'MFA_AUTHENTICATION_FAILURE' AND event_date > ?
     ORDER BY event_date DESC, seq DESC LIMIT 1 OFFSET ?`,
  );
  const auditWhere = `principal_id = @principalId AND event_date BETWEEN @startDate AND @endDate
    AND (@actions IS NULL OR action IN (SELECT value FROM json_each(@actions)))
    AND (@deviceNames IS NULL OR device_name IN (SELECT value FROM json_each(@deviceNames)))
    AND (@eventIds IS NULL OR event_id IN (SELECT value FROM json_each(@eventIds)))`;
  const auditColumns = 'event_id, action, event_date, device_name, modified_by, username';
  const countAudit = db.prepare<[AuditFilter], { n: number }>(
    `SELECT count(*) AS n FROM audit_events WHERE ${auditWhere}`,
  );
  const pageAudit = db.prepare<[AuditFilter & { limit: number; offset: number }], AuditRow>(
    `SELECT ${auditColumns} FROM audit_events WHERE ${auditWhere}
     ORDER BY event_date DESC, seq DESC LIMIT @limit OFFSET @offset`,
  );
  const recentAudit = db.prepare<[number], AuditRow>(
    `SELECT ${auditColumns} FROM audit_events ORDER BY event_date DESC, seq DESC LIMIT ?`,
  );
  const recentAuditOf = db.prepare<[string, number], AuditRow>(
    `SELECT ${auditColumns} FROM audit_events WHERE principal_id = ? ORDER BY event_date DESC, seq DESC LIMIT ?`,
  );
  const ping = db.prepare<[], { ok: number }>('SELECT 1 AS ok');

  const cacheKey = randomBytes(32);
  const verifiedPasswords = new Map<string, { hash: string; mac: Buffer; expiresAtMs: number }>();
  const verifying = new Map<string, Promise<boolean>>();
  const macOf = (password: string): Buffer =>
    createHmac('sha256', cacheKey).update(password.normalize('NFC')).digest();

  const recordEvent = (
    row: PrincipalRow,
    action: MfaAuditAction,
    deviceName: string | null,
    actor: string,
  ): void => {
    insertEvent.run(randomUUID(), row.id, row.name, action, now(), deviceName, actor);
  };

  const failure = (code: MfaFailureCode, requestId: string, extra?: Partial<MfaFailure>): MfaFailure => ({
    code,
    requestId,
    ...extra,
  });

  /** The failed-attempt guard, read from the audit trail itself so it survives restarts and spans processes. */
  function lockedFor(principalId: string): number | null {
    if (maxFailedAttempts <= 0) return null;
    const at = now();
    const row = selectLockingFailure.get(principalId, at - failedAttemptWindowMs, maxFailedAttempts - 1);
    if (!row) return null;
    return Math.max(1, Math.ceil((row.event_date + failedAttemptWindowMs - at) / 1000));
  }

  async function passwordMatches(row: PrincipalRow, password: string): Promise<boolean> {
    const hash = row.password_hash;
    if (passwordCacheTtlMs <= 0 || hash === null) return verifyPassword(password, hash);
    const mac = macOf(password);
    const cached = verifiedPasswords.get(row.id);
    if (cached && cached.hash === hash && cached.expiresAtMs > now() && timingSafeEqual(cached.mac, mac))
      return true;
    // Under load many requests carry the same password at once: let them share one scrypt instead of queueing N.
    const key = `${row.id}\u0000${hash}\u0000${mac.toString('base64')}`;
    let pending = verifying.get(key);
    if (!pending) {
      pending = verifyPassword(password, hash).finally(() => verifying.delete(key));
      verifying.set(key, pending);
    }
    const matches = await pending;
    if (matches) verifiedPasswords.set(row.id, { hash, mac, expiresAtMs: now() + passwordCacheTtlMs });
    return matches;
  }

  async function authenticateRow(call: BackendCall, locked: Locked): Promise<Authenticated> {
    const denied = (code: MfaFailureCode): Authenticated => ({
      ok: false,
      failure: failure(code, call.requestId),
    });
    if (typeof call.token !== 'string' || call.token.length === 0) return denied('UNAUTHENTICATED');
    const subject: TokenSubject | null = await tokens.verify(call.token);
    if (!subject) return denied('UNAUTHENTICATED');
    const row = await locked(() =>
      subject.kind === 'user' ? selectById.get(subject.id) : selectByName.get(subject.clientId),
    );
    // CSP answers 404 "no user with given token exists" for a valid token whose principal is gone.
    if (!row || row.kind !== subject.kind) return denied('NOT_FOUND');
    if (row.kind === 'service-account') return denied('SERVICE_ACCOUNT_NOT_ALLOWED');
    return { ok: true, row };
  }

  let lockRefusals = 0;
  let lastLockReportMs = Number.NEGATIVE_INFINITY;

  function reportLocked(requestId: string, operation: string, waitedMs: number): void {
    lockRefusals += 1;
    const at = performance.now();
    // A held lock refuses every call until it is released: one line per interval, with a count.
    if (at - lastLockReportMs < LOCK_REPORT_INTERVAL_MS) return;
    logger.warn?.(
      { requestId, operation, storePath: dbPath, waitedMs, refusedCalls: lockRefusals, storeLock: 'held' },
      'MFA store locked by another connection; answering UPSTREAM_UNAVAILABLE',
    );
    lockRefusals = 0;
    lastLockReportMs = at;
  }

  /**
   * Runs one contract call: every database step waits out another connection's lock on timers,
   * within one `lockWaitMs` budget per call, and a lock that outlasts it answers
   * `UPSTREAM_UNAVAILABLE`. Any other thrown fault becomes `UPSTREAM_UNAVAILABLE` (closed) or
   * `UNEXPECTED`, logged with its cause.
   */
  async function guarded<T>(
    requestId: string,
    operation: string,
    work: (locked: Locked) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    const wait = new LockWait(lockWaitMs, {
      isOpen: () => db.open,
      onWait: () =>
        logger.debug?.(
          { requestId, operation, storeLock: 'waiting' },
          'MFA store locked by another connection; waiting',
        ),
    });
    try {
      if (!db.open) return fail(failure('UPSTREAM_UNAVAILABLE', requestId));
      return await work((step) => wait.run(step));
    } catch (error) {
      if (error instanceof StoreLockTimeout && db.open) {
        reportLocked(requestId, operation, error.waitedMs);
        return fail(
          failure('UPSTREAM_UNAVAILABLE', requestId, { retryAfterSeconds: LOCKED_RETRY_AFTER_SECONDS }),
        );
      }
      const unavailable = !db.open || isLockContention(error);
      logger.error({ err: error, requestId, operation, storePath: dbPath }, 'MFA store operation failed');
      return fail(failure(unavailable ? 'UPSTREAM_UNAVAILABLE' : 'UNEXPECTED', requestId));
    }
  }

  type UpdateDecision = Outcome<MfaUpdateDto> | 'hash-changed';

  // The password check runs outside (scrypt is slow and async); everything it decided on is re-read
  // and re-decided in here, so concurrent updates serialise on the write lock and each effective
  // change writes exactly one event.
  const decideUpdate = db.transaction(
    (
      principalId: string,
      checkedHash: string | null,
      matches: boolean,
      turnedOn: boolean,
      requestId: string,
    ): UpdateDecision => {
      const row = selectById.get(principalId);
      if (!row || row.kind !== 'user') return fail(failure('NOT_FOUND', requestId));
      if (row.password_hash !== checkedHash) return 'hash-changed';
      const retryAfterSeconds = lockedFor(row.id);
      if (retryAfterSeconds !== null) return fail(failure('RATE_LIMITED', requestId, { retryAfterSeconds }));
      if (!matches) {
        recordEvent(row, 'MFA_AUTHENTICATION_FAILURE', row.mfa_device_name, row.name);
        return fail(failure('WRONG_PASSWORD', requestId));
      }
      // CSP documents a 409 without saying when; enforcing MFA with no enrolled device would lock
      // the user out, so that is the conflict we model.
      if (turnedOn && row.mfa_activated === 0) return fail(failure('CONFLICT', requestId));
      if ((row.mfa_turned_on === 1) === turnedOn) return succeed({ turnedOn });
      updateMfaState.run(row.mfa_activated, turnedOn ? 1 : 0, row.mfa_device_name, now(), row.id);
      recordEvent(row, turnedOn ? 'MFA_ENABLE' : 'MFA_DISABLE', row.mfa_device_name, row.name);
      return succeed({ turnedOn });
    },
  );

  async function updateMfa(call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> {
    return guarded(call.requestId, 'updateMfa', async (locked) => {
      const auth = await authenticateRow(call, locked);
      if (!auth.ok) return fail(auth.failure);
      if (typeof call.password !== 'string' || call.password.length === 0) {
        return fail(failure('PASSWORD_REQUIRED', call.requestId));
      }
      let row = auth.row;
      // A password change between our check and the transaction makes the check stale: check again.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const checked = row;
        const retryAfterSeconds = await locked(() => lockedFor(checked.id));
        if (retryAfterSeconds !== null)
          return fail(failure('RATE_LIMITED', call.requestId, { retryAfterSeconds }));
        const matches = await passwordMatches(checked, call.password);
        // A lock that outlasts the wait answers UPSTREAM_UNAVAILABLE whether the password matched or
        // not, and records nothing: the answer tells a guesser nothing.
        const decision = await locked(() =>
          decideUpdate.immediate(
            checked.id,
            checked.password_hash,
            matches,
            call.turnedOn === true,
            call.requestId,
          ),
        );
        if (decision !== 'hash-changed') return decision;
        const reread = await locked(() => selectById.get(checked.id));
        if (!reread) return fail(failure('NOT_FOUND', call.requestId));
        row = reread;
      }
      return fail(failure('UNEXPECTED', call.requestId));
    });
  }

  async function getMfaStatus(call: BackendCall): Promise<Outcome<MfaStatusDto>> {
    return guarded(call.requestId, 'getMfaStatus', async (locked) => {
      const auth = await authenticateRow(call, locked);
      if (!auth.ok) return fail(auth.failure);
      const { row } = auth;
      return succeed({
        activated: row.mfa_activated === 1,
        turnedOn: row.mfa_turned_on === 1,
        username: row.name,
        ...(row.mfa_device_name === null ? {} : { deviceName: row.mfa_device_name }),
      });
    });
  }

  async function getMfaAudit(call: BackendCall, query: MfaAuditQuery): Promise<Outcome<MfaAuditPage>> {
    return guarded(call.requestId, 'getMfaAudit', async (locked) => {
      const auth = await authenticateRow(call, locked);
      if (!auth.ok) return fail(auth.failure);
      const parsed = parseAuditQuery(query, now());
      // The reason travels as errorCode, as CSP's would, so the simulator can answer it and a client can read it.
      if (!parsed.ok) return fail(failure('INVALID_REQUEST', call.requestId, { errorCode: parsed.problem }));
      const q = parsed.query;
      const filter: AuditFilter = {
        principalId: auth.row.id,
        startDate: q.startDate,
        endDate: q.endDate,
        actions: q.actions ? JSON.stringify(q.actions) : null,
        deviceNames: q.deviceNames ? JSON.stringify(q.deviceNames) : null,
        eventIds: q.eventIds ? JSON.stringify(q.eventIds) : null,
      };
      const read = db.transaction(() => ({
        total: countAudit.get(filter)?.n ?? 0,
        rows: pageAudit.all({ ...filter, limit: q.pageLimit, offset: q.pageStart - 1 }),
      }));
      const { total, rows } = await locked(read);
      return succeed({
        itemsPerPage: q.pageLimit,
        startIndex: q.pageStart,
        totalResults: total,
        results: rows.map(toAuditDto),
      });
    });
  }

  async function authenticate(call: BackendCall): Promise<Outcome<{ readonly username: string }>> {
    return guarded(call.requestId, 'authenticate', async (locked) => {
      const auth = await authenticateRow(call, locked);
      return auth.ok ? succeed({ username: auth.row.name }) : fail(auth.failure);
    });
  }

  const requireOpen = (): void => {
    if (!db.open) throw new StoreAdminError('STORE_CLOSED', 'the MFA store is closed');
  };

  const lockedOut = (): StoreAdminError =>
    new StoreAdminError(
      'STORE_LOCKED',
      'the MFA store is locked by another process (a store command, a sqlite3 shell, a backup); try again once it lets go',
    );

  /**
   * A synchronous admin step: SQLite's busy timeout is all the waiting it gets (the CLI sets one; a
   * server runs admin steps only when it seeds an empty store at start).
   */
  function adminStep<R>(step: () => R): R {
    try {
      return step();
    } catch (error) {
      if (isLockContention(error)) throw lockedOut();
      throw error;
    }
  }

  /** An admin step of an asynchronous operation: waits out a lock on timers, like a contract call. */
  async function adminStepLater<R>(step: () => R): Promise<R> {
    try {
      return await new LockWait(lockWaitMs, { isOpen: () => db.open }).run(step);
    } catch (error) {
      if (error instanceof StoreLockTimeout) throw lockedOut();
      throw error;
    }
  }

  function rowByName(name: string): PrincipalRow {
    requireOpen();
    const key = lookupName(name, 'a principal name', MAX_NAME_LENGTH);
    const row = adminStep(() => selectByName.get(key));
    if (!row) throw new StoreAdminError('PRINCIPAL_NOT_FOUND', 'no principal with that name');
    return row;
  }

  function userByName(name: string): PrincipalRow {
    const row = rowByName(name);
    if (row.kind !== 'user')
      throw new StoreAdminError('NOT_A_USER', 'service accounts have no password or MFA device');
    return row;
  }

  const admin: StoreAdmin = {
    async addPrincipal(input) {
      requireOpen();
      if (input.kind !== 'user' && input.kind !== 'service-account') {
        throw new StoreAdminError('INVALID_INPUT', 'kind must be user or service-account');
      }
      const name = checkNewName(
        input.name,
        input.kind === 'user' ? 'a username' : 'a client id',
        MAX_NAME_LENGTH,
      );
      if (input.kind === 'service-account' && input.password !== undefined) {
        throw new StoreAdminError('NOT_A_USER', 'service accounts have no password');
      }
      const hash =
        input.password === undefined ? null : await hashPassword(checkPassword(input.password), scryptParams);
      requireOpen();
      const id = randomUUID();
      const at = now();
      try {
        await adminStepLater(() => insertPrincipal.run(id, input.kind, name, hash, at, at));
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new StoreAdminError('PRINCIPAL_EXISTS', 'a principal with that name exists');
        }
        throw error;
      }
      return toRecord(adminStep(() => selectById.get(id)) as PrincipalRow);
    },
    listPrincipals() {
      requireOpen();
      return adminStep(() => selectAll.all()).map(toRecord);
    },
    countPrincipals() {
      requireOpen();
      return adminStep(() => countAll.get()?.n ?? 0);
    },
    getPrincipal(name) {
      return toRecord(rowByName(name));
    },
    removePrincipal(name) {
      const { id } = rowByName(name);
      adminStep(() => deletePrincipal.run(id));
      verifiedPasswords.clear();
    },
    async setPassword(name, password) {
      const row = userByName(name);
      const hash = await hashPassword(checkPassword(password), scryptParams);
      requireOpen();
      await adminStepLater(() => updatePasswordHash.run(hash, now(), row.id));
    },
    activateDevice(name, deviceName) {
      const device = checkNewName(deviceName, 'a device name', MAX_DEVICE_NAME_LENGTH);
      const id = userByName(name).id;
      const activate = db.transaction(() => {
        const row = selectById.get(id);
        if (!row) throw new StoreAdminError('PRINCIPAL_NOT_FOUND', 'no principal with that name');
        if (row.mfa_activated === 1 && row.mfa_device_name === device) return;
        updateMfaState.run(1, row.mfa_turned_on, device, now(), row.id);
        recordEvent(
          row,
          row.mfa_activated === 1 ? 'MFA_DEVICE_NAME_UPDATE' : 'MFA_ACTIVATION',
          device,
          adminActor,
        );
      });
      return adminStep(() => {
        activate.immediate();
        return toRecord(selectById.get(id) as PrincipalRow);
      });
    },
    deactivateDevice(name) {
      const id = userByName(name).id;
      const deactivate = db.transaction(() => {
        const row = selectById.get(id);
        if (!row) throw new StoreAdminError('PRINCIPAL_NOT_FOUND', 'no principal with that name');
        if (row.mfa_turned_on === 1) recordEvent(row, 'MFA_DISABLE', row.mfa_device_name, adminActor);
        if (row.mfa_activated === 1) recordEvent(row, 'MFA_DEACTIVATION', row.mfa_device_name, adminActor);
        if (row.mfa_turned_on === 1 || row.mfa_activated === 1) updateMfaState.run(0, 0, null, now(), row.id);
      });
      return adminStep(() => {
        deactivate.immediate();
        return toRecord(selectById.get(id) as PrincipalRow);
      });
    },
    async mintToken(name, mintOptions) {
      const row = rowByName(name);
      const ttl = mintOptions?.ttlSeconds;
      if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 1)) {
        throw new StoreAdminError(
          'INVALID_INPUT',
          'a token lifetime must be a positive whole number of seconds',
        );
      }
      return row.kind === 'user'
        ? tokens.mint({ kind: 'user', id: row.id, username: row.name }, ttl)
        : tokens.mint({ kind: 'service-account', clientId: row.name }, ttl);
    },
    readAudit(readOptions) {
      requireOpen();
      const limit = readOptions?.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new StoreAdminError('INVALID_INPUT', 'limit must be positive');
      const id = readOptions?.name === undefined ? undefined : rowByName(readOptions.name).id;
      const rows = adminStep(() =>
        id === undefined ? recentAudit.all(limit) : recentAuditOf.all(id, limit),
      );
      return rows.map(toAuditDto);
    },
  };

  return {
    kind: 'store',
    path: dbPath,
    schemaVersion: SCHEMA_VERSION,
    updateMfa,
    getMfaStatus,
    getMfaAudit,
    authenticate,
    admin,
    async isReady() {
      if (!db.open) return false;
      try {
        return ping.get()?.ok === 1;
      } catch {
        return false;
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
