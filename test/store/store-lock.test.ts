/**
 * Another connection holding the store's lock (a store command, a sqlite3 shell, a backup): the
 * process keeps serving while a call waits, and a lock that outlasts the wait is a typed answer.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { CSP_MFA_PATH } from '../../src/backend/csp/csp-paths.js';
import { createCspSimulator } from '../../src/backend/store/csp-simulator.js';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import type { StoreLogger } from '../../src/backend/store/store-options.js';
import { StoreAdminError, StoreOpenError } from '../../src/backend/store/store-errors.js';
import { startGateway } from '../helpers/gateway.js';
import { MY_MFA, UPDATE_MY_MFA } from '../helpers/operations.js';
import { addUser, makeTempDir, newCall, openTestStore, PASSWORD, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

/** A second connection to the store file, as a sqlite3 shell would hold it. */
function holdWriteLock(storePath: string): { release(): void } {
  const holder = new Database(storePath);
  holder.exec('BEGIN IMMEDIATE');
  return {
    release() {
      holder.exec('ROLLBACK');
      holder.close();
    },
  };
}

/**
 * A connection that locks out readers too (`locking_mode = EXCLUSIVE` after a write), which it can
 * only get while no other connection has the file open.
 */
function holdExclusiveLock(storePath: string): { release(): void } {
  const holder = new Database(storePath);
  holder.pragma('locking_mode = EXCLUSIVE');
  holder.exec("BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'org_id'; COMMIT");
  return { release: () => holder.close() };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(5);
  }
}

/** A store logger that records what it was told, in order. */
function recordingLogger(): StoreLogger & { lines: { level: string; details: Record<string, unknown> }[] } {
  const lines: { level: string; details: Record<string, unknown> }[] = [];
  return {
    lines,
    error: (details) => lines.push({ level: 'error', details }),
    warn: (details) => lines.push({ level: 'warn', details }),
    debug: (details) => lines.push({ level: 'debug', details }),
  };
}

const isWaiting = (line: string): boolean => {
  try {
    return (JSON.parse(line) as { storeLock?: unknown }).storeLock === 'waiting';
  } catch {
    return false;
  }
};

interface UpdateAnswer {
  updateMyMfa: { __typename: string; code?: string; turnedOn?: boolean };
}

describe('gateway with its store locked by another process', () => {
  it('keeps /health answering, answers MfaUpstreamUnavailableError before the lock is released, and loses nothing', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const admin = await createSqliteStore({ path: storePath });
    const { name, token } = await addUser(admin);
    await admin.close();
    const gateway = await startGateway({ MFA_STORE_PATH: storePath });
    const auth = { 'csp-auth-token': token };
    try {
      const before = await gateway.graphql<UpdateAnswer>(
        UPDATE_MY_MFA,
        { input: { password: PASSWORD, turnedOn: true } },
        auth,
      );
      expect(before.body.data?.updateMyMfa).toMatchObject({ __typename: 'MfaStatus', turnedOn: true });

      const lock = holdWriteLock(storePath);
      let released = false;
      let updateSettled = false;
      const update = gateway
        .graphql<UpdateAnswer>(UPDATE_MY_MFA, { input: { password: PASSWORD, turnedOn: false } }, auth)
        .then((answer) => ({ answer, lockHeld: !released }))
        .finally(() => {
          updateSettled = true;
        });
      try {
        // Once the update has met the lock, the process must go on serving while it waits.
        await until(() => gateway.logs.some(isWaiting), 'the update to meet the lock');
        const health = await fetch(`${gateway.url}/health`);
        expect({ status: health.status, updateSettled }).toEqual({ status: 200, updateSettled: false });
        // A held write lock does not stop readers (WAL).
        const read = await gateway.graphql<{ myMfa: { __typename: string; turnedOn?: boolean } }>(
          MY_MFA,
          {},
          auth,
        );
        expect(read.body.data?.myMfa).toMatchObject({ __typename: 'MfaStatus', turnedOn: true });

        const { answer, lockHeld } = await update;
        expect(answer.body.data?.updateMyMfa).toMatchObject({
          __typename: 'MfaUpstreamUnavailableError',
          code: 'UPSTREAM_UNAVAILABLE',
        });
        expect(lockHeld).toBe(true);
      } finally {
        lock.release();
        released = true;
      }

      const after = await gateway.graphql<UpdateAnswer>(
        UPDATE_MY_MFA,
        { input: { password: PASSWORD, turnedOn: false } },
        auth,
      );
      expect(after.body.data?.updateMyMfa).toMatchObject({ __typename: 'MfaStatus', turnedOn: false });
    } finally {
      await gateway.close();
    }

    const reopened = await createSqliteStore({ path: storePath });
    try {
      expect((await reopened.admin.getPrincipal(name)).mfa.turnedOn).toBe(false);
      // Every answered change has its event, the refused one none.
      expect((await reopened.admin.readAudit({ name })).map((event) => event.action).reverse()).toEqual([
        'MFA_ACTIVATION',
        'MFA_ENABLE',
        'MFA_DISABLE',
      ]);
    } finally {
      await reopened.close();
    }
  });
});

