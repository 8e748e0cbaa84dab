import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { classifyToken } from '../../src/auth/token-claims.js';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import { runCli, type CliIo } from '../../src/backend/store/store-cli.js';
import { makeTempDir, newCall, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    readStdin: async () => options.stdin ?? '',
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

const storeIn = async (): Promise<string> => path.join(await makeTempDir(), 'store.sqlite');

describe('store CLI help', () => {
  it('lists every command with --help and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of [
      'add',
      'list',
      'remove',
      'set-password',
      'activate',
      'deactivate',
      'token',
      'audit',
    ]) {
      expect(run.stdout).toContain(`  ${command}`);
    }
  });

  it('shows one command’s usage with <command> --help and with help <command>', async () => {
    for (const argv of [
      ['token', '--help'],
      ['help', 'token'],
    ]) {
      const run = await cli(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^usage: store token <name>/u);
    }
  });

  it('exits 2 with one line for no command, an unknown command, an unknown flag or missing arguments', async () => {
    for (const argv of [[], ['frobnicate'], ['list', '--nope'], ['activate', 'only-one']]) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      if (argv.length > 0) expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('store CLI principals', () => {
  it('adds a user with a generated password that works, and lists it', async () => {
    const store = await storeIn();
    const added = await cli(['add', 'alice@example.com', '--store', store]);
    expect(added.code).toBe(0);
    const password = /^password: (\S+)$/mu.exec(added.stdout)?.[1];
    expect(password).toBeTruthy();
    expect(await cli(['activate', 'alice@example.com', 'Phone', '--store', store])).toMatchObject({
      code: 0,
    });
    const token = (await cli(['token', 'alice@example.com', '--store', store])).stdout.trim();

    const backend = await createSqliteStore({ path: store });
    const outcome = await backend.updateMfa({ ...newCall(token), password: password ?? '', turnedOn: true });
    await backend.close();
    expect(outcome.ok).toBe(true);

    const list = await cli(['list', '--json', '--store', store]);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        kind: 'user',
        name: 'alice@example.com',
        mfa: expect.objectContaining({ turnedOn: true }),
      }),
    ]);
  });

  it('takes a password from standard input and prints no password then', async () => {
    const store = await storeIn();
    const added = await cli(['add', 'bob@example.com', '--password-stdin', '--store', store], {
      stdin: 'typed-secret-value\n',
    });
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain('password:');
    expect(added.stdout).not.toContain('typed-secret-value');
  });

  it('adds a service account whose token classifies as one', async () => {
    const store = await storeIn();
    expect((await cli(['add', 'ci-robot', '--service-account', '--store', store])).code).toBe(0);
    const run = await cli(['token', 'ci-robot', '--store', store]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(classifyToken(run.stdout.trim(), 'strict').kind).toBe('service-account');
  });

  it('reads the store path from MFA_STORE_PATH', async () => {
    const store = await storeIn();
    await cli(['add', 'ci-robot', '--service-account'], { env: { MFA_STORE_PATH: store } });
    expect((await cli(['list', '--store', store])).stdout).toContain('ci-robot');
  });

  it('removes a principal', async () => {
    const store = await storeIn();
    await cli(['add', 'ci-robot', '--service-account', '--store', store]);
    expect((await cli(['remove', 'ci-robot', '--store', store])).code).toBe(0);
    expect((await cli(['list', '--store', store])).stdout).toBe('no principals\n');
  });

  it('sets a new password and prints it once', async () => {
    const store = await storeIn();
    await cli(['add', 'carol@example.com', '--store', store]);
    const run = await cli(['set-password', 'carol@example.com', '--store', store]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^password: \S+$/mu);
  });

  it('records activation and deactivation in the audit trail', async () => {
    const store = await storeIn();
    await cli(['add', 'dave@example.com', '--store', store]);
    await cli(['activate', 'dave@example.com', 'Phone', '--store', store]);
    await cli(['deactivate', 'dave@example.com', '--store', store]);
    const run = await cli(['audit', 'dave@example.com', '--json', '--store', store]);
    expect(run.code).toBe(0);
    const events = JSON.parse(run.stdout) as { action: string; modifiedBy: string }[];
    expect(events.map((event) => event.action)).toEqual(['MFA_DEACTIVATION', 'MFA_ACTIVATION']);
    expect(events[0]?.modifiedBy).toBe('store-admin');
  });
});

