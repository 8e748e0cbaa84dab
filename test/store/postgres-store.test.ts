/**
 * What only the PostgreSQL store has to prove (its shared behaviour runs in store-backend.test.ts and
 * store-concurrency.test.ts on both databases): migrations shared by several instances, the signing
 * key in the database, refusals at opening, row locks held by another connection, and a database
 * that goes away and comes back.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { POSTGRES_SCHEMA_VERSION } from '../../src/backend/store/postgres-migrations.js';
import { createPostgresStore } from '../../src/backend/store/postgres-store.js';
import { StoreAdminError, StoreOpenError } from '../../src/backend/store/store-errors.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import {
  createTestSchema,
  postgresUnavailable,
  startTcpProxy,
  urlForSchema,
  viaProxy,
  withPgClient,
} from './postgres-fixtures.js';
import { addUser, FAST_SCRYPT, newCall, openTestStore, PASSWORD, removeTempDirs } from './store-fixtures.js';

const unavailable = await postgresUnavailable();
if (unavailable) process.stderr.write(`skipping the PostgreSQL store tests: ${unavailable}\n`);
const describePg = unavailable ? describe.skip : describe;

afterAll(removeTempDirs);

async function openError(open: () => Promise<StoreBackend>): Promise<StoreOpenError> {
  try {
    await (await open()).close();
  } catch (error) {
    if (error instanceof StoreOpenError) return error;
    throw error;
  }
  throw new Error('the store opened');
}

const inSchema = <T>(schema: string, sql: string): Promise<T[]> =>
  withPgClient(async (client) => (await client.query(sql)).rows as T[], urlForSchema(schema).href);

describePg('PostgreSQL store: opening and migrations', () => {
  it('migrates a fresh schema once when several instances start together, and they share one signing key', async () => {
    const schema = await createTestSchema();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openTestStore({ url: schema.url, engine: 'postgres' })),
    );
    expect(stores.map((store) => store.schemaVersion)).toEqual(Array(4).fill(POSTGRES_SCHEMA_VERSION));
    expect(await inSchema(schema.name, 'SELECT version FROM store_schema')).toEqual([
      { version: POSTGRES_SCHEMA_VERSION },
    ]);
    expect(await inSchema(schema.name, "SELECT count(*)::int AS n FROM meta WHERE key = 'org_id'")).toEqual([
      { n: 1 },
    ]);
    // A token minted through one instance is honoured by every other one.
    const [first, ...others] = stores as [StoreBackend, ...StoreBackend[]];
    const { name, token } = await addUser(first);
    for (const other of others) {
      expect(await other.getMfaStatus(newCall(token))).toMatchObject({ ok: true, value: { username: name } });
    }
    await Promise.all(stores.map((store) => store.close()));
  });

  it('keeps one signing key per store: another store’s tokens are refused', async () => {
    const mine = await openTestStore({ engine: 'postgres' });
    const theirs = await openTestStore({ engine: 'postgres' });
    const { name } = await addUser(theirs);
    await addUser(mine, { name });
    const theirToken = await theirs.admin.mintToken(name);
    expect(await mine.getMfaStatus(newCall(theirToken))).toMatchObject({
      ok: false,
      failure: { code: 'UNAUTHENTICATED' },
    });
    await Promise.all([mine.close(), theirs.close()]);
  });

  it('refuses a schema a newer program migrated, and leaves it as it is', async () => {
    const schema = await createTestSchema();
    await (await openTestStore({ url: schema.url })).close();
    await inSchema(schema.name, `UPDATE store_schema SET version = ${POSTGRES_SCHEMA_VERSION + 1}`);
    const error = await openError(() => openTestStore({ url: schema.url }));
    expect(error.code).toBe('STORE_SCHEMA_TOO_NEW');
    expect(await inSchema(schema.name, 'SELECT version FROM store_schema')).toEqual([
      { version: POSTGRES_SCHEMA_VERSION + 1 },
    ]);
  });

  it('refuses a schema whose tables belong to another program', async () => {
    const schema = await createTestSchema();
    await inSchema(schema.name, 'CREATE TABLE principals (id integer PRIMARY KEY, email text)');
    expect((await openError(() => openTestStore({ url: schema.url }))).code).toBe('STORE_CORRUPT');
  });

  it('refuses a role that may read but not write, at start', async () => {
    const schema = await createTestSchema();
    await (await openTestStore({ url: schema.url })).close();
    const role = `mfa_reader_${randomBytes(6).toString('hex')}`;
    await withPgClient(async (client) => {
      await client.query(`CREATE ROLE ${role} LOGIN`);
      await client.query(`GRANT USAGE ON SCHEMA ${schema.name} TO ${role}`);
      await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema.name} TO ${role}`);
    });
    try {
      const asReader = new URL(schema.url.href);
      asReader.username = role;
      expect((await openError(() => openTestStore({ url: asReader }))).code).toBe('STORE_READ_ONLY');
    } finally {
      await withPgClient(async (client) => {
        await client.query(`DROP OWNED BY ${role}`);
        await client.query(`DROP ROLE ${role}`);
      });
    }
  });

  it('answers STORE_UNAVAILABLE for a server that does not answer, without the password in the message', async () => {
    const proxy = await startTcpProxy();
    await proxy.cut();
    const url = new URL(`postgres://postgres:sekrit-pw@127.0.0.1:${proxy.port}/test`);
    const error = await openError(() =>
      createPostgresStore({ url, scryptParams: FAST_SCRYPT, connectTimeoutMs: 1000 }),
    );
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.message).not.toContain('sekrit-pw');
    expect(error.path).toBe(`postgres://postgres@127.0.0.1:${proxy.port}/test`);
  });

  it('keeps the audit trail append-only', async () => {
    const schema = await createTestSchema();
    const store = await openTestStore({ url: schema.url });
    await addUser(store);
    await store.close();
    for (const sql of [
      'UPDATE audit_events SET username = 1',
      'DELETE FROM audit_events',
      'TRUNCATE audit_events',
    ]) {
      await expect(inSchema(schema.name, sql)).rejects.toMatchObject({ code: 'P0001' });
    }
  });
});

describePg('PostgreSQL store: another connection holding a row lock', () => {
  it('answers UPSTREAM_UNAVAILABLE with a retry hint and records nothing; reads go on; admin steps give STORE_LOCKED', async () => {
    const schema = await createTestSchema();
    const store = await openTestStore({ url: schema.url, lockWaitMs: 200 });
    const { name, token } = await addUser(store);
    const { id } = await store.admin.getPrincipal(name);
    await withPgClient(async (holder) => {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM ${schema.name}.principals WHERE id = $1 FOR UPDATE`, [id]);
      for (const password of [PASSWORD, 'not the password']) {
        const call = newCall(token);
        // The same answer whether the password matched or not: a locked row is no password oracle.
        expect(await store.updateMfa({ ...call, password, turnedOn: true })).toEqual({
          ok: false,
          failure: { code: 'UPSTREAM_UNAVAILABLE', requestId: call.requestId, retryAfterSeconds: 1 },
        });
      }
      expect(await store.getMfaStatus(newCall(token))).toMatchObject({
        ok: true,
        value: { turnedOn: false },
      });
      await expect(store.admin.deactivateDevice(name)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
      await holder.query('ROLLBACK');
    });
    expect((await store.admin.readAudit({ name })).map((event) => event.action)).toEqual(['MFA_ACTIVATION']);
    expect(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true })).toMatchObject({
      ok: true,
    });
    await store.close();
  });
});

describePg('PostgreSQL store: the database going away', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let store: StoreBackend;
  const logged: string[] = [];

  beforeAll(async () => {
    proxy = await startTcpProxy();
    const schema = await createTestSchema();
    const url = viaProxy(schema.url, proxy);
    url.password = 'unused-by-trust-auth';
    store = await createPostgresStore({
      url,
      scryptParams: FAST_SCRYPT,
      connectTimeoutMs: 1000,
      logger: {
        error: (details, message) =>
          logged.push(`${message} ${JSON.stringify(details)} ${String(details.err)}`),
        warn: (details, message) => logged.push(`${message} ${JSON.stringify(details)}`),
      },
    });
  });

  afterAll(async () => {
    await store.close();
    await proxy.cut();
  });

  it('answers UPSTREAM_UNAVAILABLE and is not ready while it is gone, and serves again once it is back', async () => {
    const { token } = await addUser(store);
    await proxy.cut();
    const call = newCall(token);
    expect(await store.updateMfa({ ...call, password: PASSWORD, turnedOn: true })).toEqual({
      ok: false,
      failure: { code: 'UPSTREAM_UNAVAILABLE', requestId: call.requestId },
    });
    expect(await store.isReady()).toBe(false);
    await expect(store.admin.countPrincipals()).rejects.toBeInstanceOf(StoreAdminError);
    await proxy.restore();
    expect(await store.isReady()).toBe(true);
    expect(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true })).toEqual({
      ok: true,
      value: { turnedOn: true },
    });
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain('unused-by-trust-auth');
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain(token);
    }
  });
});
