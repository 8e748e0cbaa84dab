/** The store CLI against a PostgreSQL store: the same commands, picked by `--url` or `MFA_STORE_URL`. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli, type CliIo } from '../../src/backend/store/store-cli.js';
import { createTestSchema, postgresUnavailable } from './postgres-fixtures.js';
import { newCall, openTestStore, removeTempDirs } from './store-fixtures.js';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`skipping the store CLI's PostgreSQL tests: ${unavailable}`);
const describePg = unavailable ? describe.skip : describe;

afterAll(removeTempDirs);

async function cli(argv: string[], env: Record<string, string> = {}, stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    readStdin: async () => stdin,
  };
  return { code: await runCli(argv, io), stdout, stderr };
}

describePg('store CLI on PostgreSQL', () => {
  it('manages principals with --url, and a gateway-side store honours the token it mints', async () => {
    const { url } = await createTestSchema();
    const at = ['--url', url.href];
    expect(
      await cli(['add', 'alice@example.com', '--password-stdin', ...at], {}, 'alice-pw\n'),
    ).toMatchObject({
      code: 0,
    });
    expect((await cli(['activate', 'alice@example.com', 'Phone', ...at])).stdout).toContain('activated, off');
    expect((await cli(['add', 'robot', '--service-account', ...at])).code).toBe(0);
    const list = await cli(['list', '--json', ...at]);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { name: 'alice@example.com', mfa: { activated: true, deviceName: 'Phone' } },
      { name: 'robot', kind: 'service-account' },
    ]);
    const token = (await cli(['token', 'alice@example.com', ...at])).stdout.trim();

    const store = await openTestStore({ url });
    expect(await store.updateMfa({ ...newCall(token), password: 'alice-pw', turnedOn: true })).toEqual({
      ok: true,
      value: { turnedOn: true },
    });
    await store.close();

    const audit = await cli(['audit', 'alice@example.com', '--json', ...at]);
    expect(JSON.parse(audit.stdout).map((event: { action: string }) => event.action)).toEqual([
      'MFA_ENABLE',
      'MFA_ACTIVATION',
    ]);
    expect((await cli(['add', 'alice@example.com', ...at])).stderr).toContain('[PRINCIPAL_EXISTS]');
    expect((await cli(['remove', 'robot', ...at])).code).toBe(0);
  });

  it('reads MFA_STORE_URL when no flag names a store, before MFA_STORE_PATH', async () => {
    const { url } = await createTestSchema();
    const env = { MFA_STORE_URL: url.href, MFA_STORE_PATH: '/nonexistent/never-created.sqlite' };
    expect((await cli(['add', 'robot', '--service-account'], env)).code).toBe(0);
    expect((await cli(['list'], env)).stdout).toContain('robot');
  });

  it('exits 1 with one line, and no password, when the database does not answer', async () => {
    const run = await cli(['list', '--url', 'postgres://postgres:hunter2-pw@127.0.0.1:1/test']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*\[STORE_UNAVAILABLE\]\n$/u);
    expect(run.stderr).not.toContain('hunter2-pw');
  });
});

describe('store CLI store selection', () => {
  it('refuses --store with --url, and a URL that is not postgres://, with exit code 2', async () => {
    expect((await cli(['list', '--store', 'x.sqlite', '--url', 'postgres://h/db'])).code).toBe(2);
    const run = await cli(['list', '--url', 'mysql://user:pw-in-url@h/db']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('pw-in-url');
  });
});
