import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCspSimulatorCommand, type SimulatorCommandIo } from '../../src/backend/store/csp-sim-command.js';
import { CSP_MFA_PATH, CSP_MFA_STATUS_PATH } from '../../src/backend/csp/csp-paths.js';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import { DEMO_USERNAME, seedDemoIfEmpty } from '../../src/backend/store/demo-seed.js';
import { makeTempDir, newCall, openTestStore, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

function capture(): SimulatorCommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe('demo seeding', () => {
  it('creates a demo user with an activated device in an empty store, whose password turns MFA on', async () => {
    const store = await openTestStore();
    const demo = await seedDemoIfEmpty(store);
    expect(demo?.username).toBe(DEMO_USERNAME);
    const outcome = await store.updateMfa({
      ...newCall(demo?.token ?? ''),
      password: demo?.password ?? '',
      turnedOn: true,
    });
    expect(outcome.ok).toBe(true);
    expect(await seedDemoIfEmpty(store)).toBeNull();
    await store.close();
  });

  it('leaves a store with principals alone', async () => {
    const store = await openTestStore();
    await store.admin.addPrincipal({ kind: 'service-account', name: 'robot' });
    expect(await seedDemoIfEmpty(store)).toBeNull();
    expect(await store.admin.countPrincipals()).toBe(1);
    await store.close();
  });
});

describe('csp-sim command', () => {
  it('starts on a free port, seeds an empty store and prints the URL and a working demo token', async () => {
    const storePath = path.join(await makeTempDir(), 'sim.sqlite');
    const io = capture();
    const result = await runCspSimulatorCommand(['--port', '0', '--store', storePath], io);
    if (result.kind !== 'running') throw new Error(io.err());
    expect(io.out()).toContain(result.url);
    const token = io.out().trim().split('\n').at(-1) ?? '';
    const password = /with password (\S+)/u.exec(io.out())?.[1] ?? '';
    const status = await fetch(`${result.url}${CSP_MFA_STATUS_PATH}`, {
      headers: { 'csp-auth-token': token },
    });
    expect(status.status).toBe(200);
    const patch = await fetch(`${result.url}${CSP_MFA_PATH}`, {
      method: 'PATCH',
      headers: { 'csp-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ password, turnedOn: true }),
    });
    expect(patch.status).toBe(200);
    await result.stop();

    const again = capture();
    const second = await runCspSimulatorCommand(['--port', '0', '--store', storePath], again);
    if (second.kind !== 'running') throw new Error(again.err());
    expect(again.out()).not.toContain('demo token');
    await second.stop();
  });

  it('prints help and exits 0', async () => {
    const io = capture();
    expect(await runCspSimulatorCommand(['--help'], io)).toEqual({ kind: 'exit', code: 0 });
    expect(io.out()).toContain('--delay-ms');
  });

  it('exits 2 with one line for a bad flag or port', async () => {
    for (const argv of [['--port', 'eighty'], ['--port', '70000'], ['--bogus']]) {
      const io = capture();
      expect(await runCspSimulatorCommand(argv, io)).toEqual({ kind: 'exit', code: 2 });
      expect(io.err().trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 with the store error code for a corrupted store', async () => {
    const storePath = path.join(await makeTempDir(), 'sim.sqlite');
    await writeFile(storePath, 'garbage '.repeat(100));
    const io = capture();
    expect(await runCspSimulatorCommand(['--port', '0', '--store', storePath], io)).toEqual({
      kind: 'exit',
      code: 1,
    });
    expect(io.err()).toMatch(/^error: .*\[STORE_CORRUPT\]\n$/u);
  });

  it('leaves the store usable after stop', async () => {
    const storePath = path.join(await makeTempDir(), 'sim.sqlite');
    const io = capture();
    const result = await runCspSimulatorCommand(['--port', '0', '--store', storePath], io);
    if (result.kind !== 'running') throw new Error(io.err());
    await result.stop();
    const store = await createSqliteStore({ path: storePath });
    expect(await store.admin.countPrincipals()).toBe(1);
    await store.close();
  });
});
