import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { delayed, json, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { runToExit, startProcess } from '../helpers/process.js';

let csp: FakeCsp;

beforeAll(async () => {
  csp = await startFakeCsp();
});

afterAll(async () => {
  await csp.close();
});

describe('the gateway process', () => {
  it('prints the settings for --help and exits 0', async () => {
    const run = await runToExit({}, ['--help']);
    expect(run.code).toBe(0);
    for (const name of ['CSP_BASE_URL', 'PORT', 'HOST', 'CSP_TIMEOUT_MS', 'LOG_LEVEL', 'MFA_STORE_PATH']) {
      expect(run.stdout).toContain(name);
    }
  });

  it('exits 2 with one clear line per bad setting', async () => {
    const run = await runToExit({ PORT: '99999', CSP_BASE_URL: 'not a url', CSP_TIMEOUT_MS: 'soon' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/PORT/);
    expect(run.stderr).toMatch(/CSP_BASE_URL/);
    expect(run.stderr).toMatch(/CSP_TIMEOUT_MS/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    csp.onPatch(delayed(400, json(200, { turnedOn: true })));
    const gateway = await startProcess({ CSP_BASE_URL: csp.url, LOG_LEVEL: 'info' });
    const inFlight = fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt() },
      body: JSON.stringify({ query: UPDATE_MY_MFA, variables: { input: { password: 'p', turnedOn: true } } }),
    });
    while (!csp.requests.some((r) => r.method === 'PATCH')) await new Promise((r) => setTimeout(r, 10));
    gateway.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { updateMyMfa: { __typename: 'MfaStatus', turnedOn: true } },
    });
    expect(await gateway.exited()).toBe(0);
    expect(gateway.stdout.join('')).toContain('stopped');
  });
});
