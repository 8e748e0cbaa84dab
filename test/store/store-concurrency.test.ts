import { afterAll, describe, expect, it } from '@jest/globals';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import {
  addUser,
  newCall,
  newTestLocation,
  openTestStore,
  PASSWORD,
  removeTempDirs,
  testEngines,
} from './store-fixtures.js';

afterAll(removeTempDirs);

/** The principal's MFA_ENABLE / MFA_DISABLE events, oldest first. */
async function flips(store: StoreBackend, name: string): Promise<string[]> {
  return (await store.admin.readAudit({ name, limit: 1000 }))
    .reverse()
    .map((event) => event.action)
    .filter((action) => action === 'MFA_ENABLE' || action === 'MFA_DISABLE');
}

describe.each(await testEngines())('%s store concurrent updates', (engine) => {
  it('leaves a consistent row and exactly one audit event per effective change after 50 alternating updates', async () => {
    const store = await openTestStore({ engine });
    const { name, token } = await addUser(store);

    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: i % 2 === 0 }),
      ),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const final = (await store.admin.getPrincipal(name)).mfa;
    const events = await flips(store, name);
    await store.close();

    // Every event is a real flip: starting from off, the actions strictly alternate, and the last one is the row's state.
    expect(events.length).toBeGreaterThan(0);
    events.forEach((action, i) => expect(action).toBe(i % 2 === 0 ? 'MFA_ENABLE' : 'MFA_DISABLE'));
    expect(final.turnedOn).toBe(events.at(-1) === 'MFA_ENABLE');
    expect(final.activated).toBe(true);
  });

  it('serialises updates from two connections to one store', async () => {
    const location = await newTestLocation(engine);
    const first = await openTestStore({ engine, ...location });
    const second = await openTestStore({ engine, ...location });
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
    const actions = await flips(first, name);
    actions.forEach((action, i) => expect(action).toBe(i % 2 === 0 ? 'MFA_ENABLE' : 'MFA_DISABLE'));
    expect((await first.admin.getPrincipal(name)).mfa.turnedOn).toBe(actions.at(-1) === 'MFA_ENABLE');
    await Promise.all([first.close(), second.close()]);
  });

  it('holds the failed-attempt limit across connections under a burst of wrong passwords', async () => {
    const location = await newTestLocation(engine);
    const handles = [
      await openTestStore({ engine, ...location }),
      await openTestStore({ engine, ...location }),
      await openTestStore({ engine, ...location }),
    ];
    const [first] = handles as [StoreBackend];
    const { name, token } = await addUser(first);
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (handles[i % handles.length] as StoreBackend).updateMfa({
          ...newCall(token),
          password: 'not the password',
          turnedOn: true,
        }),
      ),
    );
    const codes = outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.failure.code));
    // Counted from the audit trail under the row lock: five failures recorded, the rest refused unheard.
    expect(codes.filter((code) => code === 'WRONG_PASSWORD')).toHaveLength(5);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(55);
    const failures = (await first.admin.readAudit({ name })).filter(
      (event) => event.action === 'MFA_AUTHENTICATION_FAILURE',
    );
    expect(failures).toHaveLength(5);
    await Promise.all(handles.map((handle) => handle.close()));
  });
});
