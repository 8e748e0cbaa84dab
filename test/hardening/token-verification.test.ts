import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { fakeJwt, MY_MFA, UPDATE_MY_MFA } from '../helpers/operations.js';
import { loadConfig } from '../../src/config.js';
import { createTokenVerifier } from '../../src/auth/token-verifier.js';

const ISSUER = 'https://gaz.csp-vidm-prod.example';

interface KeyPair {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

interface JwksServer {
  readonly url: string;
  /** Keys currently published. */
  keys: KeyPair[];
  /** 'reset' drops each connection unanswered, 'error' answers 503: two ways for a key set to be down. */
  mode: 'up' | 'reset' | 'error';
  fetches: number;
  close(): Promise<void>;
}

async function newKey(kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

async function startJwks(keys: KeyPair[]): Promise<JwksServer> {
  const state: Pick<JwksServer, 'keys' | 'mode' | 'fetches'> = { keys, mode: 'up', fetches: 0 };
  const server = http.createServer((req, res) => {
    state.fetches++;
    if (state.mode === 'reset') return req.socket.destroy();
    if (state.mode === 'error') {
      res.writeHead(503, { 'content-type': 'text/html' });
      return res.end('<html>503 Service Unavailable</html>');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/csp/gateway/am/api/auth/token-public-key?format=jwks`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

function sign(key: KeyPair, claims: Record<string, unknown> = {}, expiresIn: string | number = '30m') {
  return new SignJWT({
    username: 'alice@example.com',
    acct: 'alice@example.com',
    domain: 'vmwareid',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setSubject('vmwareid:1b2c')
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}

let csp: FakeCsp;
let jwks: JwksServer;
let gateway: TestGateway;
let key1: KeyPair;
let stranger: KeyPair;

beforeAll(async () => {
  key1 = await newKey('k1');
  stranger = await newKey('k1');
  csp = await startFakeCsp();
  jwks = await startJwks([key1]);
  gateway = await startGateway({ CSP_BASE_URL: csp.url, CSP_JWKS_URL: jwks.url, CSP_TOKEN_ISSUER: ISSUER });
});

afterAll(async () => {
  await gateway.close();
  await jwks.close();
  await csp.close();
});

afterEach(() => {
  csp.requests.length = 0;
});

function bothFields(token: string): Promise<[string | undefined, string | undefined]> {
  return bothFieldsOn(gateway, token);
}

async function bothFieldsOn(
  target: TestGateway,
  token: string,
): Promise<[string | undefined, string | undefined]> {
  const headers = { 'csp-auth-token': token };
  const update = await target.graphql<{ updateMyMfa: { __typename: string } }>(
    UPDATE_MY_MFA,
    { input: { password: 'correct horse', turnedOn: true } },
    headers,
  );
  const read = await target.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, headers);
  return [update.body.data?.updateMyMfa.__typename, read.body.data?.myMfa.__typename];
}

describe('local token verification (CSP_JWKS_URL)', () => {
  it('lets a valid RS256 token through to CSP on both root fields', async () => {
    expect(await bothFields(await sign(key1))).toEqual(['MfaStatus', 'MfaStatus']);
    expect(csp.requests).toHaveLength(2);
  });

  it.each([
    ['an expired token', () => sign(key1, {}, Math.floor(Date.now() / 1000) - 120)],
    ['a token signed by another key under a known kid', () => sign(stranger)],
    ['a token from another issuer', () => sign(key1, { iss: 'https://evil.example' })],
    ['a token with an unknown kid', () => sign({ ...key1, kid: 'nope' })],
    ['an unsigned token (alg none)', async () => fakeJwt({ sub: 'vmwareid:1b2c', username: 'alice' })],
    ['an opaque token', async () => 'not-a-jwt-at-all'],
  ])('answers MfaUnauthenticatedError to %s without calling CSP', async (_name, token) => {
    expect(await bothFields(await token())).toEqual(['MfaUnauthenticatedError', 'MfaUnauthenticatedError']);
    expect(csp.requests).toHaveLength(0);
  });

  it('fails closed with MfaUpstreamUnavailableError when the key set cannot be fetched', async () => {
    const down = await startJwks([key1]);
    const url = down.url;
    await down.close();
    const blind = await startGateway({ CSP_BASE_URL: csp.url, CSP_JWKS_URL: url, CSP_TOKEN_ISSUER: ISSUER });
    try {
      const answer = await blind.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, {
        'csp-auth-token': await sign(key1),
      });
      expect(answer.body.data?.myMfa.__typename).toBe('MfaUpstreamUnavailableError');
      expect(csp.requests).toHaveLength(0);
    } finally {
      await blind.close();
    }
  });

  it('refuses CSP_JWKS_URL with the embedded store (the store verifies its own tokens)', async () => {
    await expect(startGateway({ CSP_JWKS_URL: jwks.url })).rejects.toThrow(/CSP_JWKS_URL/);
  });
});

describe('the expected audience (CSP_TOKEN_AUDIENCE)', () => {
  let strict: TestGateway;
  beforeAll(async () => {
    strict = await startGateway({
      CSP_BASE_URL: csp.url,
      CSP_JWKS_URL: jwks.url,
      CSP_TOKEN_ISSUER: ISSUER,
      CSP_TOKEN_AUDIENCE: 'mfa-gateway, mfa-gateway-2',
    });
  });
  afterAll(() => strict.close());

  const readAs = async (gateway: TestGateway, token: string) =>
    (await gateway.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, { 'csp-auth-token': token }))
      .body.data?.myMfa.__typename;

  it.each([
    ['one of the expected audiences', 'mfa-gateway-2'],
    ['a list holding an expected audience', ['another-service', 'mfa-gateway']],
  ])('accepts a token whose aud is %s', async (_name, aud) => {
    expect(await readAs(strict, await sign(key1, { aud }))).toBe('MfaStatus');
    expect(csp.requests).toHaveLength(1);
  });

  it.each([
    ['another audience', { aud: 'another-service' }],
    ['an audience that only contains the expected one', { aud: 'mfa-gateway-3' }],
    ['no aud at all', {}],
  ])('answers MfaUnauthenticatedError to a token with %s, without calling CSP', async (_name, claims) => {
    expect(await readAs(strict, await sign(key1, claims))).toBe('MfaUnauthenticatedError');
    expect(csp.requests).toHaveLength(0);
  });

  it('checks no audience when none is configured', async () => {
    expect(await readAs(gateway, await sign(key1, { aud: 'another-service' }))).toBe('MfaStatus');
  });
});

describe('the expected issuer (CSP_TOKEN_ISSUER)', () => {
  const verification = (env: Record<string, string>) => {
    const loaded = loadConfig({ CSP_BASE_URL: 'https://console.cloud.vmware.com', ...env });
    return loaded.ok ? loaded.config.security.tokenVerification : loaded.errors;
  };

  it("defaults to CSP's production issuer for CSP's production key set", () => {
    expect(
      verification({
        CSP_JWKS_URL: 'https://console.cloud.vmware.com/csp/gateway/am/api/auth/token-public-key?format=jwks',
      }),
    ).toMatchObject({ issuer: 'https://gaz.csp-vidm-prod.com' });
  });

  it('refuses to start with a key set elsewhere and no issuer, naming the setting', () => {
    const errors = verification({ CSP_JWKS_URL: 'https://console-stg.cloud.vmware.com/keys' });
    expect(Array.isArray(errors) && errors.some((e) => e.includes('CSP_TOKEN_ISSUER'))).toBe(true);
  });

  it("takes an explicit issuer, or 'any' to skip the check", () => {
    const url = 'https://console.cloud.vmware.com/keys';
    expect(verification({ CSP_JWKS_URL: url, CSP_TOKEN_ISSUER: 'https://other.example' })).toMatchObject({
      issuer: 'https://other.example',
    });
    expect(verification({ CSP_JWKS_URL: url, CSP_TOKEN_ISSUER: 'any' })).not.toHaveProperty('issuer');
  });

  it("with 'any', accepts a validly signed token from any issuer", async () => {
    const open = await startGateway({
      CSP_BASE_URL: csp.url,
      CSP_JWKS_URL: jwks.url,
      CSP_TOKEN_ISSUER: 'any',
    });
    try {
      const answer = await open.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, {
        'csp-auth-token': await sign(key1, { iss: 'https://elsewhere.example' }),
      });
      expect(answer.body.data?.myMfa.__typename).toBe('MfaStatus');
    } finally {
      await open.close();
    }
  });
});

describe('claim settings without a key set', () => {
  it.each([['CSP_TOKEN_ISSUER'], ['CSP_TOKEN_AUDIENCE']])(
    'refuses %s without CSP_JWKS_URL instead of silently checking nothing',
    (name) => {
      const loaded = loadConfig({ CSP_BASE_URL: 'https://console.cloud.vmware.com', [name]: 'x' });
      expect(loaded.ok ? [] : loaded.errors).toEqual([expect.stringContaining(name)]);
    },
  );
});

describe('the key set URL', () => {
  const load = (url: string) =>
    loadConfig({
      CSP_BASE_URL: 'https://console.cloud.vmware.com',
      CSP_JWKS_URL: url,
      CSP_TOKEN_ISSUER: 'any',
    });

  it.each([
    ['https://keys.example/jwks'],
    ['http://127.0.0.1:8080/jwks'],
    ['http://127.9.8.7/jwks'],
    ['http://localhost:8080/jwks'],
    ['http://[::1]:8080/jwks'],
  ])('accepts %s', (url) => {
    expect(load(url).ok).toBe(true);
  });

  it.each([
    ['http://keys.example/jwks'],
    ['http://10.0.0.1/jwks'],
    ['http://127.0.0.1.nip.io/jwks'],
    ['http://localhost.example.com/jwks'],
    ['http://[::ffff:10.0.0.1]/jwks'],
    ['ftp://keys.example/jwks'],
    ['https://user:secret@keys.example/jwks'],
  ])('refuses %s with a message naming CSP_JWKS_URL', (url) => {
    const loaded = load(url);
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.errors).toEqual([expect.stringContaining('CSP_JWKS_URL')]);
    expect(JSON.stringify(loaded)).not.toContain('secret');
  });
});

describe('a key set that is down', () => {
  const read = async (gateway: TestGateway, token: string) =>
    (await gateway.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, { 'csp-auth-token': token }))
      .body.data?.myMfa.__typename;

  it.each(['reset', 'error'] as const)(
    'is not fetched again during the failure cool-down (%s): every call answers MfaUpstreamUnavailableError at once',
    async (mode) => {
      const down = await startJwks([key1]);
      down.mode = mode;
      // A cool-down far longer than the test, so a slow machine cannot end it mid-test.
      const blind = await startGateway({
        CSP_BASE_URL: csp.url,
        CSP_JWKS_URL: down.url,
        CSP_TOKEN_ISSUER: ISSUER,
        CSP_JWKS_FAILURE_COOLDOWN_MS: '600000',
      });
      try {
        const token = await sign(key1);
        // The first calls arrive together: they share one fetch, and its failure is logged once.
        const first = await Promise.all(Array.from({ length: 5 }, () => read(blind, token)));
        expect(first).toEqual(Array(5).fill('MfaUpstreamUnavailableError'));
        expect(down.fetches).toBe(1);
        const answers = await Promise.all(Array.from({ length: 10 }, () => read(blind, token)));
        expect(answers).toEqual(Array(10).fill('MfaUpstreamUnavailableError'));
        expect(await bothFieldsOn(blind, token)).toEqual([
          'MfaUpstreamUnavailableError',
          'MfaUpstreamUnavailableError',
        ]);
        expect(down.fetches).toBe(1);
        expect(csp.requests).toHaveLength(0);
        // One warning for the failed fetch, not one per refused call.
        const warnings = blind.logs
          .map((line) => JSON.parse(line) as { level: string; msg: string })
          .filter((line) => line.level === 'warn');
        expect(warnings).toHaveLength(1);
      } finally {
        await blind.close();
        await down.close();
      }
    },
  );

  it('is fetched again after the failure cool-down, and calls go through once it is back', async () => {
    const flaky = await startJwks([key1]);
    flaky.mode = 'error';
    const COOLDOWN_MS = 500;
    const recovering = await startGateway({
      CSP_BASE_URL: csp.url,
      CSP_JWKS_URL: flaky.url,
      CSP_TOKEN_ISSUER: ISSUER,
      CSP_JWKS_FAILURE_COOLDOWN_MS: String(COOLDOWN_MS),
    });
    try {
      const token = await sign(key1);
      expect(await read(recovering, token)).toBe('MfaUpstreamUnavailableError');
      expect(flaky.fetches).toBe(1);
      flaky.mode = 'up';
      await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
      expect(await read(recovering, token)).toBe('MfaStatus');
      expect(flaky.fetches).toBe(2);
      expect(await read(recovering, token)).toBe('MfaStatus');
      expect(flaky.fetches).toBe(2);
    } finally {
      await recovering.close();
      await flaky.close();
    }
  });
});

describe('the key set cache', () => {
  it('refetches on an unknown kid (key rotation), at most once per cooldown', async () => {
    const COOLDOWN_MS = 3_000;
    const rotating = await startJwks([key1]);
    // Everything is signed up front, so only verification runs inside the cooldown (a busy CI
    // machine must not stretch the window under test).
    const key2 = await newKey('k2');
    const valid = await sign(key1);
    const forged = await Promise.all(Array.from({ length: 20 }, (_, i) => sign({ ...key1, kid: `x${i}` })));
    const rotated = await sign(key2);
    try {
      const verifier = createTokenVerifier({ jwksUrl: new URL(rotating.url), cooldownMs: COOLDOWN_MS });
      expect(await verifier.verify(valid)).toBe('valid');
      expect(await verifier.verify(valid)).toBe('valid');
      expect(rotating.fetches).toBe(1);

      rotating.keys = [key1, key2];
      // Forged kids right after a fetch cost no fetch: the cooldown holds.
      for (const token of forged) expect(await verifier.verify(token)).toBe('invalid');
      expect(rotating.fetches).toBe(1);

      await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200));
      expect(await verifier.verify(rotated)).toBe('valid');
      expect(rotating.fetches).toBe(2);
    } finally {
      await rotating.close();
    }
  });
});
