/**
 * The SQLite store's statements, prepared once (the simulator is a benchmark target, so a request
 * does no work that could be done here), and the driver that runs them. better-sqlite3 is
 * synchronous: each step runs at once, and another connection's lock is waited out on timers
 * (store-lock.ts) within the budget of its call, never in SQLite's own sleeping busy wait.
 */
import type Database from 'better-sqlite3';
import type { MfaAuditAction } from '../mfa-backend.js';
import type {
  AuditFilter,
  AuditRow,
  ChangeDecision,
  FailureProbe,
  NewAuditEvent,
  PrincipalRow,
  StoreDriver,
  StoreSteps,
} from './store-driver.js';
import { isLockContention, LockWait } from './store-lock.js';
import type { StorePrincipalKind } from './store-types.js';

interface PrincipalColumns {
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

interface AuditColumns {
  readonly event_id: string;
  readonly action: MfaAuditAction;
  readonly event_date: number;
  readonly device_name: string | null;
  readonly modified_by: string;
  readonly username: string;
}

/** The audit filter as named parameters; the lists travel as JSON arrays for `json_each`. */
interface AuditParams {
  readonly principalId: string;
  readonly startDate: number;
  readonly endDate: number;
  readonly actions: string | null;
  readonly deviceNames: string | null;
  readonly eventIds: string | null;
}

const toPrincipal = (c: PrincipalColumns): PrincipalRow => ({
  id: c.id,
  kind: c.kind,
  name: c.name,
  passwordHash: c.password_hash,
  activated: c.mfa_activated === 1,
  turnedOn: c.mfa_turned_on === 1,
  deviceName: c.mfa_device_name,
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

const toAudit = (c: AuditColumns): AuditRow => ({
  eventId: c.event_id,
  action: c.action,
  eventDate: c.event_date,
  deviceName: c.device_name,
  modifiedBy: c.modified_by,
  username: c.username,
});

const jsonList = (values: readonly string[] | null): string | null =>
  values ? JSON.stringify(values) : null;

const sqliteCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';

export function createSqliteDriver(
  db: Database.Database,
  options: { readonly location: string; readonly schemaVersion: number; readonly lockWaitMs: number },
): StoreDriver {
  const principalColumns =
    'id, kind, name, password_hash, mfa_activated, mfa_turned_on, mfa_device_name, created_at, updated_at';
  const selectById = db.prepare<[string], PrincipalColumns>(
    `SELECT ${principalColumns} FROM principals WHERE id = ?`,
  );
  const selectByName = db.prepare<[string], PrincipalColumns>(
    `SELECT ${principalColumns} FROM principals WHERE name = ?`,
  );
  const selectAll = db.prepare<[], PrincipalColumns>(
    `SELECT ${principalColumns} FROM principals ORDER BY name`,
  );
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
  const selectFailure = db.prepare<[string, number, number], { event_date: number }>(
    `SELECT event_date FROM audit_events
     WHERE principal_id = ? AND action = 'MFA_AUTHENTICATION_FAILURE' AND event_date > ?
     ORDER BY event_date DESC, seq DESC LIMIT 1 OFFSET ?`,
  );
  const auditWhere = `principal_id = @principalId AND event_date BETWEEN @startDate AND @endDate
    AND (@actions IS NULL OR action IN (SELECT value FROM json_each(@actions)))
    AND (@deviceNames IS NULL OR device_name IN (SELECT value FROM json_each(@deviceNames)))
    AND (@eventIds IS NULL OR event_id IN (SELECT value FROM json_each(@eventIds)))`;
  const auditColumns = 'event_id, action, event_date, device_name, modified_by, username';
  const countAudit = db.prepare<[AuditParams], { n: number }>(
    `SELECT count(*) AS n FROM audit_events WHERE ${auditWhere}`,
  );
  const pageAudit = db.prepare<[AuditParams & { limit: number; offset: number }], AuditColumns>(
    `SELECT ${auditColumns} FROM audit_events WHERE ${auditWhere}
     ORDER BY event_date DESC, seq DESC LIMIT @limit OFFSET @offset`,
  );
  const recentAudit = db.prepare<[number], AuditColumns>(
    `SELECT ${auditColumns} FROM audit_events ORDER BY event_date DESC, seq DESC LIMIT ?`,
  );
  const recentAuditOf = db.prepare<[string, number], AuditColumns>(
    `SELECT ${auditColumns} FROM audit_events WHERE principal_id = ? ORDER BY event_date DESC, seq DESC LIMIT ?`,
  );
  const ping = db.prepare<[], { ok: number }>('SELECT 1 AS ok');

  const failureDate = (principalId: string, probe: FailureProbe): number | null =>
    selectFailure.get(principalId, probe.since, probe.offset)?.event_date ?? null;

  const appendEvent = (event: NewAuditEvent): void => {
    insertEvent.run(
      event.eventId,
      event.principalId,
      event.username,
      event.action,
      event.eventDate,
      event.deviceName,
      event.modifiedBy,
    );
  };

  // BEGIN IMMEDIATE (`.immediate`): the write lock is taken before the row is read, so the decision
  // is made on the row as no other connection can change it until the commit.
  const change = db.transaction(
    (id: string, probe: FailureProbe | null, decide: ChangeDecision<unknown>): unknown => {
      const columns = selectById.get(id);
      const row = columns && toPrincipal(columns);
      const decided = decide(row, row && probe ? failureDate(id, probe) : null);
      const { state } = decided;
      if (state) {
        updateMfaState.run(
          state.activated ? 1 : 0,
          state.turnedOn ? 1 : 0,
          state.deviceName,
          state.updatedAt,
          id,
        );
      }
      for (const event of decided.events ?? []) appendEvent(event);
      return decided.result;
    },
  );

  const readPage = db.transaction((params: AuditParams, limit: number, offset: number) => ({
    total: countAudit.get(params)?.n ?? 0,
    rows: pageAudit.all({ ...params, limit, offset }).map(toAudit),
  }));

  function steps(onWait?: () => void): StoreSteps {
    const wait = new LockWait(options.lockWaitMs, { isOpen: () => db.open, ...(onWait ? { onWait } : {}) });
    const run = <R>(step: () => R): Promise<R> => wait.run(step);
    return {
      principalById: (id) => run(() => selectById.get(id)).then((c) => c && toPrincipal(c)),
      principalByName: (name) => run(() => selectByName.get(name)).then((c) => c && toPrincipal(c)),
      listPrincipals: () => run(() => selectAll.all().map(toPrincipal)),
      countPrincipals: () => run(() => countAll.get()?.n ?? 0),
      insertPrincipal: (p) =>
        run(() => {
          try {
            insertPrincipal.run(p.id, p.kind, p.name, p.passwordHash, p.at, p.at);
            return true;
          } catch (error) {
            if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') return false;
            throw error;
          }
        }),
      deletePrincipal: (id) => run(() => void deletePrincipal.run(id)),
      setPasswordHash: (id, hash, at) => run(() => void updatePasswordHash.run(hash, at, id)),
      failureDate: (principalId, probe) => run(() => failureDate(principalId, probe)),
      changePrincipal: <T>(id: string, probe: FailureProbe | null, decide: ChangeDecision<T>) =>
        run(() => change.immediate(id, probe, decide) as T),
      auditPage: (filter: AuditFilter, limit: number, offset: number) =>
        run(() =>
          readPage(
            {
              principalId: filter.principalId,
              startDate: filter.startDate,
              endDate: filter.endDate,
              actions: jsonList(filter.actions),
              deviceNames: jsonList(filter.deviceNames),
              eventIds: jsonList(filter.eventIds),
            },
            limit,
            offset,
          ),
        ),
      recentAudit: (principalId, limit) =>
        run(() =>
          (principalId === null ? recentAudit.all(limit) : recentAuditOf.all(principalId, limit)).map(
            toAudit,
          ),
        ),
    };
  }

  return {
    engine: 'sqlite',
    location: options.location,
    schemaVersion: options.schemaVersion,
    isOpen: () => db.open,
    steps,
    isUnavailable: isLockContention,
    ping: async () => ping.get()?.ok === 1,
    close: async () => {
      if (db.open) db.close();
    },
  };
}
