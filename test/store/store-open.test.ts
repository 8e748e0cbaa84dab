import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import { SCHEMA_VERSION } from '../../src/backend/store/sqlite-migrations.js';
import { StoreOpenError } from '../../src/backend/store/store-errors.js';
import {
  addUser,
  FAST_SCRYPT,
  makeTempDir,
  newCall,
  openTestStore,
  PASSWORD,
  removeTempDirs,
} from './store-fixtures.js';

afterAll(removeTempDirs);

const asRoot = process.getuid?.() === 0;

/** Root ignores permission bits; it needs `chattr +i`, which some file systems and containers refuse. */
function canMakeReadOnly(): boolean {
  if (!asRoot) return true;
  const probe = path.join(tmpdir(), `mfa-store-chattr-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}
const itWhenReadOnlyPossible = canMakeReadOnly() ? it : it.skip;

async function openError(storePath: string, keyPath?: string): Promise<StoreOpenError> {
  try {
    const store = await createSqliteStore({ path: storePath, keyPath, scryptParams: FAST_SCRYPT });
    await store.close();
  } catch (error) {
    if (error instanceof StoreOpenError) return error;
    throw error;
  }
  throw new Error('the store opened');
}

describe('store durability', () => {
  it('keeps principals, MFA state and audit events across close and reopen', async () => {
    const storePath = path.join(await makeTempDir(), 'nested', 'folder', 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    const { name, token } = await addUser(store);
    await store.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: true });
    await store.close();

    const reopened = await openTestStore({ path: storePath });
    expect((await reopened.admin.getPrincipal(name)).mfa).toEqual({
      activated: true,
      turnedOn: true,
      deviceName: 'Phone',
    });
    expect((await reopened.admin.readAudit({ name })).map((event) => event.action)).toEqual([
      'MFA_ENABLE',
      'MFA_ACTIVATION',
    ]);
    expect((await reopened.updateMfa({ ...newCall(token), password: PASSWORD, turnedOn: false })).ok).toBe(
      true,
    );
    await reopened.close();
  });

  it('creates the database file with mode 0600 and uses WAL', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    await store.close();
    expect((await stat(storePath)).mode & 0o777).toBe(0o600);
    const db = new Database(storePath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps the audit trail append-only in the database itself', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    await addUser(store);
    await store.close();
    const db = new Database(storePath);
    expect(() => db.exec("UPDATE audit_events SET action = 'MFA_DISABLE'")).toThrow();
    expect(() => db.exec('DELETE FROM audit_events')).toThrow();
    expect(() => db.exec('UPDATE principals SET mfa_turned_on = 1, mfa_activated = 0')).toThrow();
    db.close();
  });
});

describe('store migrations', () => {
  it('records the schema version in user_version', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    await store.close();
    const db = new Database(storePath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('migrates an existing empty SQLite database from version 0', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    new Database(storePath).close();
    const store = await openTestStore({ path: storePath });
    await addUser(store);
    expect(await store.admin.countPrincipals()).toBe(1);
    await store.close();
  });

  it('refuses a database from a newer schema with STORE_SCHEMA_TOO_NEW and leaves it untouched', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const db = new Database(storePath);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect((await openError(storePath)).code).toBe('STORE_SCHEMA_TOO_NEW');
    const after = new Database(storePath, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    after.close();
  });
});

describe('store open failures', () => {
  it('gives STORE_CORRUPT for a file that is not a database', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    await writeFile(
      storePath,
      'this is not a database, just text that is long enough to fill a header. '.repeat(20),
    );
    const error = await openError(storePath);
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.path).toBe(storePath);
    expect(error.message).not.toMatch(/\n/u);
  });

  it('gives STORE_CORRUPT for a database whose pages were damaged', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    for (let i = 0; i < 20; i += 1)
      await store.admin.addPrincipal({ kind: 'service-account', name: `robot-${i}` });
    await store.close();
    const bytes = await readFile(storePath);
    // Keep the 100-byte header and the first page's b-tree header, scramble the rest of the file.
    for (let i = 4096; i < bytes.length; i += 1) bytes[i] = (i * 7919) & 0xff;
    await writeFile(storePath, bytes);
    expect((await openError(storePath)).code).toBe('STORE_CORRUPT');
  });

  it('gives STORE_UNAVAILABLE when a folder is in the way', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    await mkdir(storePath);
    expect((await openError(storePath)).code).toBe('STORE_UNAVAILABLE');
  });

  itWhenReadOnlyPossible('gives STORE_READ_ONLY for a file that cannot be written', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    await store.close();
    await chmod(storePath, 0o444);
    if (asRoot) execFileSync('chattr', ['+i', storePath]);
    try {
      expect((await openError(storePath)).code).toBe('STORE_READ_ONLY');
    } finally {
      if (asRoot) execFileSync('chattr', ['-i', storePath]);
    }
  });

  it('gives STORE_KEY_INVALID when the signing key file holds no key', async () => {
    const dir = await makeTempDir();
    const keyPath = path.join(dir, 'key.pem');
    await writeFile(keyPath, 'not a key');
    expect((await openError(path.join(dir, 'store.sqlite'), keyPath)).code).toBe('STORE_KEY_INVALID');
  });

  it('opens a second connection to the same file (server and CLI at once)', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const server = await openTestStore({ path: storePath });
    const cli = await openTestStore({ path: storePath });
    const { token } = await addUser(cli);
    expect((await server.getMfaStatus(newCall(token))).ok).toBe(true);
    await Promise.all([server.close(), cli.close()]);
  });
});
