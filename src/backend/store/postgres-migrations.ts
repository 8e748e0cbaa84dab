/**
 * The PostgreSQL store's schema migrations, tracked in its `store_schema` table. Each step runs in
 * its own transaction together with the version bump (PostgreSQL's DDL is transactional) and under
 * an advisory lock, so gateway instances starting together migrate once, and a crash leaves the
 * database at the previous version, never between. The tables mirror the SQLite store's.
 */
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { MFA_AUDIT_ACTIONS } from './mfa-audit.js';

interface PostgresMigration {
  readonly version: number;
  readonly up: (client: PoolClient) => Promise<void>;
}

const actionList = MFA_AUDIT_ACTIONS.map((action) => `'${action}'`).join(', ');

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    up: async (client) => {
      await client.query(`
        CREATE TABLE meta (
          key   text PRIMARY KEY,
          value text NOT NULL
        );

        CREATE TABLE principals (
          id              text PRIMARY KEY,
          kind            text NOT NULL CHECK (kind IN ('user', 'service-account')),
          -- username for a user, client id for a service account
          name            text NOT NULL UNIQUE,
          password_hash   text,
          mfa_activated   boolean NOT NULL DEFAULT false,
          mfa_turned_on   boolean NOT NULL DEFAULT false,
          mfa_device_name text,
          created_at      bigint NOT NULL,
          updated_at      bigint NOT NULL,
          -- MFA cannot be enforced without an enrolled device; the database holds the rule, not only the code
          CHECK (NOT mfa_turned_on OR mfa_activated),
          CHECK (kind = 'user' OR (password_hash IS NULL AND NOT mfa_activated))
        );

        -- No foreign key to principals: the trail outlives a removed principal.
        CREATE TABLE audit_events (
          seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          event_id     text NOT NULL UNIQUE,
          principal_id text NOT NULL,
          username     text NOT NULL,
          action       text NOT NULL CHECK (action IN (${actionList})),
          event_date   bigint NOT NULL,
          device_name  text,
          modified_by  text NOT NULL
        );

        CREATE INDEX audit_events_by_principal ON audit_events (principal_id, event_date DESC, seq DESC);

        CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only';
        END
        $$;
        CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
          FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
          FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
      `);
      await client.query('INSERT INTO meta (key, value) VALUES ($1, $2)', ['org_id', randomUUID()]);
    },
  },
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.reduce(
  (max, migration) => Math.max(max, migration.version),
  0,
);

export type PostgresMigrationResult =
  | { readonly ok: true; readonly from: number; readonly to: number }
  | { readonly ok: false; readonly found: number };

/**
 * Brings the schema (the first one on the connection's `search_path`) to the newest version;
 * refuses, without touching it, a database a newer program migrated.
 */
export async function migratePostgres(
  client: PoolClient,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<PostgresMigrationResult> {
  const target = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  let from: number | undefined;
  for (;;) {
    await client.query('BEGIN');
    try {
      // Per schema: stores in two schemas of one database (tests, tenants) migrate independently.
      await client.query(
        "SELECT pg_advisory_xact_lock(hashtext('csp-mfa-store:' || coalesce(current_schema(), '')))",
      );
      const exists = await client.query<{ found: string | null }>(
        "SELECT to_regclass('store_schema')::text AS found",
      );
      if (exists.rows[0]?.found === null || exists.rows[0]?.found === undefined) {
        await client.query(
          'CREATE TABLE store_schema (id boolean PRIMARY KEY DEFAULT true CHECK (id), version integer NOT NULL)',
        );
      }
      const current =
        (await client.query<{ version: number }>('SELECT version FROM store_schema')).rows[0]?.version ?? 0;
      from ??= current;
      if (current > target) {
        await client.query('ROLLBACK');
        return { ok: false, found: current };
      }
      const next = migrations
        .filter((migration) => migration.version > current)
        .reduce<PostgresMigration | undefined>(
          (low, m) => (low && low.version < m.version ? low : m),
          undefined,
        );
      if (!next) {
        await client.query('COMMIT');
        return { ok: true, from, to: target };
      }
      await next.up(client);
      await client.query(
        'INSERT INTO store_schema (id, version) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version',
        [next.version],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
