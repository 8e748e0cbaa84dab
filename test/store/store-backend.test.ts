import { afterAll, describe, expect, it } from '@jest/globals';
import type { MfaFailure, Outcome } from '../../src/backend/mfa-backend.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import {
  addUser,
  createClock,
  newCall,
  openTestStore as openEngineStore,
  PASSWORD,
  removeTempDirs,
  START_MS,
  testEngines,
  type TestStoreOptions,
} from './store-fixtures.js';

afterAll(removeTempDirs);

function failureOf<T>(outcome: Outcome<T>): MfaFailure {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.failure;
}

function valueOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected a success, got ${outcome.failure.code}`);
  return outcome.value;
}

const allTime = { startDate: 0, endDate: Date.UTC(2100, 0, 1) };

// The same behaviour on every database: the rules are shared, only the SQL differs.
describe.each(await testEngines())('%s', (engine) => {
  const openTestStore = (options: TestStoreOptions = {}) => openEngineStore({ engine, ...options });

  describe('store status read', () => {
    it('returns the principal status as CSP shapes it', async () => {
      const store = await openTestStore();
      const { name, token } = await addUser(store);
      expect(valueOf(await store.getMfaStatus(newCall(token)))).toEqual({
        activated: true,
        turnedOn: false,
        deviceName: 'Phone',
        username: name,
      });
      await store.close();
    });

    it('omits deviceName when no device is enrolled', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store, { activated: false });
      const status = valueOf(await store.getMfaStatus(newCall(token)));
      expect(status.activated).toBe(false);
      expect(status).not.toHaveProperty('deviceName');
      await store.close();
    });
  });

  describe('store MFA update', () => {
    it('turns MFA on and off, writing one audit event per change', async () => {
      const clock = createClock();
      const store = await openTestStore({ now: clock.now });
      const { token } = await addUser(store);
      expect(
        valueOf(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true })),
      ).toEqual({
        turnedOn: true,
      });
      expect(valueOf(await store.getMfaStatus(newCall(token))).turnedOn).toBe(true);
      clock.advance(1000);
      valueOf(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: false }));
      const page = valueOf(await store.getMfaAudit(newCall(token), allTime));
      expect(page.results.map((event) => event.action)).toEqual([
        'MFA_DISABLE',
        'MFA_ENABLE',
        'MFA_ACTIVATION',
      ]);
      await store.close();
    });

    it('succeeds without a new event when MFA is already in the asked state', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store);
      await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true });
      const again = await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true });
      expect(valueOf(again)).toEqual({ turnedOn: true });
      const page = valueOf(await store.getMfaAudit(newCall(token), allTime));
      expect(page.results.filter((event) => event.action === 'MFA_ENABLE')).toHaveLength(1);
      await store.close();
    });

    it('returns PASSWORD_REQUIRED for an empty password, with the call request id', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store);
      const call = newCall(token);
      const failure = failureOf(await store.updateMfa({ ...call, password: '', turnedOn: true }));
      expect(failure).toEqual({ code: 'PASSWORD_REQUIRED', requestId: call.requestId });
      await store.close();
    });

    it('returns WRONG_PASSWORD and records MFA_AUTHENTICATION_FAILURE without changing MFA', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store);
      const call = newCall(token);
      const failure = failureOf(await store.updateMfa({ ...call, password: 'not it', turnedOn: true }));
      expect(failure.code).toBe('WRONG_PASSWORD');
      expect(failure.requestId).toBe(call.requestId);
      expect(valueOf(await store.getMfaStatus(newCall(token))).turnedOn).toBe(false);
      const page = valueOf(await store.getMfaAudit(newCall(token), allTime));
      expect(page.results[0]?.action).toBe('MFA_AUTHENTICATION_FAILURE');
      await store.close();
    });

    it('returns CONFLICT when turning MFA on with no activated device, and changes nothing', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store, { activated: false });
      const failure = failureOf(
        await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true }),
      );
      expect(failure.code).toBe('CONFLICT');
      expect(valueOf(await store.getMfaStatus(newCall(token))).turnedOn).toBe(false);
      expect(valueOf(await store.getMfaAudit(newCall(token), allTime)).totalResults).toBe(0);
      await store.close();
    });

    it('allows turning MFA off with no activated device (nothing to conflict with)', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store, { activated: false });
      expect(
        valueOf(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: false })),
      ).toEqual({
        turnedOn: false,
      });
      await store.close();
    });

    it('returns WRONG_PASSWORD for a user that has no password at all', async () => {
      const store = await openTestStore();
      await store.admin.addPrincipal({ kind: 'user', name: 'nopass@example.com' });
      const token = await store.admin.mintToken('nopass@example.com');
      const failure = failureOf(
        await store.updateMfa({ ...newCall(token), password: 'anything', turnedOn: false }),
      );
      expect(failure.code).toBe('WRONG_PASSWORD');
      await store.close();
    });
  });

  describe('store failed-attempt guard', () => {
    it('returns RATE_LIMITED with retryAfterSeconds after too many wrong passwords, even for the right one', async () => {
      const clock = createClock();
      const store = await openTestStore({
        now: clock.now,
        maxFailedAttempts: 3,
        failedAttemptWindowMs: 60_000,
      });
      const { token } = await addUser(store);
      for (let i = 0; i < 3; i += 1) {
        expect(
          failureOf(await store.updateMfa({ ...newCall(token), password: 'wrong', turnedOn: true })).code,
        ).toBe('WRONG_PASSWORD');
        clock.advance(1000);
      }
      const limited = failureOf(
        await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true }),
      );
      expect(limited.code).toBe('RATE_LIMITED');
      expect(limited.retryAfterSeconds).toBe(57);
      clock.advance(58_000);
      expect((await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true })).ok).toBe(
        true,
      );
      await store.close();
    });

    it('never limits when the guard is turned off', async () => {
      const store = await openTestStore({ maxFailedAttempts: 0 });
      const { token } = await addUser(store);
      for (let i = 0; i < 6; i += 1)
        await store.updateMfa({ ...newCall(token), password: 'wrong', turnedOn: true });
      expect((await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true })).ok).toBe(
        true,
      );
      await store.close();
    });
  });

  describe('store verified-password cache', () => {
    it('accepts a repeated correct password, refuses wrong ones and forgets the old password after a change', async () => {
      const clock = createClock();
      const store = await openTestStore({ now: clock.now, passwordCacheTtlMs: 60_000, maxFailedAttempts: 0 });
      const { name, token } = await addUser(store);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: i % 2 === 0 }),
        ),
      );
      expect(results.every((outcome) => outcome.ok)).toBe(true);
      expect(
        failureOf(await store.updateMfa({ ...newCall(token), password: 'wrong', turnedOn: true })).code,
      ).toBe('WRONG_PASSWORD');
      await store.admin.setPassword(name, 'a brand new password');
      expect(
        failureOf(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true })).code,
      ).toBe('WRONG_PASSWORD');
      expect(
        (await store.updateMfa({ ...newCall(token), password: 'a brand new password', turnedOn: true })).ok,
      ).toBe(true);
      await store.close();
    });
  });

  describe('store authentication', () => {
    const operations: Record<string, (store: StoreBackend, token: string) => Promise<Outcome<unknown>>> = {
      updateMfa: (store, token) => store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true }),
      getMfaStatus: (store, token) => store.getMfaStatus(newCall(token)),
      getMfaAudit: (store, token) => store.getMfaAudit(newCall(token), allTime),
    };

    it.each(Object.keys(operations))(
      '%s returns UNAUTHENTICATED for a missing or garbage token',
      async (operation) => {
        const store = await openTestStore();
        const run = operations[operation];
        if (!run) throw new Error('unknown operation');
        expect(failureOf(await run(store, '')).code).toBe('UNAUTHENTICATED');
        expect(failureOf(await run(store, 'not-a-jwt')).code).toBe('UNAUTHENTICATED');
        await store.close();
      },
    );

    it.each(Object.keys(operations))(
      '%s returns NOT_FOUND for a valid token whose principal was removed',
      async (operation) => {
        const store = await openTestStore();
        const { name, token } = await addUser(store);
        await store.admin.removePrincipal(name);
        const run = operations[operation];
        if (!run) throw new Error('unknown operation');
        expect(failureOf(await run(store, token)).code).toBe('NOT_FOUND');
        await store.close();
      },
    );

    it.each(Object.keys(operations))(
      '%s returns SERVICE_ACCOUNT_NOT_ALLOWED for a service account',
      async (operation) => {
        const store = await openTestStore();
        await store.admin.addPrincipal({ kind: 'service-account', name: 'ci-robot' });
        const token = await store.admin.mintToken('ci-robot');
        const run = operations[operation];
        if (!run) throw new Error('unknown operation');
        expect(failureOf(await run(store, token)).code).toBe('SERVICE_ACCOUNT_NOT_ALLOWED');
        await store.close();
      },
    );

    it('returns NOT_FOUND for an old token after the user is removed and added again under the same name', async () => {
      const store = await openTestStore();
      const { name, token } = await addUser(store);
      await store.admin.removePrincipal(name);
      await addUser(store, { name });
      expect(failureOf(await store.getMfaStatus(newCall(token))).code).toBe('NOT_FOUND');
      await store.close();
    });
  });

  describe('store audit read', () => {
    async function storeWithHistory(): Promise<{ store: StoreBackend; token: string; otherToken: string }> {
      const clock = createClock();
      const store = await openTestStore({ now: clock.now });
      const { name, token } = await addUser(store);
      const other = await addUser(store);
      for (const turnedOn of [true, false, true, false]) {
        clock.advance(1000);
        valueOf(await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn }));
      }
      clock.advance(1000);
      await store.admin.activateDevice(name, 'Tablet');
      clock.advance(1000);
      return { store, token, otherToken: other.token };
    }

    it('returns only the caller’s events, newest first, in a CSP page', async () => {
      const { store, token } = await storeWithHistory();
      const page = valueOf(await store.getMfaAudit(newCall(token), allTime));
      expect(page.totalResults).toBe(6);
      expect(page.startIndex).toBe(1);
      expect(page.itemsPerPage).toBe(20);
      expect(page.results.map((event) => event.action)).toEqual([
        'MFA_DEVICE_NAME_UPDATE',
        'MFA_DISABLE',
        'MFA_ENABLE',
        'MFA_DISABLE',
        'MFA_ENABLE',
        'MFA_ACTIVATION',
      ]);
      const dates = page.results.map((event) => event.eventDate);
      expect([...dates].sort((a, b) => b - a)).toEqual(dates);
      expect(page.results[0]).toMatchObject({ details: { deviceName: 'Tablet' }, modifiedBy: 'store-admin' });
      expect(page.results[1]?.modifiedBy).toBe(page.results[1]?.username);
      await store.close();
    });

    it('filters by action, device name, event id and date range', async () => {
      const { store, token } = await storeWithHistory();
      const byAction = valueOf(
        await store.getMfaAudit(newCall(token), { ...allTime, actions: ['MFA_ENABLE'] }),
      );
      expect(byAction.totalResults).toBe(2);
      const byDevice = valueOf(
        await store.getMfaAudit(newCall(token), { ...allTime, deviceNames: ['Tablet'] }),
      );
      expect(byDevice.results.map((event) => event.action)).toEqual(['MFA_DEVICE_NAME_UPDATE']);
      const first = byAction.results[0];
      if (!first) throw new Error('no event');
      const byId = valueOf(
        await store.getMfaAudit(newCall(token), { ...allTime, eventIds: [first.eventId] }),
      );
      expect(byId.results).toEqual([first]);
      const window = valueOf(
        await store.getMfaAudit(newCall(token), { startDate: START_MS + 2000, endDate: START_MS + 3000 }),
      );
      expect(window.results.map((event) => event.action)).toEqual(['MFA_ENABLE', 'MFA_DISABLE']);
      await store.close();
    });

    it('pages with a 1-based pageStart and reports the total', async () => {
      const { store, token } = await storeWithHistory();
      const page = valueOf(
        await store.getMfaAudit(newCall(token), { ...allTime, pageStart: 2, pageLimit: 2 }),
      );
      expect(page).toMatchObject({ startIndex: 2, itemsPerPage: 2, totalResults: 6 });
      expect(page.results.map((event) => event.action)).toEqual(['MFA_DISABLE', 'MFA_ENABLE']);
      await store.close();
    });

    it('does not show another principal’s events', async () => {
      const { store, otherToken } = await storeWithHistory();
      const page = valueOf(await store.getMfaAudit(newCall(otherToken), allTime));
      expect(page.results.map((event) => event.action)).toEqual(['MFA_ACTIVATION']);
      await store.close();
    });

    it('refuses an invalid query with INVALID_REQUEST and the problem as errorCode', async () => {
      const clock = createClock();
      const store = await openTestStore({ now: clock.now });
      const { token } = await addUser(store);
      const failure = failureOf(
        await store.getMfaAudit(newCall(token), {
          startDate: START_MS + 60_000,
          endDate: START_MS + 120_000,
        }),
      );
      expect(failure).toEqual({
        code: 'INVALID_REQUEST',
        errorCode: 'START_IN_FUTURE',
        requestId: expect.any(String),
      });
      await store.close();
    });
  });

  describe('store lifecycle', () => {
    it('is ready while open and answers UPSTREAM_UNAVAILABLE once closed', async () => {
      const store = await openTestStore();
      const { token } = await addUser(store);
      expect(await store.isReady()).toBe(true);
      await store.close();
      await store.close();
      expect(await store.isReady()).toBe(false);
      const call = newCall(token);
      expect(failureOf(await store.getMfaStatus(call))).toEqual({
        code: 'UPSTREAM_UNAVAILABLE',
        requestId: call.requestId,
      });
    });

    it('reports itself as the store backend', async () => {
      const store = await openTestStore();
      expect(store.kind).toBe('store');
      await store.close();
    });
  });
});
