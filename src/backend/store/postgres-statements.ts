/**
 * The PostgreSQL store's statements and the driver that runs them on a connection pool. Changes to a
 * principal serialise on its row lock (`SELECT … FOR UPDATE`), which every gateway instance on the
 * database takes, so the lockout count and the state are decided on what is committed; a lock held
 * past `lockWaitMs` (PostgreSQL's `lock_timeout`) becomes `StoreLockTimeout`, and a serialization
 * failure or deadlock is retried.
 */
import type { Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg';
import type { MfaAuditAction } from '../mfa-backend.js';
import type {
  AuditRow,
  ChangeDecision,
  FailureProbe,
  NewAuditEvent,
  PrincipalRow,
  StoreDriver,
  StoreSteps,
} from './store-driver.js';
import { StoreLockTimeout } from './store-lock.js';
import type { StorePrincipalKind } from './store-types.js';

interface PrincipalColumns {
  readonly id: string;
  readonly kind: StorePrincipalKind;
  readonly name: string;
  readonly password_hash: string | null;
  readonly mfa_activated: boolean;
  readonly mfa_turned_on: boolean;
  readonly mfa_device_name: string | null;
  // bigint arrives as text (it may exceed 2^53 in general; ours are epoch milliseconds, which do not).
  readonly created_at: string;
  readonly updated_at: string;
}

interface AuditColumns {
  readonly event_id: string;
  readonly action: MfaAuditAction;
  readonly event_date: string | number;
  readonly device_name: string | null;
  readonly modified_by: string;
  readonly username: string;
}

const toPrincipal = (c: PrincipalColumns): PrincipalRow => ({
  id: c.id,
  kind: c.kind,
  name: c.name,
  passwordHash: c.password_hash,
  activated: c.mfa_activated,
  turnedOn: c.mfa_turned_on,
  deviceName: c.mfa_device_name,
  createdAt: Number(c.created_at),
  updatedAt: Number(c.updated_at),
});

const toAudit = (c: AuditColumns): AuditRow => ({
  eventId: c.event_id,
  action: c.action,
  eventDate: Number(c.event_date),
  deviceName: c.device_name,
  modifiedBy: c.modified_by,
  username: c.username,
});

/** The connection broke, or none could be had: the database cannot serve now (not a bug). */
export class StoreConnectionError extends Error {
  constructor(options: { cause: unknown }) {
    super('the connection to the PostgreSQL store failed', options);
    this.name = 'StoreConnectionError';
  }
}

/** SQLSTATE of an error the server sent (node-postgres' DatabaseError), else undefined. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('severity' in error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/u.test(code) ? code : undefined;
}

const LOCK_NOT_AVAILABLE = '55P03';
/** Worth one more try of the whole transaction: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRANSACTION_ATTEMPTS = 3;

/**
 * Class 08 (connection exception), 53 (insufficient resources: too many connections, out of
 * memory or disk), 57 (operator intervention: shutdown, statement timeout), and retries spent.
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || code.startsWith('57') || RETRYABLE.has(code);
}

const principalColumns =
  'id, kind, name, password_hash, mfa_activated, mfa_turned_on, mfa_device_name, created_at, updated_at';
const auditColumns = 'event_id, action, event_date, device_name, modified_by, username';

// Named statements: each connection parses and plans them once.
const statement = (name: string, text: string): { readonly name: string; readonly text: string } => ({
  name: `csp-mfa-${name}`,
  text,
});
const SQL = {
  byId: statement('principal-by-id', `SELECT ${principalColumns} FROM principals WHERE id = $1`),
  byName: statement('principal-by-name', `SELECT ${principalColumns} FROM principals WHERE name = $1`),
  // Locks the row until the transaction ends; the lockout count is read by the next statement, whose
  // snapshot is taken after the lock was granted, so it sees every failure committed under it.
  lockById: statement(
    'lock-principal',
    `SELECT ${principalColumns} FROM principals WHERE id = $1 FOR UPDATE`,
  ),
  // Byte order, as SQLite sorts: the list does not change with the database's collation.
  all: statement('principals', `SELECT ${principalColumns} FROM principals ORDER BY name COLLATE "C"`),
  count: statement('count-principals', 'SELECT count(*)::integer AS n FROM principals'),
  insert: statement(
    'insert-principal',
    `INSERT INTO principals (id, kind, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (name) DO NOTHING RETURNING id`,
  ),
  delete: statement('delete-principal', 'DELETE FROM principals WHERE id = $1'),
  setHash: statement(
    'set-password-hash',
    'UPDATE principals SET password_hash = $2, updated_at = $3 WHERE id = $1',
  ),
  setState: statement(
    'set-mfa-state',
    'UPDATE principals SET mfa_activated = $2, mfa_turned_on = $3, mfa_device_name = $4, updated_at = $5 WHERE id = $1',
  ),
  insertEvent: statement(
    'insert-audit-event',
    `INSERT INTO audit_events (event_id, principal_id, username, action, event_date, device_name, modified_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  ),
  failure: statement(
    'failure-date',
    `SELECT event_date FROM audit_events
     WHERE principal_id = $1 AND action = 'MFA_AUTHENTICATION_FAILURE' AND event_date > $2
     ORDER BY event_date DESC, seq DESC LIMIT 1 OFFSET $3`,
  ),
  // One statement, so the count and the page come from one snapshot (as one read transaction in SQLite).
  auditPage: statement(
    'audit-page',
    `WITH matching AS (
       SELECT seq, ${auditColumns} FROM audit_events
       WHERE principal_id = $1 AND event_date BETWEEN $2 AND $3
         AND ($4::text[] IS NULL OR action = ANY ($4))
         AND ($5::text[] IS NULL OR device_name = ANY ($5))
         AND ($6::text[] IS NULL OR event_id = ANY ($6))
     ), page AS (
       SELECT * FROM matching ORDER BY event_date DESC, seq DESC LIMIT $7 OFFSET $8
     )
     SELECT (SELECT count(*)::integer FROM matching) AS total,
            coalesce((SELECT json_agg(page ORDER BY event_date DESC, seq DESC) FROM page), '[]'::json) AS rows`,
  ),
  recent: statement(
    'recent-audit',
    `SELECT ${auditColumns} FROM audit_events ORDER BY event_date DESC, seq DESC LIMIT $1`,
  ),
  recentOf: statement(
    'recent-audit-of',
    `SELECT ${auditColumns} FROM audit_events WHERE principal_id = $1 ORDER BY event_date DESC, seq DESC LIMIT $2`,
  ),
  ping: statement('ping', 'SELECT 1 AS ok'),
} as const;

export function createPostgresDriver(
  pool: Pool,
  options: { readonly location: string; readonly schemaVersion: number; readonly lockWaitMs: number },
): StoreDriver {
  let open = true;

  /**
   * What a failed query means: a server error stays as it is (a bug in our SQL shows as
   * UNEXPECTED), a lock held too long becomes `StoreLockTimeout`, anything else from the client
   * (connection lost, pool closed) `StoreConnectionError`.
   */
  function classify(error: unknown): unknown {
    const code = sqlState(error);
    if (code === LOCK_NOT_AVAILABLE) return new StoreLockTimeout(options.lockWaitMs, { cause: error });
    return code === undefined ? new StoreConnectionError({ cause: error }) : error;
  }

  async function connect(): Promise<PoolClient> {
    try {
      return await pool.connect();
    } catch (error) {
      throw new StoreConnectionError({ cause: error });
    }
  }

  async function query<R extends QueryResultRow>(
    config: { readonly name: string; readonly text: string },
    values: readonly unknown[],
    client?: PoolClient,
  ): Promise<R[]> {
    const request: QueryConfig = { ...config, values: [...values] };
    try {
      return (await (client ?? pool).query<R>(request)).rows;
    } catch (error) {
      throw classify(error);
    }
  }

  const appendEvent = (client: PoolClient, event: NewAuditEvent): Promise<unknown> =>
    query(
      SQL.insertEvent,
      [
        event.eventId,
        event.principalId,
        event.username,
        event.action,
        event.eventDate,
        event.deviceName,
        event.modifiedBy,
      ],
      client,
    );

  const failureDate = async (principalId: string, probe: FailureProbe, client?: PoolClient) => {
    const [row] = await query<{ event_date: string }>(
      SQL.failure,
      [principalId, probe.since, probe.offset],
      client,
    );
    return row ? Number(row.event_date) : null;
  };

  const control = async (client: PoolClient, command: 'BEGIN' | 'COMMIT'): Promise<void> => {
    try {
      await client.query(command);
    } catch (error) {
      throw classify(error);
    }
  };

  async function changeOnce<T>(
    client: PoolClient,
    id: string,
    probe: FailureProbe | null,
    decide: ChangeDecision<T>,
  ): Promise<T> {
    await control(client, 'BEGIN');
    try {
      const [columns] = await query<PrincipalColumns>(SQL.lockById, [id], client);
      const row = columns && toPrincipal(columns);
      const decided = decide(row, row && probe ? await failureDate(id, probe, client) : null);
      const { state } = decided;
      if (state) {
        await query(
          SQL.setState,
          [id, state.activated, state.turnedOn, state.deviceName, state.updatedAt],
          client,
        );
      }
      for (const event of decided.events ?? []) await appendEvent(client, event);
      await control(client, 'COMMIT');
      return decided.result;
    } catch (error) {
      // Whatever `decide` threw (an admin refusal) passes unchanged; query faults are classified already.
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async function changePrincipal<T>(
    id: string,
    probe: FailureProbe | null,
    decide: ChangeDecision<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await connect();
      let broken: unknown;
      try {
        return await changeOnce(client, id, probe, decide);
      } catch (error) {
        // A connection that failed mid-transaction is not handed to the next caller.
        if (error instanceof StoreConnectionError) broken = error;
        const code = sqlState(error);
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
      } finally {
        client.release(broken instanceof Error ? broken : undefined);
      }
    }
  }

  const steps = (): StoreSteps => ({
    principalById: async (id) => {
      const [c] = await query<PrincipalColumns>(SQL.byId, [id]);
      return c && toPrincipal(c);
    },
    principalByName: async (name) => {
      const [c] = await query<PrincipalColumns>(SQL.byName, [name]);
      return c && toPrincipal(c);
    },
    listPrincipals: async () => (await query<PrincipalColumns>(SQL.all, [])).map(toPrincipal),
    countPrincipals: async () => (await query<{ n: number }>(SQL.count, []))[0]?.n ?? 0,
    insertPrincipal: async (p) =>
      (await query(SQL.insert, [p.id, p.kind, p.name, p.passwordHash, p.at])).length === 1,
    deletePrincipal: async (id) => {
      await query(SQL.delete, [id]);
    },
    setPasswordHash: async (id, hash, at) => {
      await query(SQL.setHash, [id, hash, at]);
    },
    failureDate: (principalId, probe) => failureDate(principalId, probe),
    changePrincipal,
    auditPage: async (filter, limit, offset) => {
      const [result] = await query<{ total: number; rows: AuditColumns[] }>(SQL.auditPage, [
        filter.principalId,
        filter.startDate,
        filter.endDate,
        filter.actions,
        filter.deviceNames,
        filter.eventIds,
        limit,
        offset,
      ]);
      return { total: result?.total ?? 0, rows: (result?.rows ?? []).map(toAudit) };
    },
    recentAudit: async (principalId, limit) =>
      (principalId === null
        ? await query<AuditColumns>(SQL.recent, [limit])
        : await query<AuditColumns>(SQL.recentOf, [principalId, limit])
      ).map(toAudit),
  });

  return {
    engine: 'postgres',
    location: options.location,
    schemaVersion: options.schemaVersion,
    isOpen: () => open,
    steps,
    isUnavailable: (error) => {
      if (error instanceof StoreConnectionError) return true;
      const code = sqlState(error);
      return code !== undefined && isUnavailableState(code);
    },
    ping: async () => (await query<{ ok: number }>(SQL.ping, []))[0]?.ok === 1,
    close: async () => {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}
