/**
 * The SQLite store's schema migrations, tracked in `PRAGMA user_version`. Each step runs in its own transaction
 * together with the version bump, so a crash leaves the file at the previous version, never between.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { MFA_AUDIT_ACTIONS } from './mfa-audit.js';

type Db = Database.Database;

interface Migration {
  readonly version: number;
  readonly up: (db: Db) => void;
}

const actionList = MFA_AUDIT_ACTIONS.map((action) => `'${action}'`).join(', ');

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE principals (
          id              TEXT PRIMARY KEY,
          kind            TEXT NOT NULL CHECK (kind IN ('user', 'service-account')),
          -- username for a user, client id for a service account
          name            TEXT NOT NULL UNIQUE,
          password_hash   TEXT,
          mfa_activated   INTEGER NOT NULL DEFAULT 0 CHECK (mfa_activated IN (0, 1)),
          mfa_turned_on   INTEGER NOT NULL DEFAULT 0 CHECK (mfa_turned_on IN (0, 1)),
          mfa_device_name TEXT,
          created_at      INTEGER NOT NULL,
          updated_at      INTEGER NOT NULL,
          -- MFA cannot be enforced without an enrolled device; the database holds the rule, not only the code
          CHECK (mfa_turned_on = 0 OR mfa_activated = 1),
          CHECK (kind = 'user' OR (password_hash IS NULL AND mfa_activated = 0))
        ) STRICT;

        -- No foreign key to principals: the trail outlives a removed principal.
        CREATE TABLE audit_events (
          seq         INTEGER PRIMARY KEY AUTOINCREMENT,
          event_id    TEXT NOT NULL UNIQUE,
          principal_id TEXT NOT NULL,
          username    TEXT NOT NULL,
          action      TEXT NOT NULL CHECK (action IN (${actionList})),
          event_date  INTEGER NOT NULL,
          device_name TEXT,
          modified_by TEXT NOT NULL
        ) STRICT;

        CREATE INDEX audit_events_by_principal ON audit_events (principal_id, event_date DESC, seq DESC);

        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
      `);
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('org_id', randomUUID());
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

export type MigrationResult =
  | { readonly ok: true; readonly from: number; readonly to: number }
  | { readonly ok: false; readonly found: number };

/** Brings the file to `SCHEMA_VERSION`; refuses (without touching it) a file from a newer program. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  const target = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > target) return { ok: false, found: from };
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    // IMMEDIATE: a second process migrating at the same moment waits, then sees the new version and skips.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { ok: true, from, to: target };
}
