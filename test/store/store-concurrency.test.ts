import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { addUser, makeTempDir, newCall, openTestStore, PASSWORD, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

interface EventRow {
  readonly action: string;
}

describe('store concurrent updates', () => {
  it('leaves a consistent row and exactly one audit event per effective change after 50 alternating updates', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    const { name, token } = await addUser(store);

    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: i % 2 === 0 }),
      ),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const final = (await store.admin.getPrincipal(name)).mfa;
    await store.close();

    const db = new Database(storePath, { readonly: true });
    const events = db
      .prepare<[], EventRow>(
        "SELECT action FROM audit_events WHERE action IN ('MFA_ENABLE', 'MFA_DISABLE') ORDER BY seq",
      )
      .all()
      .map((row) => row.action);
    db.close();

    // Every event is a real flip: starting from off, the actions strictly alternate, and the last one is the row's state.
    expect(events.length).toBeGreaterThan(0);
    events.forEach((action, i) => expect(action).toBe(i % 2 === 0 ? 'MFA_ENABLE' : 'MFA_DISABLE'));
    expect(final.turnedOn).toBe(events.at(-1) === 'MFA_ENABLE');
    expect(final.activated).toBe(true);
  });

  it('serialises updates from two connections to one file', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const first = await openTestStore({ path: storePath });
    const second = await openTestStore({ path: storePath });
    const { name, token } = await addUser(first);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? first : second).updateMfa({
          ...newCall(token),
          password: PASSWORD,
          turnedOn: i % 4 < 2,
        }),
      ),
    );
    const actions = (await first.admin.readAudit({ name }))
      .reverse()
      .map((event) => event.action)
      .filter((action) => action === 'MFA_ENABLE' || action === 'MFA_DISABLE');
    actions.forEach((action, i) => expect(action).toBe(i % 2 === 0 ? 'MFA_ENABLE' : 'MFA_DISABLE'));
    expect((await first.admin.getPrincipal(name)).mfa.turnedOn).toBe(actions.at(-1) === 'MFA_ENABLE');
    await Promise.all([first.close(), second.close()]);
  });
});
