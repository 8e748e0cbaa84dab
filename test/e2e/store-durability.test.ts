import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import { startProcess } from '../helpers/process.js';

const USERS = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
const UPDATE = `mutation($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename } }`;

let dir: string;
let file: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'durability-'));
  file = path.join(dir, 'mfa.sqlite');
  const store = await createSqliteStore({ path: file });
  for (const name of USERS) {
    await store.admin.addPrincipal({ kind: 'user', name, password: `pw-${name}` });
    await store.admin.activateDevice(name, 'phone');
    tokens.set(name, await store.admin.mintToken(name));
  }
  await store.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embedded store durability', () => {
  it('keeps every change answered with success after the serving process is killed with SIGKILL', async () => {
    const gateway = await startProcess({ MFA_STORE_PATH: file, LOG_LEVEL: 'info' });
    const acknowledged: string[] = [];
    const answers: string[] = [];
    const send = async (name: string) => {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'csp-auth-token': tokens.get(name) ?? '' },
        body: JSON.stringify({
          query: UPDATE,
          variables: { input: { password: `pw-${name}`, turnedOn: true } },
        }),
      });
      const body = (await response.json()) as { data?: { updateMyMfa?: { __typename: string } } };
      answers.push(body.data?.updateMyMfa?.__typename ?? JSON.stringify(body));
      if (body.data?.updateMyMfa?.__typename === 'MfaStatus') acknowledged.push(name);
    };
    // Traffic in flight on two connections; the kill lands after a few acknowledgements, mid-stream.
    const traffic = Promise.allSettled(USERS.map((name) => send(name)));
    const deadline = Date.now() + 20_000;
    while (acknowledged.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect({ acknowledged: acknowledged.length >= 3, answers }).toMatchObject({ acknowledged: true });
    gateway.child.kill('SIGKILL');
    await traffic;
    expect(await gateway.exited()).toBeNull();
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);

    const reopened = await createSqliteStore({ path: file });
    try {
      for (const name of acknowledged) {
        expect({ name, turnedOn: (await reopened.admin.getPrincipal(name)).mfa.turnedOn }).toEqual({
          name,
          turnedOn: true,
        });
        const events = (await reopened.admin.readAudit({ name })).map((e) => e.action);
        expect(events).toContain('MFA_ENABLE');
      }
    } finally {
      await reopened.close();
    }
  });
});
