import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { HELP_TEXT, loadConfig, SETTINGS } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies the defaults and picks the store without CSP_BASE_URL', () => {
    const result = loadConfig({});
    expect(result.ok && result.config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      logLevel: 'info',
      production: false,
      serviceAccountRule: 'strict',
      backend: { kind: 'store' },
    });
  });

  it('picks CSP when CSP_BASE_URL is set, keeping a path prefix', () => {
    const result = loadConfig({
      CSP_BASE_URL: 'https://console.cloud.vmware.com/prefix//',
      CSP_TIMEOUT_MS: '2500',
    });
    if (!result.ok || result.config.backend.kind !== 'csp') throw new Error('expected the CSP backend');
    expect(result.config.backend.baseUrl.href).toBe('https://console.cloud.vmware.com/prefix/');
    expect(result.config.backend.timeoutMs).toBe(2500);
  });

  it('lets flags win over the environment', () => {
    const result = loadConfig({ PORT: '1' }, ['--port', '2', '--log-level=warn']);
    expect(result.ok && result.config).toMatchObject({ port: 2, logLevel: 'warn' });
  });

  it('reports one message per bad value', () => {
    const result = loadConfig(
      {
        PORT: '-1',
        HOST: 'a b',
        LOG_LEVEL: 'loud',
        CSP_TIMEOUT_MS: '5',
        SERVICE_ACCOUNT_RULE: 'maybe',
        CSP_BASE_URL: 'https://u:p@x',
      },
      ['--bogus'],
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toHaveLength(7);
  });

  it.each([['http://localhost:8080'], ['http://127.0.0.1:9'], ['http://[::1]:9/prefix']])(
    'accepts a cleartext CSP_BASE_URL on loopback only: %j',
    (url) => {
      expect(loadConfig({ CSP_BASE_URL: url }).ok).toBe(true);
    },
  );

  it.each([
    ['ftp://x'],
    ['not a url'],
    ['https://x/?q=1'],
    ['http://console.cloud.vmware.com'],
    ['http://10.0.0.8:8080'],
  ])('refuses CSP_BASE_URL %j', (url) => {
    expect(loadConfig({ CSP_BASE_URL: url }).ok).toBe(false);
  });

  it('bounds slow clients by default', () => {
    const result = loadConfig({});
    expect(result.ok && result.config).toMatchObject({
      http: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 500,
      },
    });
  });

  it.each([
    [{ HEADERS_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '1000' }, 'REQUEST_TIMEOUT_MS'],
    [{ MAX_CONNECTIONS: '0' }, 'MAX_CONNECTIONS'],
    [{ HEADERS_TIMEOUT_MS: '0' }, 'HEADERS_TIMEOUT_MS'],
    [{ KEEP_ALIVE_TIMEOUT_MS: 'forever' }, 'KEEP_ALIVE_TIMEOUT_MS'],
  ])('refuses %j with one message naming %s', (env, name) => {
    const result = loadConfig(env);
    expect(result.ok ? [] : result.errors).toEqual([expect.stringContaining(name)]);
  });
});

describe('loadConfig: shutdown', () => {
  it('waits 10 s for in-flight requests and gives up on the whole stop 5 s later by default', () => {
    const result = loadConfig({});
    expect(result.ok && result.config).toMatchObject({ shutdownGraceMs: 10_000, shutdownTimeoutMs: 15_000 });
  });

  it('follows SHUTDOWN_GRACE_MS with the hard bound unless that is set too', () => {
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '20000' })).toMatchObject({
      ok: true,
      config: { shutdownGraceMs: 20_000, shutdownTimeoutMs: 25_000 },
    });
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '0', SHUTDOWN_TIMEOUT_MS: '1000' })).toMatchObject({
      ok: true,
      config: { shutdownGraceMs: 0, shutdownTimeoutMs: 1_000 },
    });
  });

  it('refuses a hard bound that is not longer than the grace period', () => {
    const result = loadConfig({ SHUTDOWN_GRACE_MS: '5000', SHUTDOWN_TIMEOUT_MS: '5000' });
    expect(result.ok ? [] : result.errors).toEqual([expect.stringContaining('SHUTDOWN_TIMEOUT_MS')]);
  });

  it('reports a bad SHUTDOWN_TIMEOUT_MS once, not again as too short', () => {
    const result = loadConfig({ SHUTDOWN_TIMEOUT_MS: 'soon' });
    expect(result.ok ? [] : result.errors).toHaveLength(1);
  });
});

describe('whole-number settings', () => {
  const ranged = Object.values(SETTINGS).flatMap((s) =>
    'range' in s ? [{ env: s.env, min: s.range[0], max: s.range[1] }] : [],
  );

  it.each(ranged)('$env: --help shows the range loadConfig enforces', ({ env, min, max }) => {
    expect(HELP_TEXT).toContain(`Range: ${min}..${max}.`);
    const above = loadConfig({ [env]: String(max + 1) });
    expect(above.ok).toBe(false);
    if (!above.ok) expect(above.errors.join('\n')).toContain(env);
    if (min > 0) expect(loadConfig({ [env]: String(min - 1) }).ok).toBe(false);
  });
});

describe('loadConfig: MFA_BACKEND_MODULE and WORKERS', () => {
  it('makes a module path absolute against the working directory, and keeps a package name as it is', () => {
    const relative = loadConfig({ MFA_BACKEND_MODULE: './backends/mine.js', CSP_TIMEOUT_MS: '2500' });
    expect(relative.ok && relative.config.backend).toEqual({
      kind: 'module',
      specifier: path.resolve('backends/mine.js'),
      timeoutMs: 2500,
    });
    const named = loadConfig({ MFA_BACKEND_MODULE: '@acme/mfa-backend' });
    expect(named.ok && named.config.backend).toMatchObject({
      kind: 'module',
      specifier: '@acme/mfa-backend',
    });
  });

  it('refuses a module together with CSP_BASE_URL', () => {
    const result = loadConfig({
      MFA_BACKEND_MODULE: './mine.js',
      CSP_BASE_URL: 'https://console.cloud.vmware.com',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toHaveLength(1);
  });

  it('lets CSP_JWKS_URL verify the tokens a module backend takes', () => {
    const result = loadConfig({
      MFA_BACKEND_MODULE: './mine.js',
      CSP_JWKS_URL: 'https://console.cloud.vmware.com/csp/gateway/am/api/auth/token-public-key?format=jwks',
    });
    expect(result.ok && result.config.security.tokenVerification?.jwksUrl.hostname).toBe(
      'console.cloud.vmware.com',
    );
  });

  it('runs one process by default', () => {
    const result = loadConfig({});
    expect(result.ok && result.config.workers).toBe(1);
  });

  it("keeps V8's old generation to 2x what is live by default; 0 leaves it to V8", () => {
    const byDefault = loadConfig({});
    expect(byDefault.ok && byDefault.config.heapGrowthPercent).toBe(100);
    const v8Default = loadConfig({ HEAP_GROWTH_PERCENT: '0' });
    expect(v8Default.ok && v8Default.config.heapGrowthPercent).toBe(0);
    const flag = loadConfig({}, ['--heap-growth-percent', '50']);
    expect(flag.ok && flag.config.heapGrowthPercent).toBe(50);
  });
});
