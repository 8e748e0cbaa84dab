import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { StoreLogger } from '../../src/backend/store/index.js';
import { addUser, makeTempDir, newCall, openTestStore, PASSWORD, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

describe('store fault reporting and atomicity', () => {
  it('accepts a pino logger', () => {
    const logger: StoreLogger = pino({ enabled: false });
    expect(typeof logger.error).toBe('function');
  });

  it('answers UNEXPECTED, rolls the change back and logs the cause without the password or token', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const logged: string[] = [];
    const store = await openTestStore({
      path: storePath,
      logger: {
        error: (details, message) =>
          logged.push(
            `${message} ${JSON.stringify(details, Object.getOwnPropertyNames(details))} ${String(details.err)}`,
          ),
      },
    });
    const { name, token } = await addUser(store);
    // Sabotage from outside: another connection renames the table the store writes its events to.
    const saboteur = new Database(storePath);
    saboteur.exec('ALTER TABLE audit_events RENAME TO audit_events_gone');
    saboteur.close();

    const call = newCall(token);
    const outcome = await store.updateMfa({ ...call, password: PASSWORD, turnedOn: true });
    expect(outcome).toEqual({ ok: false, failure: { code: 'UNEXPECTED', requestId: call.requestId } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(call.requestId);
    expect(logged[0]).not.toContain(PASSWORD);
    expect(logged[0]).not.toContain(token);
    // The event could not be written, so the change it records was rolled back with it.
    expect((await store.admin.getPrincipal(name)).mfa.turnedOn).toBe(false);
    await store.close();
  });
});
