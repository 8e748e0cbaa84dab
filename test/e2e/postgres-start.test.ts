/** Starting the gateway on a PostgreSQL store that cannot be used: one line, a typed code, no password. */
import { describe, expect, it } from '@jest/globals';
import { runToExit } from '../helpers/process.js';

describe('the gateway process on MFA_STORE_URL', () => {
  it('exits 1 with one line naming STORE_UNAVAILABLE, without the password, when the database does not answer', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const run = await runToExit({ MFA_STORE_URL: 'postgres://mfa:pw-never-shown@127.0.0.1:1/mfa' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Cannot open the embedded store \(STORE_UNAVAILABLE\): [^\n]*\n$/u);
    expect(run.stdout + run.stderr).not.toContain('pw-never-shown');
  });

  it('exits 2 when MFA_STORE_URL is set together with CSP_BASE_URL', async () => {
    const run = await runToExit({
      MFA_STORE_URL: 'postgres://mfa@127.0.0.1/mfa',
      CSP_BASE_URL: 'https://console.cloud.vmware.com',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/MFA_STORE_URL/u);
  });
});
