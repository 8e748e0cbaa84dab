import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HELP_TEXT, loadConfig } from '../../src/config.js';
import { hang, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';

describe('security settings', () => {
  it('has documented defaults: closed CORS, introspection off only in production, 5 per 15 minutes, no JWKS', () => {
    const dev = loadConfig({});
    const prod = loadConfig({ NODE_ENV: 'production' });
    if (!dev.ok || !prod.ok) throw new Error('defaults must load');
    expect(dev.config.security).toEqual({
      introspection: true,
      serviceSdl: true,
      corsOrigins: [],
      acceptAuthorizationBearer: false,
      queryLimits: { maxDepth: 6, maxAliases: 5, maxDirectives: 10, maxTokens: 1000, maxCost: 1000 },
      bruteForce: { maxAttempts: 5, windowSeconds: 900 },
    });
    expect(prod.config.security).toMatchObject({ introspection: false, serviceSdl: false });
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' })).toMatchObject({
      ok: true,
      config: { security: { introspection: true, serviceSdl: true } },
    });
    expect(loadConfig({ NODE_ENV: 'production', FEDERATION_SDL: 'true' })).toMatchObject({
      ok: true,
      config: { security: { introspection: false, serviceSdl: true } },
    });
  });

  it('lists every security setting in --help', () => {
    for (const name of [
      'INTROSPECTION',
      'FEDERATION_SDL',
      'CORS_ORIGINS',
      'ACCEPT_AUTHORIZATION_BEARER',
      'QUERY_MAX_DEPTH',
      'QUERY_MAX_ALIASES',
      'QUERY_MAX_DIRECTIVES',
      'QUERY_MAX_TOKENS',
      'QUERY_MAX_COST',
      'BRUTE_FORCE_MAX_ATTEMPTS',
      'BRUTE_FORCE_WINDOW_SECONDS',
      'RATE_LIMIT_REDIS_URL',
      'CSP_JWKS_URL',
      'CSP_TOKEN_ISSUER',
      'CSP_TOKEN_AUDIENCE',
      'CSP_JWKS_FAILURE_COOLDOWN_MS',
    ]) {
      expect(HELP_TEXT).toContain(name);
    }
  });

  it('reports one message per bad security value', () => {
    const result = loadConfig({
      CSP_BASE_URL: 'https://console.cloud.vmware.com',
      INTROSPECTION: 'yes',
      FEDERATION_SDL: 'on',
      ACCEPT_AUTHORIZATION_BEARER: 'yes',
      CORS_ORIGINS: 'https://ok.example, https://bad.example/path, *',
      QUERY_MAX_DEPTH: '0',
      BRUTE_FORCE_MAX_ATTEMPTS: 'many',
      RATE_LIMIT_REDIS_URL: 'http://redis:6379',
      CSP_JWKS_URL: 'not a url',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    for (const name of [
      'INTROSPECTION',
      'FEDERATION_SDL',
      'ACCEPT_AUTHORIZATION_BEARER',
      'CORS_ORIGINS',
      'QUERY_MAX_DEPTH',
      'BRUTE_FORCE_MAX_ATTEMPTS',
      'RATE_LIMIT_REDIS_URL',
      'CSP_JWKS_URL',
    ]) {
      expect(errors.some((e) => e.includes(name))).toBe(true);
    }
    expect(errors.filter((e) => e.includes('CORS_ORIGINS'))).toHaveLength(2);
  });

  it('never echoes a Redis password in a config error', () => {
    const result = loadConfig({ RATE_LIMIT_REDIS_URL: 'http://:s3cret-pass@redis:6379' });
    expect(JSON.stringify(result)).not.toContain('s3cret-pass');
  });
});

describe('request ids in logs', () => {
  let csp: FakeCsp;
  let gateway: TestGateway;
  beforeAll(async () => {
    csp = await startFakeCsp();
    gateway = await startGateway({ CSP_BASE_URL: csp.url, CSP_TIMEOUT_MS: '200' });
  });
  afterAll(async () => {
    await gateway.close();
    await csp.close();
  });

  it('puts the request id on every log line of the request', async () => {
    csp.onPatch(hang);
    const before = gateway.logs.length;
    const answer = await gateway.graphql(
      UPDATE_MY_MFA,
      { input: { password: 'p', turnedOn: true } },
      { 'csp-auth-token': userJwt(), 'x-request-id': 'trace-every-line-1' },
    );
    expect(answer.headers.get('x-request-id')).toBe('trace-every-line-1');
    expect(JSON.stringify(answer.body)).toContain('trace-every-line-1');
    expect(csp.requests.at(-1)?.headers['x-request-id']).toBe('trace-every-line-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = gateway.logs.slice(before);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ requestId: 'trace-every-line-1' });
  });
});
