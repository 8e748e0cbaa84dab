import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
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
    const before = await store.admin.countPrincipals();
    expect(await adminCode(() => store.admin.addPrincipal({ kind: 'user', name, password: PASSWORD }))).toBe(
      'INVALID_INPUT',
    );
    expect(await store.admin.countPrincipals()).toBe(before);
  });

  // Each of these can make one name pass for another in the CLI, the audit trail or a log line.
  it.each([
    ['a right-to-left override (U+202E)', 'alice\u202Emoc.elpmaxe@'],
    ['a left-to-right embedding (U+202A)', '\u202Aalice@example.com'],
    ['a pop directional formatting (U+202C)', 'alice\u202C@example.com'],
    ['a left-to-right isolate (U+2066)', 'alice\u2066@example.com'],
    ['a pop directional isolate (U+2069)', 'alice\u2069@example.com'],
    ['a left-to-right mark (U+200E)', 'alice\u200E@example.com'],
    ['a right-to-left mark (U+200F)', 'alice\u200F@example.com'],
    ['an Arabic letter mark (U+061C)', 'alice\u061C@example.com'],
    ['a zero-width space (U+200B)', 'ali\u200Bce@example.com'],
    ['a zero-width non-joiner (U+200C)', 'ali\u200Cce@example.com'],
    ['a zero-width joiner (U+200D)', 'ali\u200Dce@example.com'],
    ['a word joiner (U+2060)', 'ali\u2060ce@example.com'],
    ['a byte order mark (U+FEFF)', 'ali\uFEFFce@example.com'],
    ['a soft hyphen (U+00AD)', 'ali\u00ADce@example.com'],
    ['a Mongolian vowel separator (U+180E)', 'ali\u180Ece@example.com'],
    ['a tag character (U+E0041)', 'alice\u{E0041}@example.com'],
    ['a Hangul filler (U+3164)', 'alice\u3164@example.com'],
    ['a combining grapheme joiner (U+034F)', 'ali\u034Fce@example.com'],
    ['a variation selector (U+FE0F)', 'alice\uFE0F@example.com'],
    ['a no-break space (U+00A0)', 'alice\u00A0smith'],
    ['a line separator (U+2028)', 'alice\u2028@example.com'],
    ['a C1 control (U+0085)', 'alice\u0085@example.com'],
    ['a private-use character (U+E000)', 'alice\uE000@example.com'],
    ['a lone surrogate', 'alice\uD800@example.com'],
    ['a leading combining mark', '\u0301alice@example.com'],
  ])('refuses a name with %s with INVALID_INPUT and stores nothing', async (_label, name) => {
    const before = await store.admin.countPrincipals();
    for (const kind of ['user', 'service-account'] as const) {
      const password = kind === 'user' ? PASSWORD : undefined;
      expect({
        kind,
        code: await adminCode(() => store.admin.addPrincipal({ kind, name, password })),
      }).toEqual({
        kind,
        code: 'INVALID_INPUT',
      });
    }
    expect(await store.admin.countPrincipals()).toBe(before);
  });

  it('refuses a device name with a bidi control or a zero-width character', async () => {
    const { name } = await addUser(store, { activated: false });
    for (const device of ['Phone\u202E', 'Ph\u200Bone']) {
      expect(await adminCode(() => store.admin.activateDevice(name, device))).toBe('INVALID_INPUT');
    }
    expect((await store.admin.getPrincipal(name)).mfa.activated).toBe(false);
  });

  it('makes the composed and decomposed spellings of a name one principal (NFC)', async () => {
    const composed = 'j\u00f6rg.\u00c5se@example.com';
    const decomposed = composed.normalize('NFD');
    // U+212B ANGSTROM SIGN is canonically the same letter as U+00C5.
    const angstrom = 'j\u00f6rg.\u212Bse@example.com';
    expect(decomposed).not.toBe(composed);
    const { token } = await addUser(store, { name: decomposed });
    expect((await store.admin.getPrincipal(composed)).name).toBe(composed);
    for (const spelling of [composed, angstrom]) {
      expect(
        await adminCode(() => store.admin.addPrincipal({ kind: 'user', name: spelling, password: PASSWORD })),
      ).toBe('PRINCIPAL_EXISTS');
    }
    const status = await store.getMfaStatus(newCall(token));
    expect(status).toMatchObject({ ok: true, value: { username: composed } });
  });

  it('still finds and removes a principal whose name an older version let in', async () => {
    const legacy = 'admin\u200B';
    const db = new Database(storePath);
    db.prepare(
      "INSERT INTO principals (id, kind, name, created_at, updated_at) VALUES ('legacy-id', 'service-account', ?, 0, 0)",
    ).run(legacy);
    db.close();
    expect((await store.admin.getPrincipal(legacy)).name).toBe(legacy);
    await store.admin.removePrincipal(legacy);
    expect(await adminCode(() => store.admin.getPrincipal(legacy))).toBe('PRINCIPAL_NOT_FOUND');
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
    expect((await store.admin.getPrincipal(name)).name).toBe(name);
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