describe('store calls while another connection holds the lock', () => {
  it('answers UPSTREAM_UNAVAILABLE with a retry hint, records nothing, and logs the lock without a secret', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const logger = recordingLogger();
    const store = await openTestStore({ path: storePath, lockWaitMs: 200, logger });
    const { name, token } = await addUser(store);
    const lock = holdWriteLock(storePath);
    try {
      for (const password of [PASSWORD, 'not the password']) {
        const call = newCall(token);
        const outcome = await store.updateMfa({ ...call, password, turnedOn: true });
        // The same answer whether the password matched or not: a locked store is no password oracle.
        expect(outcome).toEqual({
          ok: false,
          failure: { code: 'UPSTREAM_UNAVAILABLE', requestId: call.requestId, retryAfterSeconds: 1 },
        });
      }
    } finally {
      lock.release();
    }
    expect((await store.admin.readAudit({ name })).map((event) => event.action)).toEqual(['MFA_ACTIVATION']);
    expect((await store.admin.getPrincipal(name)).mfa.turnedOn).toBe(false);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    // The second refusal falls in the first one's reporting interval: one warning, not one per call.
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(JSON.stringify(logger.lines)).not.toContain(PASSWORD);
    expect(JSON.stringify(logger.lines)).not.toContain(token);
    await store.close();
  });

  it('keeps the event loop turning while it waits, and completes once the lock is released', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const logger = recordingLogger();
    const store = await openTestStore({ path: storePath, lockWaitMs: 30_000, logger });
    const { name, token } = await addUser(store);
    const lock = holdWriteLock(storePath);
    const pending = store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true });
    await until(
      () => logger.lines.some((line) => line.details.storeLock === 'waiting'),
      'the update to meet the lock',
    );
    // This test runs on the same thread: it can only release the lock if the store is not asleep in SQLite.
    await sleep(20);
    lock.release();
    expect(await pending).toEqual({ ok: true, value: { turnedOn: true } });
    expect((await store.admin.readAudit({ name })).map((event) => event.action)).toEqual([
      'MFA_ENABLE',
      'MFA_ACTIVATION',
    ]);
    await store.close();
  });

  it('makes the CSP simulator answer 503 with Retry-After', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath, lockWaitMs: 100 });
    const { token } = await addUser(store);
    const simulator = createCspSimulator({ store });
    const url = await simulator.listen(0);
    const lock = holdWriteLock(storePath);
    try {
      const response = await fetch(`${url}${CSP_MFA_PATH}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'csp-auth-token': token },
        body: JSON.stringify({ password: PASSWORD, turnedOn: true }),
      });
      expect({ status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({
        status: 503,
        retryAfter: '1',
      });
      expect(await response.json()).toMatchObject({ errorCode: 'UPSTREAM_UNAVAILABLE' });
    } finally {
      lock.release();
      await simulator.close();
      await store.close();
    }
  });

  it('refuses an admin step with STORE_LOCKED once the lock outlasts its wait', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath, lockWaitMs: 100 });
    const { name } = await addUser(store, { activated: false });
    const lock = holdWriteLock(storePath);
    let code = 'no error';
    try {
      await store.admin.activateDevice(name, 'Phone');
    } catch (error) {
      code = error instanceof StoreAdminError ? error.code : String(error);
    } finally {
      lock.release();
    }
    expect(code).toBe('STORE_LOCKED');
    expect((await store.admin.activateDevice(name, 'Phone')).mfa.activated).toBe(true);
    await store.close();
  });
});

describe('opening a store another process has locked', () => {
  it('throws StoreOpenError STORE_LOCKED, and opens once the lock is released', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    await (await openTestStore({ path: storePath })).close();
    const lock = holdExclusiveLock(storePath);
    let code = 'no error';
    try {
      await (await openTestStore({ path: storePath, lockWaitMs: 100 })).close();
    } catch (error) {
      code = error instanceof StoreOpenError ? error.code : String(error);
    } finally {
      lock.release();
    }
    expect(code).toBe('STORE_LOCKED');
    const store = await openTestStore({ path: storePath, lockWaitMs: 100 });
    expect(await store.admin.countPrincipals()).toBe(0);
    await store.close();
  });
});