describe('store CLI errors', () => {
  it('exits 1 with one line naming the code for a duplicate or unknown principal', async () => {
    const store = await storeIn();
    await cli(['add', 'ci-robot', '--service-account', '--store', store]);
    const duplicate = await cli(['add', 'ci-robot', '--service-account', '--store', store]);
    expect(duplicate).toMatchObject({ code: 1 });
    expect(duplicate.stderr).toMatch(/^error: .*\[PRINCIPAL_EXISTS\]\n$/u);
    const unknown = await cli(['token', 'nobody', '--store', store]);
    expect(unknown.stderr).toMatch(/\[PRINCIPAL_NOT_FOUND\]\n$/u);
  });

  it('exits 1 with one line and no stack trace for a corrupted store file', async () => {
    const store = await storeIn();
    await writeFile(store, 'garbage '.repeat(100));
    const run = await cli(['list', '--store', store]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*\[STORE_CORRUPT\]\n$/u);
    expect(run.stderr).not.toContain('    at ');
  });

  it('never echoes a refused password', async () => {
    const store = await storeIn();
    const run = await cli(['add', 'eve@example.com', '--password-stdin', '--store', store], {
      stdin: `${'secret-'.repeat(200)}\n`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[INVALID_INPUT\]/u);
    expect(run.stderr).not.toContain('secret-');
  });

  it('exits 1 with one line naming INVALID_INPUT for a name with a bidi control or a zero-width character', async () => {
    const store = await storeIn();
    for (const name of ['alice\u202Emoc.elpmaxe@', 'ali\u200Bce@example.com']) {
      const run = await cli(['add', name, '--store', store]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: .*\[INVALID_INPUT\]\n$/u);
    }
    expect((await cli(['list', '--store', store])).stdout).toBe('no principals\n');
  });

  it('shows hidden characters of a name an older version let in as escapes, in text and in JSON', async () => {
    const store = await storeIn();
    await cli(['add', 'ci-robot', '--service-account', '--store', store]);
    const spoof = 'ci-robot\u202E';
    const db = new Database(store);
    db.prepare(
      "INSERT INTO principals (id, kind, name, created_at, updated_at) VALUES ('legacy-id', 'service-account', ?, 0, 0)",
    ).run(spoof);
    db.close();
    const text = await cli(['list', '--store', store]);
    expect(text.stdout).toContain('ci-robot\\u202e');
    expect(text.stdout).not.toContain('\u202E');
    const json = await cli(['list', '--json', '--store', store]);
    expect(json.stdout).not.toContain('\u202E');
    // The escape is JSON's own: a program reading the output gets the stored name back exactly.
    expect((JSON.parse(json.stdout) as { name: string }[]).map((record) => record.name)).toContain(spoof);
  });

  it('exits 1 with one line naming STORE_LOCKED while another process holds the lock, then works once it is released', async () => {
    const store = await storeIn();
    await cli(['add', 'ci-robot', '--service-account', '--store', store]);
    const holder = new Database(store);
    holder.exec('BEGIN IMMEDIATE');
    let locked: Run;
    try {
      locked = await cli(['add', 'other-robot', '--service-account', '--store', store]);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/^error: .*\[STORE_LOCKED\]\n$/u);
    expect((await cli(['add', 'other-robot', '--service-account', '--store', store])).code).toBe(0);
  });

  it('exits 2 for a token lifetime that is not a positive number', async () => {
    const store = await storeIn();
    await cli(['add', 'ci-robot', '--service-account', '--store', store]);
    expect((await cli(['token', 'ci-robot', '--ttl', '-5', '--store', store])).code).toBe(2);
  });
});
