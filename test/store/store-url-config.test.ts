/** MFA_STORE_URL picks the PostgreSQL store; the setting is checked like every other one. */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';

describe('the store setting', () => {
  it('opens the SQLite file without MFA_STORE_URL', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.backend).toMatchObject({ kind: 'store', engine: 'sqlite' });
  });

  it('picks PostgreSQL with MFA_STORE_URL or --store-url, over MFA_STORE_PATH', () => {
    for (const [env, argv] of [
      [{ MFA_STORE_URL: 'postgres://mfa@db.example:5432/mfa', MFA_STORE_PATH: 'x.sqlite' }, []],
      [{}, ['--store-url', 'postgresql://mfa@db.example/mfa']],
    ] as const) {
      const result = loadConfig(env, argv);
      if (
        !result.ok ||
        result.config.backend.kind !== 'store' ||
        result.config.backend.engine !== 'postgres'
      ) {
        throw new Error(`expected the PostgreSQL store, got ${JSON.stringify(result)}`);
      }
      expect(result.config.backend.url.hostname).toBe('db.example');
    }
  });

  it('refuses a URL that is not postgres:// with one line that does not repeat it', () => {
    const result = loadConfig({ MFA_STORE_URL: 'mysql://mfa:pw-in-the-url@db.example/mfa' });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^MFA_STORE_URL /u);
    expect(errors.join('\n')).not.toContain('pw-in-the-url');
  });

  it('refuses MFA_STORE_URL together with CSP_BASE_URL: in CSP mode no store is used', () => {
    const result = loadConfig({
      CSP_BASE_URL: 'https://console.cloud.vmware.com',
      MFA_STORE_URL: 'postgres://mfa@db.example/mfa',
    });
    expect(result.ok ? [] : result.errors).toEqual([
      expect.stringMatching(/^MFA_STORE_URL needs CSP_BASE_URL unset/u),
    ]);
  });
});
