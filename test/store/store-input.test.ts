import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import type { StoreBackend } from '../../src/backend/store/mfa-store.js';
import { StoreAdminError } from '../../src/backend/store/store-errors.js';
import { addUser, makeTempDir, newCall, openTestStore, PASSWORD, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

async function adminCode(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    if (error instanceof StoreAdminError) return error.code;
    throw error;
  }
  return 'no error';
}

function integrity(storePath: string): unknown {
  const db = new Database(storePath, { readonly: true });
  const result = db.pragma('integrity_check', { simple: true });
  db.close();
  return result;
}

describe('store input validation', () => {
  let storePath: string;
  let store: StoreBackend;

  beforeAll(async () => {
    storePath = path.join(await makeTempDir(), 'store.sqlite');
    store = await openTestStore({ path: storePath });
  });
  afterAll(async () => {
    await store.close();
  });

  it.each([
    ['an overlong username', 'a'.repeat(257)],
    ['an empty username', ''],
    ['a NUL byte', 'evil\u0000user'],
    ['a newline', 'two\nlines'],
    ['surrounding spaces', ' padded '],
  ])('refuses %s with INVALID_INPUT and stores nothing', async (_label, name) => {
    const before = store.admin.countPrincipals();
    expect(await adminCode(() => store.admin.addPrincipal({ kind: 'user', name, password: PASSWORD }))).toBe(
      'INVALID_INPUT',
    );
    expect(store.admin.countPrincipals()).toBe(before);
  });

  it.each([
    ['an empty password', ''],
    ['an overlong password', 'x'.repeat(1025)],
    ['a password with a NUL byte', `${PASSWORD}\u0000`],
  ])('refuses %s with INVALID_INPUT', async (_label, password) => {
    expect(
      await adminCode(() => store.admin.addPrincipal({ kind: 'user', name: 'pw@example.com', password })),
    ).toBe('INVALID_INPUT');
  });

  it('keeps unicode names and passwords exactly, whatever their normal form', async () => {
    const name = 'J\u00fcrgen.\u4f8b\u3048@example.com';
    const password = 'p\u00e4ssw\u00f6rd \ud83d\udd11';
    const { token } = await addUser(store, { name, password });
    expect(store.admin.getPrincipal(name).name).toBe(name);
    // The same password typed with decomposed umlauts still matches.
    const decomposed = password.normalize('NFD');
    expect(decomposed).not.toBe(password);
    expect((await store.updateMfa({ ...newCall(token), password: decomposed, turnedOn: true })).ok).toBe(
      true,
    );
  });

  it('answers WRONG_PASSWORD for NUL-laden or huge passwords without harm', async () => {
    const { token } = await addUser(store);
    for (const password of [`${PASSWORD}\u0000`, 'x'.repeat(100_000)]) {
      const outcome = await store.updateMfa({ ...newCall(token), password, turnedOn: true });
      expect(outcome).toMatchObject({ ok: false, failure: { code: 'WRONG_PASSWORD' } });
    }
  });

  it('refuses device names with control characters and service accounts with passwords', async () => {
    const { name } = await addUser(store, { activated: false });
    expect(await adminCode(() => store.admin.activateDevice(name, 'bad\u0000device'))).toBe('INVALID_INPUT');
    expect(
      await adminCode(() =>
        store.admin.addPrincipal({ kind: 'service-account', name: 'robot', password: PASSWORD }),
      ),
    ).toBe('NOT_A_USER');
  });

  it('refuses a duplicate name with PRINCIPAL_EXISTS and an unknown one with PRINCIPAL_NOT_FOUND', async () => {
    const { name } = await addUser(store);
    expect(await adminCode(() => store.admin.addPrincipal({ kind: 'service-account', name }))).toBe(
      'PRINCIPAL_EXISTS',
    );
    expect(await adminCode(() => store.admin.removePrincipal('nobody@example.com'))).toBe(
      'PRINCIPAL_NOT_FOUND',
    );
  });

  it('leaves a database that passes SQLite’s integrity check', async () => {
    expect(integrity(storePath)).toBe('ok');
  });
});
